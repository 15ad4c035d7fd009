/**
 * SIP-specific event notification (RFC 6665) as pure values and decisions: the Event a request names,
 * Subscription-State, the expiry a notifier grants, when a subscriber refreshes, and when a package's
 * minimum interval lets the next NOTIFY go.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { SipHeader, SipMessage } from '../sip/message.js';
import { paramValue } from '../sip/params.js';
import { getEvent, getExpires, getSubscriptionState } from '../sip/typed-headers.js';

export interface EventId {
  /** The package, lowercased (`message-summary`, `presence`, `dialog`). */
  readonly package: string;
  /** The `id` parameter, when the subscription has one. */
  readonly id: string | undefined;
}

/** The Event a SUBSCRIBE or NOTIFY names, or undefined when it has none or it is malformed. */
export const eventOf = (message: SipMessage): EventId | undefined => {
  const event = getEvent(message);
  if (E.isLeft(event) || event.right === undefined) return undefined;
  return { package: event.right.value.toLowerCase(), id: paramValue(event.right.params, 'id') };
};

export const eventHeader = (event: EventId): SipHeader => ({
  name: 'Event', value: event.id === undefined ? event.package : `${event.package};id=${event.id}`,
});

export type TerminationReason = 'deactivated' | 'probation' | 'rejected' | 'timeout' | 'giveup' | 'noresource'
  | 'invariant';

export type SubscriptionState =
  | { readonly state: 'active' | 'pending'; readonly expiresSec: number }
  | { readonly state: 'terminated'; readonly reason: TerminationReason | undefined; readonly retryAfterSec?: number };

export const subscriptionStateHeader = (s: SubscriptionState): SipHeader => ({
  name: 'Subscription-State',
  value: s.state === 'terminated'
    ? ['terminated', ...(s.reason === undefined ? [] : [`reason=${s.reason}`]),
      ...(s.retryAfterSec === undefined ? [] : [`retry-after=${s.retryAfterSec}`])].join(';')
    : `${s.state};expires=${s.expiresSec}`,
});

const REASONS: ReadonlySet<string> = new Set(
  ['deactivated', 'probation', 'rejected', 'timeout', 'giveup', 'noresource', 'invariant'],
);

/** A NOTIFY's Subscription-State (RFC 6665 §8.2.3); an unknown state is taken as active (§8.2.3: extensions). */
export const subscriptionStateOf = (message: SipMessage): SubscriptionState | undefined => {
  const header = getSubscriptionState(message);
  if (E.isLeft(header) || header.right === undefined) return undefined;
  const { value, params } = header.right;
  const state = value.toLowerCase();
  if (state === 'terminated') {
    const reason = paramValue(params, 'reason')?.toLowerCase();
    const retry = Number(paramValue(params, 'retry-after'));
    return {
      state: 'terminated',
      reason: reason !== undefined && REASONS.has(reason) ? reason as TerminationReason : undefined,
      ...(Number.isInteger(retry) && retry >= 0 ? { retryAfterSec: retry } : {}),
    };
  }
  const expires = Number(paramValue(params, 'expires'));
  return { state: state === 'pending' ? 'pending' : 'active', expiresSec: Number.isInteger(expires) ? expires : 0 };
};

export interface ExpiryLimits {
  readonly minSec: number;
  readonly maxSec: number;
  readonly defaultSec: number;
}

/**
 * What a notifier grants a SUBSCRIBE (RFC 6665 §4.2.1.1): 0 to end it, the package's default when it asks
 * nothing, at most the maximum; below the minimum it is refused 423 with Min-Expires.
 */
export const grantedExpiry = (
  subscribe: SipMessage, limits: ExpiryLimits,
): { readonly kind: 'Grant'; readonly expiresSec: number } | { readonly kind: 'TooBrief'; readonly minSec: number } => {
  const asked = getExpires(subscribe);
  const requested = E.isRight(asked) && asked.right !== undefined ? asked.right : limits.defaultSec;
  if (requested === 0) return { kind: 'Grant', expiresSec: 0 };
  if (requested < limits.minSec) return { kind: 'TooBrief', minSec: limits.minSec };
  return { kind: 'Grant', expiresSec: Math.min(requested, limits.maxSec) };
};

/** When a subscriber refreshes: before the grant runs out, a little earlier for short ones. */
export const refreshAfterSec = (grantedSec: number): number =>
  Math.max(1, grantedSec - Math.min(32, Math.ceil(grantedSec / 3)));

/** How long a NOTIFY must wait for the package's minimum interval since the last one (0: it may go now). */
export const notifyDelayMs = (lastSentAtMs: number | undefined, nowMs: number, minIntervalMs: number): number =>
  lastSentAtMs === undefined ? 0 : Math.max(0, lastSentAtMs + minIntervalMs - nowMs);
