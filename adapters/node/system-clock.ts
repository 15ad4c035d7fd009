import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../../ports/clock.js';

interface SystemTimerHandle extends TimerHandle {
  readonly timeout: NodeJS.Timeout;
}

/** The real clock: `performance.now()` for time, Node timers for scheduling. */
export class SystemClock implements Clock {
  private nextId = 1;

  nowMs(): number {
    return performance.now();
  }

  schedule(delayMs: number, fire: () => void): TimerHandle {
    const timeout = setTimeout(fire, Math.max(0, delayMs));
    const handle: SystemTimerHandle = { id: this.nextId++, timeout };
    return handle;
  }

  cancel(handle: TimerHandle): void {
    const timeout = (handle as Partial<SystemTimerHandle>).timeout;
    if (timeout !== undefined) clearTimeout(timeout);
  }
}
