/**
 * Reliable provisional responses (RFC 3262): the 100rel option tag, RSeq and RAck, and the decisions a UAS
 * and a UAC make about them. Pure: timers and sending are the UA's.
 */
import * as E from 'fp-ts/lib/Either.js';
import { headerValues, type SipHeader, type SipMessage } from '../sip/message.js';
import { getRAck, getRSeq, getTokenList, type RAck } from '../sip/typed-headers.js';

export const OPTION_100REL = '100rel';

/** Our policy: never, when the peer supports it (or requires it), or always (we require it of the peer). */
export type ReliabilityPolicy = 'off' | 'supported' | 'required';

/** RSeq and the sequence number in RAck: 1 to 2^31 - 1 (RFC 3262 §7.1). */
export const MAX_RSEQ = 2 ** 31 - 1;

/** The option tags of every Supported (k) or Require line, lowercased; none when the header is malformed. */
const optionTags = (message: SipMessage, name: 'Supported' | 'Require'): string[] => {
  const tags = getTokenList(message, name);
  return E.isRight(tags) ? tags.right.map((tag) => tag.toLowerCase()) : [];
};

export const requires100rel = (message: SipMessage): boolean => optionTags(message, 'Require').includes(OPTION_100REL);

export const supports100rel = (message: SipMessage): boolean =>
  requires100rel(message) || optionTags(message, 'Supported').includes(OPTION_100REL);

const inRange = (n: number): boolean => n >= 1 && n <= MAX_RSEQ;

/** The RSeq of a reliable provisional response, when it has exactly one valid one. */
export const rseqOf = (message: SipMessage): number | undefined => {
  if (headerValues(message, 'RSeq').length !== 1) return undefined;
  const rseq = getRSeq(message);
  return E.isRight(rseq) && rseq.right !== undefined && inRange(rseq.right) ? rseq.right : undefined;
};

export type { RAck };

/** `RAck: 776656 1 INVITE` (RFC 3262 §7.2), or undefined when absent, repeated or malformed. */
export const rackOf = (message: SipMessage): RAck | undefined => {
  if (headerValues(message, 'RAck').length !== 1) return undefined;
  const rack = getRAck(message);
  return E.isRight(rack) && rack.right !== undefined && inRange(rack.right.rseq) ? rack.right : undefined;
};

export const rackHeader = (rack: RAck): SipHeader => ({
  name: 'RAck', value: `${rack.rseq} ${rack.cseq} ${rack.method}`,
});

/** What a UAS does with an INVITE, given our policy (RFC 3262 §3). */
export type UasReliability =
  /** Provisionals go reliably: the UAC required it, or we require it and it supports it. */
  | { readonly kind: 'Reliable' }
  /** Reliably only for provisionals that carry a session description (early media), unreliably otherwise. */
  | { readonly kind: 'ForEarlyMedia' }
  | { readonly kind: 'Unreliable' }
  /** Refuse: 420 (it requires 100rel, we have it off) or 421 (we require it, it does not support it). */
  | { readonly kind: 'Refuse'; readonly status: 420 | 421; readonly headers: ReadonlyArray<SipHeader> };

export const uasReliability = (invite: SipMessage, policy: ReliabilityPolicy): UasReliability => {
  const required = requires100rel(invite);
  const supported = supports100rel(invite);
  if (policy === 'off') {
    return required
      ? { kind: 'Refuse', status: 420, headers: [{ name: 'Unsupported', value: OPTION_100REL }] }
      : { kind: 'Unreliable' };
  }
  if (policy === 'required') {
    return supported
      ? { kind: 'Reliable' }
      : { kind: 'Refuse', status: 421, headers: [{ name: 'Require', value: OPTION_100REL }] };
  }
  return required ? { kind: 'Reliable' } : supported ? { kind: 'ForEarlyMedia' } : { kind: 'Unreliable' };
};

/** Whether a provisional (not 100) goes reliably under that decision. */
export const sendsReliably = (decision: UasReliability, status: number, hasBody: boolean): boolean =>
  status > 100 && status < 200
  && (decision.kind === 'Reliable' || (decision.kind === 'ForEarlyMedia' && hasBody));

/** The option tags a UAC's INVITE carries for 100rel: none, in Supported, or in Require. */
export const uacOptionTags = (
  policy: ReliabilityPolicy,
): { readonly supported: boolean; readonly required: boolean } => ({
  supported: policy !== 'off', required: policy === 'required',
});

/**
 * What a UAC does with a provisional that asks for a PRACK (Require: 100rel with an RSeq), given the last
 * RSeq it acknowledged in that early dialog (RFC 3262 §4): the next in order is acknowledged and passed on,
 * an old one is a retransmission and dropped, one that skips ahead is dropped until the gap is filled.
 */
export type UacProvisional =
  | { readonly kind: 'Unreliable' }
  | { readonly kind: 'Acknowledge'; readonly rseq: number }
  | { readonly kind: 'Retransmission' }
  | { readonly kind: 'OutOfOrder' };

export const uacProvisional = (response: SipMessage, lastRseq: number | undefined): UacProvisional => {
  if (!requires100rel(response)) return { kind: 'Unreliable' };
  const rseq = rseqOf(response);
  // A reliable provisional without a valid RSeq cannot be acknowledged: it is handled as unreliable.
  if (rseq === undefined) return { kind: 'Unreliable' };
  if (lastRseq === undefined || rseq === lastRseq + 1) return { kind: 'Acknowledge', rseq };
  return rseq <= lastRseq ? { kind: 'Retransmission' } : { kind: 'OutOfOrder' };
};

/**
 * When an unacknowledged reliable provisional's timer runs out, `elapsedMs` after it was first sent: resend
 * it and wait twice as long, or — 64·T1 gone (RFC 3262 §3) — give up on the INVITE with a 5xx.
 */
export const onRetransmitTimer = (
  t1Ms: number, elapsedMs: number, intervalMs: number,
): { readonly kind: 'Resend'; readonly nextIntervalMs: number } | { readonly kind: 'GiveUp' } =>
  elapsedMs >= 64 * t1Ms ? { kind: 'GiveUp' }
    // The last wait is cut short so the 5xx goes out at 64·T1, not up to twice that.
    : { kind: 'Resend', nextIntervalMs: Math.min(intervalMs * 2, 64 * t1Ms - elapsedMs) };
