import * as E from 'fp-ts/lib/Either.js';
import { createUasDialog, type Dialog } from '../../domain/dialog/dialog.js';
import {
  eventHeader, eventOf, grantedExpiry, notifyDelayMs, subscriptionStateHeader, type EventId, type ExpiryLimits,
  type SubscriptionState,
} from '../../domain/events/subscription.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import type { SipRequest } from '../../domain/sip/message.js';
import { encodeUtf8 } from '../../domain/sip/text-codec.js';
import type { Uri } from '../../domain/sip/uri.js';
import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { IdGenerator } from '../id-generator.js';
import { detachedString, ownString } from '../own-string.js';
import type { ServerTransaction } from '../transaction-layer.js';
import { detachedDialog, type DialogUsages } from '../ua/dialog-usages.js';
import type { Answer } from '../ua/invite-session.js';

/** One event package a notifier serves (RFC 6665 §7): its name, body, expiry limits and NOTIFY rate. */
export interface EventPackage<S = unknown> {
  readonly name: string;
  readonly contentType: string;
  readonly expiry: ExpiryLimits;
  /** The least time between two NOTIFYs of one subscription; changes in between are merged into one. */
  readonly minIntervalMs: number;
  /**
   * The NOTIFY body for a resource's state (undefined: a NOTIFY without body); `version` counts the bodies
   * this subscriber was sent before (RFC 4235's version).
   */
  body(resource: string, state: S | undefined, version: number): string | undefined;
}

/** Whether a subscriber may see a resource: now, after a decision (pending), or not at all. */
export type Authorization = 'active' | 'pending' | 'rejected';

interface Subscription {
  readonly id: string;
  dialog: Dialog;
  readonly event: EventId;
  readonly pkg: EventPackage;
  readonly resource: string;
  state: 'active' | 'pending';
  expiry: TimerHandle | undefined;
  expiresAtMs: number;
  lastSentAtMs: number | undefined;
  scheduled: TimerHandle | undefined;
  bodiesSent: number;
}

/** `user@host` of a request URI, lowercased: the resource a subscription watches. */
export const resourceOf = (uri: Uri): string =>
  (uri.kind === 'sip' ? `${uri.user === undefined ? '' : `${uri.user}@`}${uri.host}`.toLowerCase() : '');

/**
 * The notifier side of RFC 6665 for the packages it is given: a SUBSCRIBE outside a dialog makes a
 * subscription dialog (200, or 202 while pending; 489 for a package we do not serve, 423 below the minimum),
 * followed at once by a NOTIFY with the resource's state; refreshes and un-SUBSCRIBEs come in that dialog;
 * `publish` sends every subscriber of a resource its new state, no faster than the package allows; a lapsed
 * subscription gets its terminated NOTIFY and is gone.
 */
export class Notifier {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly watchers = new Map<string, Set<Subscription>>();
  private readonly states = new Map<string, unknown>();
  private readonly packages: ReadonlyMap<string, EventPackage>;

  constructor(
    packages: ReadonlyArray<EventPackage>,
    private readonly usages: DialogUsages,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly authorize: (request: SipRequest, resource: string) => Authorization | Promise<Authorization> =
      () => 'active',
    private readonly logger?: Logger,
    /** Told of each subscription accepted (for the application's events). */
    private readonly announce: (s: { id: string; event: string; resource: string; state: 'active' | 'pending' }) => void
      = () => undefined,
  ) {
    this.packages = new Map(packages.map((p) => [p.name, p]));
  }

  get packageNames(): ReadonlyArray<string> {
    return [...this.packages.keys()];
  }

  get count(): number {
    return this.subscriptions.size;
  }

  /** A SUBSCRIBE outside any dialog: the answer to send (with the To tag of the dialog it makes). */
  subscribe(request: SipRequest): Answer {
    const event = eventOf(request);
    const pkg = event === undefined ? undefined : this.packages.get(event.package);
    if (event === undefined || pkg === undefined) {
      return { status: 489, headers: [{ name: 'Allow-Events', value: this.packageNames.join(', ') }] };
    }
    const grant = grantedExpiry(request, pkg.expiry);
    if (grant.kind === 'TooBrief') {
      return { status: 423, headers: [{ name: 'Min-Expires', value: String(grant.minSec) }] };
    }
    const resource = ownString(resourceOf(request.uri));
    const verdict = this.authorize(request, resource);
    if (verdict === 'rejected') return { status: 403 };
    // A decision still to come: pending until then (§4.2.1.1 allows 202 and a pending NOTIFY).
    const authorization = typeof verdict === 'string' ? verdict : 'pending';
    const toTag = this.ids.tag();
    const dialog = createUasDialog(request, toTag, 'Confirmed');
    if (E.isLeft(dialog)) return { status: 400, reason: dialog.left.detail };
    const sub: Subscription = {
      id: `sub-${this.ids.token(12)}`, dialog: detachedDialog(dialog.right),
      event: { package: pkg.name, id: event.id === undefined ? undefined : detachedString(event.id) }, pkg, resource,
      state: authorization,
      expiry: undefined, expiresAtMs: 0, lastSentAtMs: undefined, scheduled: undefined, bodiesSent: 0,
    };
    this.subscriptions.set(sub.id, sub);
    this.watchersOf(pkg.name, resource).add(sub);
    this.usages.register(sub.dialog, (r, tx) => this.inDialog(sub, r, tx));
    this.extend(sub, grant.expiresSec);
    this.announce({ id: sub.id, event: pkg.name, resource, state: authorization });
    if (typeof verdict !== 'string') {
      void verdict.then((later) => this.decide(sub.id, later === 'active'), () => this.decide(sub.id, false));
    }
    // The NOTIFY follows the answer (§4.2.1.2): once the UA core has sent it.
    void Promise.resolve().then(() => (grant.expiresSec === 0 ? this.end(sub, 'timeout') : this.notify(sub)));
    return {
      status: authorization === 'pending' ? 202 : 200, toTag,
      headers: [{ name: 'Expires', value: String(grant.expiresSec) }, eventHeader(event)],
    };
  }

