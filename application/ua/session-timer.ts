import type { Refresher } from '../../domain/dialog/session-timer.js';
import type { Clock, TimerHandle } from '../../ports/clock.js';

/** A negotiated session timer from one side's view. */
export interface RunningTimer {
  readonly intervalSec: number;
  /** True when we send the refreshes (RFC 4028 §10); false when we only watch for them. */
  readonly weRefresh: boolean;
}

/** Our view of a negotiated `refresher`: `uac` is whoever sent the request that negotiated it. */
export const runningTimer = (
  negotiated: { readonly intervalSec: number; readonly refresher: Refresher } | undefined, weWere: Refresher,
): RunningTimer | undefined =>
  negotiated === undefined ? undefined : {
    intervalSec: negotiated.intervalSec, weRefresh: negotiated.refresher === weWere,
  };

/** What the sweep asks of a session with a running timer. */
export interface SweptSession {
  /** Called about once a second with the time; the session refreshes or ends when its moment has come. */
  sweep(nowMs: number): void;
}

/** How often due refreshes and expiries are looked for: late by at most this, far inside RFC 4028's margins. */
const SWEEP_MS = 1_000;

/**
 * One clock timer for every session timer of a UA: sessions keep their due
 * times as numbers and a sweep visits them once a second. Ten thousand calls
 * then cost ten thousand set entries, not twenty thousand runtime timers; the
 * sweep stops when no session has a timer, so an idle UA schedules nothing.
 */
export class SessionTimerSweep {
  private readonly watched = new Set<SweptSession>();
  private handle: TimerHandle | undefined;

  constructor(private readonly clock: Clock) {}

  watch(session: SweptSession): void {
    this.watched.add(session);
    this.arm();
  }

  unwatch(session: SweptSession): void {
    this.watched.delete(session);
    if (this.watched.size === 0 && this.handle !== undefined) {
      this.clock.cancel(this.handle);
      this.handle = undefined;
    }
  }

  private arm(): void {
    if (this.handle !== undefined || this.watched.size === 0) return;
    this.handle = this.clock.schedule(SWEEP_MS, () => {
      this.handle = undefined;
      const now = this.clock.nowMs();
      // A copy: a session may end (and leave the set) while being swept.
      for (const session of [...this.watched]) session.sweep(now);
      this.arm();
    });
  }
}
