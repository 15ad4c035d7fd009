import * as E from 'fp-ts/lib/Either.js';
import { isReferNotify, referEvent } from '../../domain/events/refer.js';
import {
  eventHeader, eventOf, refreshAfterSec, subscriptionStateOf, type EventId,
} from '../../domain/events/subscription.js';
import { sessionNotFound, type SessionError } from '../../domain/session/session-error.js';
import { sipfragStatus } from '../../domain/session/sipfrag.js';
import { headerValue, type SipRequest } from '../../domain/sip/message.js';
import { decodeUtf8 } from '../../domain/sip/text-codec.js';
import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { IdGenerator } from '../id-generator.js';
import type { EventBus } from '../session/event-bus.js';
import type { SessionRecord } from '../session/session-record.js';
import type { Answer } from '../ua/invite-session.js';
import type { SubscriptionInfo } from './subscriber.js';

interface ReferWatch {
  readonly id: string;
  readonly record: SessionRecord;
  event: EventId;
  readonly target: string;
  state: SubscriptionInfo['state'];
  grantedSec: number;
  refresh: TimerHandle | undefined;
}

/**
 * The transferor's side of a REFER's implicit subscription (RFC 3515 §2.4.5): one subscription per REFER,
 * listed with the others, its NOTIFYs published as `SubscriptionNotified` (event `refer`, message/sipfrag)
 * and its end as `SubscriptionTerminated`; refreshed with SUBSCRIBE in the dialog before its grant runs out,
 * ended early with `unsubscribe`.
 */
export class ReferWatcher {
  private readonly watches = new Map<string, ReferWatch>();

  constructor(private readonly clock: Clock, private readonly ids: IdGenerator, private readonly events: EventBus) {}

  get count(): number {
    return this.watches.size;
  }

  list(): SubscriptionInfo[] {
    return [...this.watches.values()].map((w) => ({
      id: w.id, target: w.target, event: 'refer', state: w.state, expiresSec: w.grantedSec,
    }));
  }

  /** Before the REFER goes (its NOTIFY may beat its 2xx): a subscription for the REFER with CSeq `referSeq`. */
  expect(record: SessionRecord, referSeq: number, target: string): string {
    const watch: ReferWatch = {
      id: `subs-${this.ids.token(12)}`, record, event: referEvent(referSeq), target, state: 'pending', grantedSec: 0,
      refresh: undefined,
    };
    this.watches.set(watch.id, watch);
    return watch.id;
  }

  /** The REFER's answer: accepted under CSeq `referSeq` (a Digest round renumbers it), or refused (undefined). */
  answered(id: string, referSeq: number | undefined): void {
    const watch = this.watches.get(id);
    if (watch === undefined) return;
    if (referSeq === undefined) return this.forget(watch);
    watch.event = referEvent(referSeq);
  }

  /** A NOTIFY in `record`'s dialog: its answer, and the referenced call's status when it said one. */
  notified(record: SessionRecord, request: SipRequest): { readonly answer: Answer; readonly status?: number } {
    const event = eventOf(request);
    if (event?.package !== 'refer') return { answer: { status: 489 } };
    const watch = [...this.watches.values()].find((w) => w.record === record && isReferNotify(event, w.event));
    // RFC 6665 §4.1.3: a NOTIFY for no subscription of ours.
    if (watch === undefined) return { answer: { status: 481 } };
    const state = subscriptionStateOf(request) ?? { state: 'active', expiresSec: watch.grantedSec };
    const body = decodeUtf8(request.body);
    const contentType = headerValue(request, 'Content-Type');
    watch.state = state.state;
    this.events.publish({
      type: 'SubscriptionNotified', subscriptionId: watch.id, event: 'refer', state: state.state, body,
      ...(contentType === undefined ? {} : { contentType }),
    });
    if (state.state === 'terminated') {
      this.events.publish({
        type: 'SubscriptionTerminated', subscriptionId: watch.id, event: 'refer', reason: state.reason ?? 'terminated',
      });
      this.forget(watch);
    } else if (state.expiresSec > 0 && state.expiresSec !== watch.grantedSec) {
      watch.grantedSec = state.expiresSec;
      this.armRefresh(watch);
    }
    const status = sipfragStatus(body);
    return status === undefined ? { answer: { status: 200 } } : { answer: { status: 200 }, status };
  }

  /** Ends one of ours early: SUBSCRIBE Expires: 0 in the dialog; its terminated NOTIFY ends it here. */
  async unsubscribe(id: string): Promise<E.Either<SessionError, void>> {
    const watch = this.watches.get(id);
    if (watch === undefined) return E.left(sessionNotFound(id));
    const outcome = await this.resubscribe(watch, 0);
    if (outcome !== 200 && this.watches.get(id) === watch) {
      this.events.publish({
        type: 'SubscriptionTerminated', subscriptionId: watch.id, event: 'refer', reason: 'deactivated',
      });
      this.forget(watch);
    }
    return E.right(undefined);
  }

  /** The call carrying them ended: its subscriptions end too. */
  callEnded(record: SessionRecord): void {
    for (const watch of [...this.watches.values()]) {
      if (watch.record !== record) continue;
      this.events.publish({
        type: 'SubscriptionTerminated', subscriptionId: watch.id, event: 'refer', reason: 'the call ended',
      });
      this.forget(watch);
    }
  }

  private armRefresh(watch: ReferWatch): void {
    if (watch.refresh !== undefined) this.clock.cancel(watch.refresh);
    watch.refresh = this.clock.schedule(refreshAfterSec(watch.grantedSec) * 1000, () => {
      watch.refresh = undefined;
      void this.resubscribe(watch, watch.grantedSec);
    });
  }

  private async resubscribe(watch: ReferWatch, expiresSec: number): Promise<number | undefined> {
    const dialog = watch.record.dialog;
    if (dialog === undefined || dialog.terminated) return undefined;
    const outcome = await dialog.sendRequest('SUBSCRIBE', {
      headers: [eventHeader(watch.event), { name: 'Expires', value: String(expiresSec) }],
    });
    return outcome.kind === 'Response' ? outcome.response.status : undefined;
  }

  private forget(watch: ReferWatch): void {
    if (watch.refresh !== undefined) this.clock.cancel(watch.refresh);
    watch.refresh = undefined;
    this.watches.delete(watch.id);
  }
}
