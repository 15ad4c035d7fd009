/**
 * Session timers (RFC 4028): what interval and refresher a request or 2xx
 * sets, and when a refresh or the end is due. `refresher` is relative to the
 * transaction that negotiated it: `uac` is whoever sent that request.
 */
import * as E from 'fp-ts/lib/Either.js';
import { HEADER } from '../sip/header-names.js';
import type { SipHeader, SipMessage, SipRequest, SipResponse } from '../sip/message.js';
import { getMinSE, getSessionExpires, getTokenList } from '../sip/typed-headers.js';

export type Refresher = 'uac' | 'uas';

/** Our smallest acceptable interval: RFC 4028 §5's minimum of 90 s. */
export const MIN_SE = 90;

/** The interval we ask for when we place a call (RFC 4028 §4 recommends 1800 s). */
export const DEFAULT_SESSION_EXPIRES = 1800;

const supportsTimer = (request: SipMessage): boolean =>
  [HEADER.Supported, HEADER.Require].some((header) => {
    const tokens = getTokenList(request, header);
    return E.isRight(tokens) && tokens.right.some((token) => token.toLowerCase() === 'timer');
  });

/** Whether a peer's Allow (in its INVITE or 2xx) lists UPDATE, the refresh RFC 4028 §10 prefers. */
export const allowsUpdate = (message: SipMessage): boolean => {
  const allow = getTokenList(message, HEADER.Allow);
  return E.isRight(allow) && allow.right.some((method) => method.toUpperCase() === 'UPDATE');
};

/** How a UAS answers a request that may carry Session-Expires (§9). */
export type UasTimerDecision =
  | { readonly kind: 'None' }
  | { readonly kind: 'TooSmall'; readonly minSe: number }
  | {
    readonly kind: 'Run'; readonly intervalSec: number; readonly refresher: Refresher; readonly requireTimer: boolean;
  };

/**
 * §9: no Session-Expires, no timer. One below our Min-SE is refused with 422
 * when the UAC understands timers, and raised to Min-SE when it does not (an
 * element on the path added it). The refresher is the request's choice, else
 * the UAC when it supports timers, else us; `Require: timer` goes in the 2xx
 * when the UAC must refresh.
 */
export const uasTimerDecision = (request: SipRequest, minSe = MIN_SE): UasTimerDecision => {
  const se = getSessionExpires(request);
  if (E.isLeft(se) || se.right === undefined) return { kind: 'None' };
  const uacSupports = supportsTimer(request);
  if (se.right.seconds < minSe && uacSupports) return { kind: 'TooSmall', minSe };
  const refresher = se.right.refresher ?? (uacSupports ? 'uac' : 'uas');
  return { kind: 'Run', intervalSec: Math.max(se.right.seconds, minSe), refresher, requireTimer: refresher === 'uac' };
};

/** Session-Expires (and Require: timer when the UAC refreshes) for a 2xx that runs the timer. */
export const timerResponseHeaders = (decision: Extract<UasTimerDecision, { kind: 'Run' }>): SipHeader[] => [
  { name: HEADER.SessionExpires, value: `${decision.intervalSec};refresher=${decision.refresher}` },
  ...(decision.requireTimer ? [{ name: HEADER.Require, value: 'timer' }] : []),
];

/**
 * §7.2: the timer a 2xx to our request sets; none without Session-Expires.
 * A 2xx that names no refresher leaves it to us.
 */
export const timerFrom2xx = (
  response: SipResponse,
): { readonly intervalSec: number; readonly refresher: Refresher } | undefined => {
  const se = getSessionExpires(response);
  if (E.isLeft(se) || se.right === undefined || se.right.seconds === 0) return undefined;
  return { intervalSec: se.right.seconds, refresher: se.right.refresher ?? 'uac' };
};

/** §7.3: the interval to ask for after a 422, from its Min-SE, if it is above what we asked. */
export const intervalAfter422 = (response: SipResponse, askedSec: number): number | undefined => {
  const min = getMinSE(response);
  return E.isRight(min) && min.right !== undefined && min.right > askedSec ? min.right : undefined;
};

/** §10: the refresher refreshes halfway through the interval. */
export const refreshDueSec = (intervalSec: number): number => intervalSec / 2;

/** §10: without a refresh, the session ends this long after the last one (BYE), before the interval runs out. */
export const expiryDueSec = (intervalSec: number): number => intervalSec - Math.min(32, intervalSec / 3);
