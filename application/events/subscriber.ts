import * as E from 'fp-ts/lib/Either.js';
import { createUasDialog, type Dialog } from '../../domain/dialog/dialog.js';
import {
  eventHeader, eventOf, refreshAfterSec, subscriptionStateOf, type EventId,
} from '../../domain/events/subscription.js';
import { parseTarget } from '../../domain/session/call-target.js';
import {
  invalidArgument, rejected, sessionNotFound, type SessionError,
} from '../../domain/session/session-error.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import { coreHeaders, getCSeq } from '../../domain/sip/core-headers.js';
import { paramValue } from '../../domain/sip/params.js';
import { headerValue, type SipRequest } from '../../domain/sip/message.js';
import { decodeUtf8 } from '../../domain/sip/text-codec.js';
import { getExpires } from '../../domain/sip/typed-headers.js';
import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { IdGenerator } from '../id-generator.js';
import type { EventBus } from '../session/event-bus.js';
import type { ServerTransaction } from '../transaction-layer.js';
import { detachedDialog, type DialogUsages } from '../ua/dialog-usages.js';
import type { RequestOptions } from '../ua/out-of-dialog-request.js';
import type { RequestOutcome } from '../ua/request-outcome.js';

export interface SubscriptionInfo {
  readonly id: string;
  readonly target: string;
  readonly event: string;
  readonly state: 'pending' | 'active' | 'terminated';
  /** What the notifier granted, in seconds (0 once ended). */
  readonly expiresSec: number;
}

interface Subscription {
  readonly id: string;
  readonly target: string;
  readonly event: EventId;
  readonly callId: string;
  readonly fromTag: string;
  readonly askedSec: number;
  /** Made by the first NOTIFY (RFC 6665 §4.1.2.4: it may beat the 2xx). */
  dialog: Dialog | undefined;
  /** The CSeq of our SUBSCRIBE (after any Digest round), which the dialog's next request follows. */
  subscribeSeq: number;
  state: SubscriptionInfo['state'];
  grantedSec: number;
  refresh: TimerHandle | undefined;
  /** No NOTIFY since the SUBSCRIBE's 2xx: given up after 64·T1. */
  watchdog: TimerHandle | undefined;
  /** Made by another fork's NOTIFY: it shares the first's Call-ID and tag, not its route for new NOTIFYs. */
  readonly fork: boolean;
  /** While other forks' first NOTIFYs may still come (64·T1 after ours): then their route is dropped. */
  forkWindow: TimerHandle | undefined;
}

/**
 * The subscriber side of RFC 6665: SUBSCRIBE out of a dialog, the dialog made by the first NOTIFY, each
 * NOTIFY answered and published on the bus (`SubscriptionNotified`), refreshes before the grant runs out,
 * and an end — ours (Expires: 0), the notifier's (terminated), or a refresh refused — published once
 * (`SubscriptionTerminated`). A NOTIFY from another fork makes a subscription of its own (§4.1.2.4), with its
 * own id in the events and in `list()`.
 */
export class Subscriber {
  private readonly subscriptions = new Map<string, Subscription>();

  constructor(
    private readonly usages: DialogUsages,
    private readonly send: (options: RequestOptions) => Promise<RequestOutcome>,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly events: EventBus,
    private readonly noNotifyTimeoutMs: number,
    /** Our identity when a subscription names none. */
    private readonly defaultFrom: string,
  ) {}

  get count(): number {
    return this.subscriptions.size;
  }

  list(): SubscriptionInfo[] {
    return [...this.subscriptions.values()].map((s) => this.info(s));
  }