  /**
   * The new state of `resource` in `pkg`: every subscriber of it is told (at the package's pace). Undefined
   * means nothing to keep (an idle resource): the table only holds resources with a state.
   */
  publish(pkg: string, resource: string, state: unknown): void {
    if (state === undefined) this.states.delete(`${pkg} ${resource}`);
    else this.states.set(`${pkg} ${resource}`, state);
    for (const sub of this.watchers.get(`${pkg} ${resource}`) ?? []) this.notify(sub);
  }

  /** Lets a pending subscription see the resource (or ends it when `allowed` is false). */
  decide(subscriptionId: string, allowed: boolean): boolean {
    const sub = this.subscriptions.get(subscriptionId);
    if (sub === undefined) return false;
    if (!allowed) {
      this.end(sub, 'rejected');
      return true;
    }
    sub.state = 'active';
    this.notify(sub);
    return true;
  }

  /** Ends every subscription with a terminated NOTIFY (reason deactivated: the subscriber may come back). */
  close(): void {
    for (const sub of [...this.subscriptions.values()]) this.end(sub, 'deactivated');
  }

  private inDialog(sub: Subscription, request: SipRequest, tx: ServerTransaction): void {
    if (request.method !== 'SUBSCRIBE') return void tx.respond(buildResponse(request, 405));
    const grant = grantedExpiry(request, sub.pkg.expiry);
    if (grant.kind === 'TooBrief') {
      return void tx.respond(buildResponse(request, 423, {
        headers: [{ name: 'Min-Expires', value: String(grant.minSec) }],
      }));
    }
    void tx.respond(buildResponse(request, 200, { headers: [{ name: 'Expires', value: String(grant.expiresSec) }] }));
    if (grant.expiresSec === 0) return this.end(sub, 'timeout');
    this.extend(sub, grant.expiresSec);
    // A refresh gets a NOTIFY with the current state (§4.2.1.2), at the package's pace.
    this.notify(sub);
  }

  private extend(sub: Subscription, seconds: number): void {
    if (sub.expiry !== undefined) this.clock.cancel(sub.expiry);
    sub.expiresAtMs = this.clock.nowMs() + seconds * 1000;
    sub.expiry = seconds === 0 ? undefined : this.clock.schedule(seconds * 1000, () => this.end(sub, 'timeout'));
  }

  /** Sends the current state now, or once the package's minimum interval has passed. */
  private notify(sub: Subscription): void {
    if (!this.subscriptions.has(sub.id) || sub.scheduled !== undefined) return;
    const wait = notifyDelayMs(sub.lastSentAtMs, this.clock.nowMs(), sub.pkg.minIntervalMs);
    if (wait > 0) {
      sub.scheduled = this.clock.schedule(wait, () => {
        sub.scheduled = undefined;
        this.notify(sub);
      });
      return;
    }
    const remaining = Math.max(0, Math.round((sub.expiresAtMs - this.clock.nowMs()) / 1000));
    this.send(sub, { state: sub.state, expiresSec: remaining });
  }

  private send(sub: Subscription, state: SubscriptionState): void {
    sub.lastSentAtMs = this.clock.nowMs();
    // A pending subscription learns nothing of the resource (§4.2.1.2).
    const body = state.state === 'active'
      ? sub.pkg.body(sub.resource, this.states.get(`${sub.pkg.name} ${sub.resource}`), sub.bodiesSent) : undefined;
    if (body !== undefined) sub.bodiesSent++;
    const sent = this.usages.send(sub.dialog, 'NOTIFY', {
      headers: [eventHeader(sub.event), subscriptionStateHeader(state)],
      ...(body === undefined ? {} : { body: encodeUtf8(body), contentType: sub.pkg.contentType }),
    });
    sub.dialog = sent.dialog;
    void sent.outcome.then((outcome) => {
      // §4.2.2: a NOTIFY refused as unknown (481) or never answered ends the subscription.
      const failed = outcome.kind !== 'Response' || outcome.response.status === 481 || outcome.response.status >= 500;
      if (failed && state.state !== 'terminated' && this.subscriptions.has(sub.id)) this.forget(sub);
    });
  }

  private end(sub: Subscription, reason: 'timeout' | 'deactivated' | 'rejected' | 'noresource'): void {
    if (!this.subscriptions.has(sub.id)) return;
    if (sub.scheduled !== undefined) this.clock.cancel(sub.scheduled);
    sub.scheduled = undefined;
    this.send(sub, { state: 'terminated', reason });
    this.forget(sub);
  }

  private forget(sub: Subscription): void {
    if (sub.expiry !== undefined) this.clock.cancel(sub.expiry);
    if (sub.scheduled !== undefined) this.clock.cancel(sub.scheduled);
    this.subscriptions.delete(sub.id);
    const key = `${sub.pkg.name} ${sub.resource}`;
    const set = this.watchers.get(key);
    set?.delete(sub);
    if (set?.size === 0) this.watchers.delete(key);
    this.usages.unregister(sub.dialog);
    this.logger?.debug('subscription ended', { subscription: sub.id });
  }

  private watchersOf(pkg: string, resource: string): Set<Subscription> {
    const key = `${pkg} ${resource}`;
    let set = this.watchers.get(key);
    if (set === undefined) {
      set = new Set();
      this.watchers.set(key, set);
    }
    return set;
  }
}

