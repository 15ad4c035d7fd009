/**
 * The implicit subscription a REFER makes (RFC 3515 §2.4.4–§2.4.6, RFC 4488) in the event framework's terms:
 * the `refer` package, its `id` (the REFER's CSeq number), how long it lasts, and what each NOTIFY says.
 */
import { headerValue, type SipHeader, type SipMessage } from '../sip/message.js';
import type { EventId, ExpiryLimits, SubscriptionState } from './subscription.js';

export const REFER_PACKAGE = 'refer';

/**
 * The notifier's grant for a REFER's subscription: long enough for a call that is still ringing (the
 * transferor refreshes it with SUBSCRIBE when it must last longer), at most an hour.
 */
export const REFER_EXPIRY: ExpiryLimits = { minSec: 1, maxSec: 3600, defaultSec: 180 };

/** Progress NOTIFYs closer than this are merged into one; the final one always goes (at most this late). */
export const REFER_MIN_INTERVAL_MS = 200;

/** RFC 3515 §2.4.6: a REFER's subscription is told apart by the REFER's CSeq number. */
export const referEvent = (referSeq: number): EventId => ({ package: REFER_PACKAGE, id: String(referSeq) });

/** RFC 4488: `Refer-Sub: false` asks for no subscription (and no NOTIFY) at all. */
export const wantsReferSubscription = (refer: SipMessage): boolean =>
  headerValue(refer, 'Refer-Sub')?.trim().toLowerCase() !== 'false';

/** The 2xx to a REFER asking for no subscription says it made none (RFC 4488 §4). */
export const NO_REFER_SUBSCRIPTION: SipHeader = { name: 'Refer-Sub', value: 'false' };

/**
 * Whether a NOTIFY about `event` belongs to the REFER subscription `ours`: same package, and the same id —
 * or no id at all, which a peer that sent one REFER may leave out (RFC 3515 §2.4.6 asks for it only when
 * there are several).
 */
export const isReferNotify = (event: EventId | undefined, ours: EventId): boolean =>
  event !== undefined && event.package === REFER_PACKAGE && (event.id === undefined || event.id === ours.id);

/**
 * The Subscription-State of a progress NOTIFY: active until the new call's final status, then terminated
 * (noresource: the referenced call is over, RFC 3515 §2.4.7); a lapsed grant ends it with timeout.
 */
export const referState = (final: boolean, remainingSec: number): SubscriptionState => (
  final ? { state: 'terminated', reason: 'noresource' }
    : remainingSec <= 0 ? { state: 'terminated', reason: 'timeout' }
      : { state: 'active', expiresSec: remainingSec }
);