  async subscribe(
    target: string, event: string, expiresSec: number, from: string = this.defaultFrom,
  ): Promise<E.Either<SessionError, SubscriptionInfo>> {
    const source = parseTarget(from);
    const to = parseTarget(target);
    if (E.isLeft(source)) return E.left(invalidArgument('from', source.left.message));
    if (E.isLeft(to)) return E.left(invalidArgument('target', to.left.message));
    if (!/^[A-Za-z0-9.!%*_+`'~-]+$/.test(event)) {
      return E.left(invalidArgument('event', `not an event package: ${event}`));
    }
    if (!Number.isInteger(expiresSec) || expiresSec < 1) {
      return E.left(invalidArgument('expiresSec', `must be a positive whole number, got ${expiresSec}`));
    }
    const sub: Subscription = {
      id: `subs-${this.ids.token(12)}`, target, event: { package: event.toLowerCase(), id: undefined },
      callId: this.ids.callId(), fromTag: this.ids.tag(), askedSec: expiresSec, dialog: undefined, subscribeSeq: 1,
      state: 'pending', grantedSec: 0, refresh: undefined, watchdog: undefined, fork: false, forkWindow: undefined,
    };
    this.subscriptions.set(sub.id, sub);
    this.usages.expect(sub.callId, sub.fromTag, (request, tx) => this.received(sub, request, tx));
    const outcome = await this.send({
      method: 'SUBSCRIBE', from: source.right, to: to.right, callId: sub.callId, fromTag: sub.fromTag,
      withContact: true, headers: [eventHeader(sub.event), { name: 'Expires', value: String(expiresSec) }],
    });
    if (outcome.kind !== 'Response' || outcome.response.status >= 300) {
      const status = outcome.kind === 'Response' ? outcome.response.status : 408;
      this.forget(sub);
      return E.left(rejected(status, outcome.kind === 'Response' ? outcome.response.reason : outcome.kind));
    }
    const cseq = getCSeq(outcome.response);
    if (E.isRight(cseq)) sub.subscribeSeq = cseq.right.seq;
    if (sub.dialog === undefined && this.subscriptions.has(sub.id)) {
      sub.watchdog = this.clock.schedule(this.noNotifyTimeoutMs, () => this.terminate(sub, 'timeout'));
    }
    return E.right(this.info(sub));
  }

  /** Ends our subscription: SUBSCRIBE with Expires 0; the notifier's final NOTIFY (or none) closes it. */
  async unsubscribe(id: string): Promise<E.Either<SessionError, void>> {
    const sub = this.subscriptions.get(id);
    if (sub === undefined) return E.left(sessionNotFound(id));
    if (sub.dialog === undefined) {
      this.terminate(sub, 'deactivated');
      return E.right(undefined);
    }
    const sent = this.usages.send(sub.dialog, 'SUBSCRIBE', {
      headers: [eventHeader(sub.event), { name: 'Expires', value: '0' }],
    });
    sub.dialog = sent.dialog;
    const outcome = await sent.outcome;
    // The terminated NOTIFY usually came first; if it did not (or will not), we end it here.
    if (outcome.kind !== 'Response' || outcome.response.status >= 300 || this.subscriptions.has(sub.id)) {
      this.terminate(sub, 'deactivated');
    }
    return E.right(undefined);
  }

  close(): void {
    for (const sub of [...this.subscriptions.values()]) {
      if (sub.dialog !== undefined) {
        void this.usages.send(sub.dialog, 'SUBSCRIBE', {
          headers: [eventHeader(sub.event), { name: 'Expires', value: '0' }],
        }).outcome;
      }
      this.terminate(sub, 'deactivated');
    }
  }

  private received(sub: Subscription, request: SipRequest, tx: ServerTransaction): void {
    const core = coreHeaders(request);
    const sender = E.isRight(core) ? core.right.from : undefined;
    const remoteTag = sender === undefined ? undefined : paramValue(sender.params, 'tag');
    if (request.method !== 'NOTIFY') return void tx.respond(buildResponse(request, 405));
    const event = eventOf(request);
    if (event === undefined || event.package !== sub.event.package) {
      return void tx.respond(buildResponse(request, 489));
    }
    if (sub.dialog === undefined) {
      const made = createUasDialog(request, sub.fromTag, 'Confirmed');
      if (E.isLeft(made)) return void tx.respond(buildResponse(request, 400, { reason: made.left.detail }));
      sub.dialog = { ...detachedDialog(made.right), localSeq: sub.subscribeSeq };
      this.usages.register(sub.dialog, (r, t) => this.received(sub, r, t));
      if (sub.watchdog !== undefined) this.clock.cancel(sub.watchdog);
      sub.watchdog = undefined;
      // Forks answer within a transaction's lifetime; after that the Call-ID route only costs memory.
      sub.forkWindow = this.clock.schedule(this.noNotifyTimeoutMs, () => {
        sub.forkWindow = undefined;
        this.usages.forget(sub.callId, sub.fromTag);
      });
    } else if (remoteTag !== sub.dialog.id.remoteTag) {
      // Another fork's NOTIFY (§4.1.2.4): a subscription of its own, with its own dialog and id.
      return this.forked(sub, request, tx);
    }
    void tx.respond(buildResponse(request, 200));
    const state = subscriptionStateOf(request);
    const contentType = headerValue(request, 'Content-Type');
    const body = request.body.length > 0 ? decodeUtf8(request.body) : '';
    const name = state?.state ?? 'active';
    this.events.publish({
      type: 'SubscriptionNotified', subscriptionId: sub.id, event: sub.event.package, state: name, body,
      ...(contentType === undefined ? {} : { contentType }),
    });
    if (state?.state === 'terminated') return this.terminate(sub, state.reason ?? 'noresource');
    sub.state = name === 'pending' ? 'pending' : 'active';
    if (state !== undefined && state.expiresSec > 0 && sub.refresh === undefined) this.schedule(sub, state.expiresSec);
  }

  private forked(first: Subscription, request: SipRequest, tx: ServerTransaction): void {
    const made = createUasDialog(request, first.fromTag, 'Confirmed');
    if (E.isLeft(made)) return void tx.respond(buildResponse(request, 400, { reason: made.left.detail }));
    const fork: Subscription = {
      ...first, id: `subs-${this.ids.token(12)}`,
      dialog: { ...detachedDialog(made.right), localSeq: first.subscribeSeq },
      state: 'pending', grantedSec: 0, refresh: undefined, watchdog: undefined, fork: true, forkWindow: undefined,
    };
    this.subscriptions.set(fork.id, fork);
    this.usages.register(fork.dialog!, (r, t) => this.received(fork, r, t));
    this.received(fork, request, tx);
  }

  private schedule(sub: Subscription, grantedSec: number): void {
    sub.grantedSec = grantedSec;
    if (sub.refresh !== undefined) this.clock.cancel(sub.refresh);
    sub.refresh = this.clock.schedule(refreshAfterSec(grantedSec) * 1000, () => {
      sub.refresh = undefined;
      void this.refresh(sub);
    });
  }

  private async refresh(sub: Subscription): Promise<void> {
    if (sub.dialog === undefined || !this.subscriptions.has(sub.id)) return;
    const sent = this.usages.send(sub.dialog, 'SUBSCRIBE', {
      headers: [eventHeader(sub.event), { name: 'Expires', value: String(sub.askedSec) }],
    });
    sub.dialog = sent.dialog;
    const outcome = await sent.outcome;
    if (!this.subscriptions.has(sub.id)) return;
    if (outcome.kind !== 'Response' || outcome.response.status >= 300) return this.terminate(sub, 'giveup');
    const granted = getExpires(outcome.response);
    this.schedule(sub, E.isRight(granted) && granted.right !== undefined ? granted.right : sub.askedSec);
  }

  private terminate(sub: Subscription, reason: string): void {
    if (!this.subscriptions.has(sub.id)) return;
    this.forget(sub);
    sub.state = 'terminated';
    this.events.publish({ type: 'SubscriptionTerminated', subscriptionId: sub.id, event: sub.event.package, reason });
  }

  private forget(sub: Subscription): void {
    this.subscriptions.delete(sub.id);
    if (!sub.fork) this.usages.forget(sub.callId, sub.fromTag);
    if (sub.dialog !== undefined) this.usages.unregister(sub.dialog);
    if (sub.refresh !== undefined) this.clock.cancel(sub.refresh);
    if (sub.watchdog !== undefined) this.clock.cancel(sub.watchdog);
    if (sub.forkWindow !== undefined) this.clock.cancel(sub.forkWindow);
    sub.refresh = undefined;
    sub.watchdog = undefined;
    sub.forkWindow = undefined;
  }

  private info(sub: Subscription): SubscriptionInfo {
    return {
      id: sub.id, target: sub.target, event: sub.event.package, state: sub.state,
      expiresSec: sub.state === 'terminated' ? 0 : sub.grantedSec,
    };
  }
}

