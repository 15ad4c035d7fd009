/** The offer/answer machine's states, events, effects and errors (the machine is in negotiation.ts). */
import type * as E from 'fp-ts/lib/Either.js';
import type { LocalMedia, NegotiatedAudio } from '../sdp/offer-answer.js';
import type { SessionDescription } from '../sdp/session-description.js';

export interface Agreement {
  readonly local: SessionDescription;
  readonly remote: SessionDescription;
  /** undefined when the terms could not be read (an application's own answer that fits no G.711 stream). */
  readonly negotiated: NegotiatedAudio | undefined;
}

export type Negotiation =
  | { readonly tag: 'Idle' }
  | { readonly tag: 'RemoteOffer'; readonly remote: SessionDescription }
  | {
    readonly tag: 'LocalOffer'; readonly local: SessionDescription; readonly answerIn: AnswerCarrier;
    readonly previous: Agreement | undefined;
  }
  /** Caller: a 1xx from early dialog `dialogTag` answered our offer; we listen (RFC 3960). */
  | {
    readonly tag: 'EarlyRemoteAnswer'; readonly agreement: Agreement; readonly offer: SessionDescription;
    readonly dialogTag: string;
  }
  /**
   * Caller: we answered an offer in early dialog `dialogTag` (a reliable 1xx's, in our PRACK, or an UPDATE's):
   * the terms are agreed, and we listen until that dialog's 2xx. `offer` is our INVITE's, if it had one.
   */
  | {
    readonly tag: 'EarlyAnswered'; readonly agreement: Agreement; readonly dialogTag: string;
    readonly offer: SessionDescription | undefined;
  }
  /** Callee: our answer went out in a 183; the 2xx repeats it (§13.2.1). */
  | { readonly tag: 'EarlyLocalAnswer'; readonly agreement: Agreement }
  | { readonly tag: 'Agreed'; readonly agreement: Agreement };

/** Where the answer to our offer comes: a response (2xx, reliable 1xx), the ACK, or the PRACK (RFC 3262 §5). */
export type AnswerCarrier = 'Response' | 'Ack' | 'Prack';

export type NegotiationEvent =
  /** The initial INVITE's offer, answered later (accept, or early media). */
  | { readonly tag: 'RemoteOffer'; readonly sdp: string }
  /** Our answer to the pending offer (in a 183 when `early`, else in the 2xx); repeating an early answer needs none. */
  | { readonly tag: 'LocalAnswer'; readonly answer?: AnswerSource; readonly early: boolean }
  /**
   * An offer answered at once: a re-INVITE or UPDATE, the 2xx of our delayed-offer INVITE, or — `early`, on
   * the caller's side — a reliable 1xx's (answered in the PRACK) or an UPDATE's in early dialog `dialogTag`.
   */
  | {
    readonly tag: 'RemoteOfferAnswered'; readonly sdp: string; readonly local: LocalMedia; readonly sessionId: string;
    readonly early?: { readonly dialogTag: string; readonly status: number };
  }
  /** Our offer: in the INVITE or a re-INVITE, in our 2xx (answer in the ACK) or a reliable 1xx (in the PRACK). */
  | { readonly tag: 'LocalOffer'; readonly offer: SessionDescription; readonly answerIn: AnswerCarrier }
  | { readonly tag: 'RemoteEarlyAnswer'; readonly sdp: string; readonly dialogTag: string; readonly status: number }
  /**
   * The answer to our offer in a 2xx (from dialog `dialogTag`), an ACK or a PRACK (empty when absent); after
   * an exchange finished in an early dialog, that dialog's 2xx, whose SDP (a repeat, or none) changes nothing.
   */
  | { readonly tag: 'RemoteAnswer'; readonly sdp: string; readonly dialogTag: string }
  /** Our re-offer was refused (non-2xx, timeout): the previous agreement stands. */
  | { readonly tag: 'LocalOfferFailed' };

/** Our answer: generated from our media, or the application's own SDP. */
export type AnswerSource =
  | { readonly kind: 'Generated'; readonly local: LocalMedia; readonly sessionId: string }
  | { readonly kind: 'Given'; readonly sdp: string };

export type NegotiationEffect =
  /** Point the media at the agreed terms (early answers already listen-only). */
  | { readonly tag: 'ApplyMedia'; readonly negotiated: NegotiatedAudio }
  | { readonly tag: 'EarlyMedia'; readonly status: number }
  /** The peer stopped (or resumed) sending to us (RFC 6337). */
  | { readonly tag: 'HoldChanged'; readonly onHold: boolean }
  | { readonly tag: 'Discarded'; readonly detail: string };

export interface NegotiationError {
  readonly kind: 'NegotiationError';
  readonly reason: 'BadSdp' | 'NotAcceptable' | 'NoAnswer' | 'OutOfOrder';
  readonly detail: string;
}

export type NegotiationStep = E.Either<NegotiationError, {
  readonly negotiation: Negotiation; readonly effects: ReadonlyArray<NegotiationEffect>;
}>;

