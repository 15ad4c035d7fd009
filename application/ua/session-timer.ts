import { expiryDueSec, refreshDueSec, type Refresher } from '../../domain/dialog/session-timer.js';
import type { Clock, TimerHandle } from '../../ports/clock.js';

/** A negotiated session timer from one side's view. */
export interface RunningTimer {
  readonly intervalSec: number;
  /** True when we send the refreshes (RFC 4028 §10); false when we only watch for them. */
  readonly weRefresh: boolean;
}

/** Our view of a negotiated `refresher`: `uac` is whoever sent the request that negotiated it. */
export const runningTimer = (negotiated: { readonly intervalSec: number; readonly refresher: Refresher } | undefined, weWere: Refresher): RunningTimer | undefined =>
  negotiated === undefined ? undefined : { intervalSec: negotiated.intervalSec, weRefresh: negotiated.refresher === weWere };

/**
 * The clock side of a session timer: the refresher refreshes halfway through
 * the interval; either side ends the session if no refresh has succeeded
 * shortly before the interval runs out (RFC 4028 §10). Every successful
 * refresh, sent or received, starts both over.
 */
export class SessionTimer {
  private refreshHandle: TimerHandle | undefined;
  private expiryHandle: TimerHandle | undefined;
  private current: RunningTimer | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly refresh: (intervalSec: number) => void,
    private readonly expire: () => void,
  ) {}

  get running(): RunningTimer | undefined {
    return this.current;
  }

  /** Starts over with `timer`; undefined turns the timer off (a 2xx without Session-Expires, §7.2). */
  run(timer: RunningTimer | undefined): void {
    this.stop();
    this.current = timer;
    if (timer === undefined) return;
    this.expiryHandle = this.clock.schedule(expiryDueSec(timer.intervalSec) * 1000, () => {
      this.expiryHandle = undefined;
      this.expire();
    });
    if (timer.weRefresh) {
      this.refreshHandle = this.clock.schedule(refreshDueSec(timer.intervalSec) * 1000, () => {
        this.refreshHandle = undefined;
        this.refresh(timer.intervalSec);
      });
    }
  }

  stop(): void {
    if (this.refreshHandle !== undefined) this.clock.cancel(this.refreshHandle);
    if (this.expiryHandle !== undefined) this.clock.cancel(this.expiryHandle);
    this.refreshHandle = this.expiryHandle = undefined;
    this.current = undefined;
  }
}
