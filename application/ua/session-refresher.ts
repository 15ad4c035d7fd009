import { expiryDueSec, intervalAfter422, refreshDueSec, timerFrom2xx } from '../../domain/dialog/session-timer.js';
import type { SipHeader } from '../../domain/sip/message.js';
import type { RequestOutcome } from './request-outcome.js';
import { runningTimer, type RunningTimer, type SweptSession } from './session-timer.js';
import { supportedTags, type UaContext } from './ua-context.js';

/** A session description (our SDP) as it travels in a body. */
export interface Body {
  readonly body: Uint8Array;
  readonly contentType: string;
}

/** What refreshing needs of the dialog usage it refreshes. */
export interface RefreshedSession {
  readonly terminated: boolean;
  sendRequest(method: string, options: { readonly headers?: ReadonlyArray<SipHeader> }): Promise<RequestOutcome>;
  reinvite(offer: Partial<Body> & { readonly headers?: ReadonlyArray<SipHeader> }, attempts: number):
    Promise<RequestOutcome>;
  /** The interval ran out without a refresh: end with BYE (RFC 4028 §10). */
  expire(): void;
}

/** A failed refresh is tried again after a tenth of the interval (at least 10 s), until the session expires. */
const refreshRetryMs = (intervalSec: number): number => Math.max(10_000, intervalSec * 100);

/**
 * One dialog's session timer (RFC 4028 §10): the refresher refreshes
 * halfway (UPDATE when the peer allows it, else a re-INVITE with our current
 * description); the other side watches for the end. Due times are numbers the
 * UA's once-a-second sweep looks at, not timers of their own.
 */
export class SessionRefresher implements SweptSession {
  /** The negotiated interval (0: no timer), and when the next refresh and the end are due. */
  private intervalSec = 0;
  private weRefresh = false;
  private refreshAtMs = Number.POSITIVE_INFINITY;
  private expireAtMs = Number.POSITIVE_INFINITY;
  /** Whether the peer accepts UPDATE, the cheaper refresh (§10 prefers it). */
  private peerAllowsUpdate = false;
  /** Our current description, offered again by a refresh re-INVITE when UPDATE is not allowed. */
  private localSdp: Body | undefined;

  constructor(private readonly ctx: UaContext, private readonly session: RefreshedSession) {}

  /** What the INVITE that created the dialog settled: the timer, UPDATE allowed by the peer, our description. */
  start(timer: RunningTimer | undefined, peerAllowsUpdate: boolean, localSdp: Body | undefined): void {
    this.peerAllowsUpdate = peerAllowsUpdate;
    this.localSdp = localSdp;
    this.run(timer);
  }

  /** An offer of ours that was accepted is our description now: a refresh re-INVITE repeats it (a hold stays one). */
  describe(localSdp: Body): void {
    this.localSdp = localSdp;
  }

  get running(): RunningTimer | undefined {
    return this.intervalSec === 0 ? undefined : { intervalSec: this.intervalSec, weRefresh: this.weRefresh };
  }

  get byUpdate(): boolean {
    return this.peerAllowsUpdate;
  }

  /**
   * Starts the timer over (every successful refresh does): the refresher is due
   * to refresh halfway; the other side watches for the end. undefined stops it.
   */
  run(timer: RunningTimer | undefined): void {
    if (timer === undefined || this.session.terminated) {
      if (this.intervalSec !== 0) this.ctx.timers.unwatch(this);
      this.intervalSec = 0;
      this.refreshAtMs = this.expireAtMs = Number.POSITIVE_INFINITY;
      return;
    }
    const now = this.ctx.clock.nowMs();
    this.intervalSec = timer.intervalSec;
    this.weRefresh = timer.weRefresh;
    this.refreshAtMs = timer.weRefresh ? now + refreshDueSec(timer.intervalSec) * 1000 : Number.POSITIVE_INFINITY;
    this.expireAtMs = timer.weRefresh ? Number.POSITIVE_INFINITY : now + expiryDueSec(timer.intervalSec) * 1000;
    this.ctx.timers.watch(this);
  }

  /** The UA's once-a-second look at due refreshes and expiries. */
  sweep(nowMs: number): void {
    if (nowMs >= this.expireAtMs) {
      this.expireAtMs = Number.POSITIVE_INFINITY;
      this.session.expire();
    } else if (nowMs >= this.refreshAtMs) {
      this.refreshAtMs = Number.POSITIVE_INFINITY;
      void this.refresh(this.intervalSec);
    }
  }

  /** A 422 asks for a longer interval; other failures leave the expiry watch to end the call. */
  private async refresh(intervalSec: number): Promise<void> {
    if (this.session.terminated) return;
    const headers = [
      { name: 'Session-Expires', value: `${intervalSec};refresher=uac` },
      { name: 'Supported', value: supportedTags(this.ctx.config).join(', ') },
    ];
    const outcome = this.peerAllowsUpdate
      ? await this.session.sendRequest('UPDATE', { headers })
      : await this.session.reinvite({ ...this.localSdp, headers }, 1);
    if (this.session.terminated) return;
    if (outcome.kind === 'Response') {
      const { status } = outcome.response;
      if (status >= 200 && status < 300) return this.run(runningTimer(timerFrom2xx(outcome.response), 'uac'));
      const longer = status === 422 ? intervalAfter422(outcome.response, intervalSec) : undefined;
      if (longer !== undefined) return this.refresh(longer);
    }
    // Not refreshed (refused, or not sent while another re-INVITE was pending): try again shortly,
    // and end the session when what is left of the interval runs out (§10).
    const now = this.ctx.clock.nowMs();
    if (this.expireAtMs === Number.POSITIVE_INFINITY) {
      this.expireAtMs = now + (expiryDueSec(intervalSec) - refreshDueSec(intervalSec)) * 1000;
    }
    this.refreshAtMs = Math.min(now + refreshRetryMs(intervalSec), this.expireAtMs);
  }
}
