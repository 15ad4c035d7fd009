import {
  NO_REFER_SUBSCRIPTION, REFER_EXPIRY, REFER_MIN_INTERVAL_MS, isReferNotify, referEvent, referState,
  wantsReferSubscription,
} from '../../domain/events/refer.js';
import {
  eventHeader, eventOf, grantedExpiry, notifyDelayMs, subscriptionStateHeader, type EventId,
} from '../../domain/events/subscription.js';
import { sipfrag } from '../../domain/session/sipfrag.js';
import { getCSeq } from '../../domain/sip/core-headers.js';
import type { SipRequest } from '../../domain/sip/message.js';
import { encodeUtf8 } from '../../domain/sip/text-codec.js';
import * as E from 'fp-ts/lib/Either.js';
import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { SessionRecord } from '../session/session-record.js';
import type { Answer } from '../ua/invite-session.js';

interface ReferNotification {
  readonly record: SessionRecord;
  readonly event: EventId;
  expiresAtMs: number;
  expiry: TimerHandle | undefined;
  lastSentAtMs: number | undefined;
  /** The new call's latest progress, the next NOTIFY's body. */
  latest: { readonly status: number; readonly reason: string };
  /** A NOTIFY held back by the minimum interval; later progress merges into it. */
  held: TimerHandle | undefined;
  ended: boolean;
}

/** How the transferee reports the referenced call's progress: each status, the final one ends it. */
export type ReferReport = (status: number, reason: string) => void;

/**
 * The transferee's side of a REFER's implicit subscription (RFC 3515 §2.4.4, on RFC 6665's rules): the REFER
 * is answered 202 and the subscription lasts what `REFER_EXPIRY` grants; progress goes as message/sipfrag
 * NOTIFYs (Event `refer;id=<REFER CSeq>`), no closer than `REFER_MIN_INTERVAL_MS`, the final one terminated;
 * the transferor may refresh or end it with SUBSCRIBE in the dialog; a lapsed grant ends it (timeout).
 * `Refer-Sub: false` (RFC 4488) makes none.
 */
export class ReferNotifier {
  private readonly byCall = new Map<string, Set<ReferNotification>>();

  constructor(private readonly clock: Clock, private readonly logger?: Logger) {}

  /** Subscriptions still running (for leak checks). */
  get count(): number {
    let n = 0;
    for (const set of this.byCall.values()) n += set.size;
    return n;
  }

  /** A REFER accepted in `record`'s dialog: its 202, and how to report the new call's progress. */
  accept(record: SessionRecord, refer: SipRequest): { readonly answer: Answer; readonly report: ReferReport } {
    if (!wantsReferSubscription(refer)) {
      return { answer: { status: 202, headers: [NO_REFER_SUBSCRIPTION] }, report: () => undefined };
    }
    const cseq = getCSeq(refer);
    const now = this.clock.nowMs();
    const n: ReferNotification = {
      record, event: referEvent(E.isRight(cseq) ? cseq.right.seq : 0),
      expiresAtMs: now + REFER_EXPIRY.defaultSec * 1000, expiry: undefined, lastSentAtMs: undefined,
      latest: { status: 100, reason: 'Trying' }, held: undefined, ended: false,
    };
    let set = this.byCall.get(record.id);
    if (set === undefined) this.byCall.set(record.id, (set = new Set()));
    set.add(n);
    this.armExpiry(n);
    return { answer: { status: 202 }, report: (status, reason) => this.report(n, status, reason) };
  }

  /** A SUBSCRIBE in the dialog refreshing (or, Expires: 0, ending) one of its REFER subscriptions. */
  resubscribe(record: SessionRecord, request: SipRequest): Answer {
    const event = eventOf(request);
    if (event?.package !== 'refer') return { status: 489, headers: [{ name: 'Allow-Events', value: 'refer' }] };
    const mine = [...this.byCall.get(record.id) ?? []];
    const n = mine.find((s) => event.id !== undefined && s.event.id === event.id)
      ?? (event.id === undefined && mine.length === 1 ? mine[0] : undefined);
    if (n === undefined || !isReferNotify(event, n.event)) return { status: 481 };
    const grant = grantedExpiry(request, REFER_EXPIRY);
    if (grant.kind === 'TooBrief') {
      return { status: 423, headers: [{ name: 'Min-Expires', value: String(grant.minSec) }] };
    }
    n.expiresAtMs = this.clock.nowMs() + grant.expiresSec * 1000;
    this.armExpiry(n);
    // RFC 6665 §4.2.1.2: a refresh is followed by a NOTIFY with the current state (terminated for Expires 0).
    this.clock.schedule(0, () => this.send(n));
    return { status: 200, headers: [{ name: 'Expires', value: String(grant.expiresSec) }] };
  }

  /** The call carrying the subscriptions ended: they end with it, silently (there is no dialog left). */
  callEnded(record: SessionRecord): void {
    for (const n of this.byCall.get(record.id) ?? []) this.end(n);
  }

  private report(n: ReferNotification, status: number, reason: string): void {
    if (n.ended) return;
    n.latest = { status, reason };
    if (n.held !== undefined) return;
    const delay = notifyDelayMs(n.lastSentAtMs, this.clock.nowMs(), REFER_MIN_INTERVAL_MS);
    if (delay === 0) return this.send(n);
    n.held = this.clock.schedule(delay, () => {
      n.held = undefined;
      this.send(n);
    });
  }

  private send(n: ReferNotification): void {
    if (n.ended) return;
    if (n.held !== undefined) this.clock.cancel(n.held);
    n.held = undefined;
    const now = this.clock.nowMs();
    n.lastSentAtMs = now;
    const state = referState(n.latest.status >= 200, Math.ceil((n.expiresAtMs - now) / 1000));
    const dialog = n.record.dialog;
    if (state.state === 'terminated') this.end(n);
    if (dialog === undefined || dialog.terminated) return;
    void dialog.sendRequest('NOTIFY', {
      body: encodeUtf8(sipfrag(n.latest.status, n.latest.reason)), contentType: 'message/sipfrag;version=2.0',
      headers: [eventHeader(n.event), subscriptionStateHeader(state)],
    }).then((outcome) => {
      // 481: the transferor no longer has the subscription (RFC 6665 §4.2.2).
      if (outcome.kind === 'Response' && outcome.response.status === 481) this.end(n);
      else if (outcome.kind !== 'Response') this.logger?.debug('refer NOTIFY unanswered', { kind: outcome.kind });
    });
  }

  private armExpiry(n: ReferNotification): void {
    if (n.expiry !== undefined) this.clock.cancel(n.expiry);
    n.expiry = this.clock.schedule(Math.max(0, n.expiresAtMs - this.clock.nowMs()), () => {
      n.expiry = undefined;
      this.send(n);
    });
  }

  private end(n: ReferNotification): void {
    if (n.ended) return;
    n.ended = true;
    if (n.expiry !== undefined) this.clock.cancel(n.expiry);
    if (n.held !== undefined) this.clock.cancel(n.held);
    n.expiry = n.held = undefined;
    const set = this.byCall.get(n.record.id);
    set?.delete(n);
    if (set?.size === 0) this.byCall.delete(n.record.id);
  }
}
