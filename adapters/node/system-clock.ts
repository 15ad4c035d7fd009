import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../../ports/clock.js';

interface SystemTimerHandle extends TimerHandle {
  /** The Node timer now running for this handle (the next step of a long delay). */
  timeout?: NodeJS.Timeout;
}

/** Node runs a timer longer than this (about 24.8 days) after 1 ms instead: longer delays are armed in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const arm = (handle: SystemTimerHandle, remainingMs: number, fire: () => void): void => {
  handle.timeout = remainingMs > MAX_TIMEOUT_MS
    ? setTimeout(() => arm(handle, remainingMs - MAX_TIMEOUT_MS, fire), MAX_TIMEOUT_MS)
    : setTimeout(fire, remainingMs);
};

/** The real clock: `performance.now()` for time, Node timers for scheduling. */
export class SystemClock implements Clock {
  private nextId = 1;

  nowMs(): number {
    return performance.now();
  }

  epochMs(): number {
    return Date.now();
  }

  schedule(delayMs: number, fire: () => void): TimerHandle {
    const handle: SystemTimerHandle = { id: this.nextId++ };
    arm(handle, Math.max(0, delayMs), fire);
    return handle;
  }

  cancel(handle: TimerHandle): void {
    const timeout = (handle as Partial<SystemTimerHandle>).timeout;
    if (timeout !== undefined) clearTimeout(timeout);
  }
}
