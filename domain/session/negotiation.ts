/**
 * A call's offer/answer exchange (RFC 3264, with where RFC 3261 §13.2.1 lets
 * offers and answers travel, RFC 3960 early answers and RFC 6337 hold) as a
 * pure machine: `(negotiation, event) → Either<refusal, step>`.
 *
 *   Idle ─RemoteOffer→ RemoteOffer ─LocalAnswer(early)→ EarlyLocalAnswer ─LocalAnswer→ Agreed
 *     │                     └──────────LocalAnswer─────────────────────────────────→ Agreed
 *     ├─LocalOffer→ LocalOffer ─RemoteEarlyAnswer→ EarlyRemoteAnswer ─RemoteAnswer→ Agreed
 *     │                 └──────────RemoteAnswer (2xx, or ACK)──────────────────────→ Agreed
 *     └─RemoteOfferAnswered (delayed offer in a 2xx)────────────────────────────────→ Agreed
 *   Agreed ─LocalOffer (re-INVITE, or our offer for an offerless one)→ LocalOffer ─LocalOfferFailed→ Agreed
 *   Agreed ─RemoteOfferAnswered (re-INVITE / UPDATE with an offer)→ Agreed
 *
 * In an early dialog with reliable provisionals (RFC 3262 §5, RFC 6337 §2): the callee's offer in a reliable
 * 1xx is answered in the PRACK (LocalOffer answerIn 'Prack' on its side; RemoteOfferAnswered `early` →
 * EarlyAnswered on the caller's, which listens until that dialog's 2xx), and PRACKs or UPDATEs (RFC 3311)
 * carry further offers, answered at once.
 *
 * The machine owns SDP decisions: it parses what the peer sent, answers,
 * reads answers, and says what the media must do (effects). Our port, codecs
 * and a fresh session id come in the events: they are I/O and randomness.
 * An offer while another is pending is OutOfOrder (RFC 3264 §4).
 */
import * as E from 'fp-ts/lib/Either.js';
import { absurd } from 'fp-ts/lib/function.js';
import {
  createAnswer, processAnswer, readOwnAnswer, type LocalMedia, type NegotiatedAudio, type SdpIdentity,
} from '../sdp/offer-answer.js';
import { parseSdp } from '../sdp/parse-sdp.js';
import { directionOf, type Direction, type SessionDescription } from '../sdp/session-description.js';
import type {
  Agreement, Negotiation, NegotiationEffect, NegotiationError, NegotiationEvent, NegotiationStep,
} from './negotiation-state.js';

export type {
  Agreement, AnswerCarrier, AnswerSource, Negotiation, NegotiationEffect, NegotiationError, NegotiationEvent,
  NegotiationStep,
} from './negotiation-state.js';

export const idleNegotiation: Negotiation = { tag: 'Idle' };

/** The negotiation in one of its states, for the handlers. */
type In<Tag extends Negotiation['tag']> = Extract<Negotiation, { readonly tag: Tag }>;
type EventOf<Tag extends NegotiationEvent['tag']> = Extract<NegotiationEvent, { readonly tag: Tag }>;
/** The peer's answer and what it agrees to. */
type Terms = { readonly remote: SessionDescription; readonly negotiated: NegotiatedAudio };

const refuse = (reason: NegotiationError['reason'], detail: string): NegotiationStep =>
  E.left({ kind: 'NegotiationError', reason, detail });

const outOfOrder = (n: Negotiation, event: NegotiationEvent): NegotiationStep =>
  refuse('OutOfOrder', `${event.tag} while the offer/answer exchange is in ${n.tag}`);

const to = (negotiation: Negotiation, ...effects: ReadonlyArray<NegotiationEffect>): NegotiationStep =>
  E.right({ negotiation, effects });

/** E.chain, written out: fp-ts's data-first/data-last dispatch costs more than the step itself on this path. */
const then = <A, B>(
  fa: E.Either<NegotiationError, A>, f: (a: A) => E.Either<NegotiationError, B>,
): E.Either<NegotiationError, B> => (E.isLeft(fa) ? fa : f(fa.right));

const parse = (sdp: string): E.Either<NegotiationError, SessionDescription> => {
  const parsed = parseSdp(sdp);
  return E.isRight(parsed) ? parsed : E.left(
    { kind: 'NegotiationError', reason: 'BadSdp', detail: `bad SDP: ${parsed.left.detail}` },
  );
};

/** Our current agreement, if the exchange ever completed. */
export const agreementOf = (n: Negotiation): Agreement | undefined => {
  switch (n.tag) {
    case 'Agreed':
    case 'EarlyLocalAnswer':
    case 'EarlyRemoteAnswer':
    case 'EarlyAnswered': return n.agreement;
    case 'LocalOffer': return n.previous;
    default: return undefined;
  }
};

/** Our latest session description (an offer still pending included). */
export const localDescription = (n: Negotiation): SessionDescription | undefined =>
  n.tag === 'LocalOffer' ? n.local : agreementOf(n)?.local;

export const remoteDescription = (n: Negotiation): SessionDescription | undefined =>
  n.tag === 'RemoteOffer' ? n.remote : agreementOf(n)?.remote;

/** The identity of our next description: o= version + 1 in a session that has one (RFC 3264 §8), else new. */
const identityAfter = (n: Negotiation, sessionId: string): SdpIdentity => {
  const previous = localDescription(n)?.origin;
  return previous === undefined
    ? { username: '-', sessionId, sessionVersion: '1' }
    : {
      username: previous.username, sessionId: previous.sessionId,
      sessionVersion: (BigInt(previous.sessionVersion) + 1n).toString(),
    };
};

/** Whether the peer holds us (RFC 6337): it takes nothing from us, so our direction has no sending. */
const peerHolds = (negotiated: NegotiatedAudio | undefined): boolean =>
  negotiated !== undefined && (negotiated.direction === 'recvonly' || negotiated.direction === 'inactive');

/** Our direction with sending taken out: early media is listened to, not talked into. */
export const listenOnly = (direction: Direction): Direction =>
  (direction === 'sendrecv' || direction === 'recvonly' ? 'recvonly' : 'inactive');

export const stepNegotiation = (n: Negotiation, event: NegotiationEvent): NegotiationStep => {
  switch (n.tag) {
    case 'Idle': return onIdle(n, event);
    case 'RemoteOffer': return onRemoteOffer(n, event);
    case 'LocalOffer': return onLocalOffer(n, event);
    case 'EarlyRemoteAnswer': return onEarlyRemoteAnswer(n, event);
    case 'EarlyLocalAnswer': return onEarlyLocalAnswer(n, event);
    case 'EarlyAnswered': return onEarlyAnswered(n, event);
    case 'Agreed': return onAgreed(n, event);
    default: return absurd(n);
  }
};

const onIdle = (n: In<'Idle'>, event: NegotiationEvent): NegotiationStep => {
  switch (event.tag) {
    case 'RemoteOffer': return then(parse(event.sdp), (remote) => to({ tag: 'RemoteOffer', remote }));
    case 'LocalOffer': return to({
      tag: 'LocalOffer', local: event.offer, answerIn: event.answerIn, previous: undefined,
    });
    case 'RemoteOfferAnswered': return answerAtOnce(n, undefined, event, undefined);
    default: return outOfOrder(n, event);
  }
};

const onRemoteOffer = (n: In<'RemoteOffer'>, event: NegotiationEvent): NegotiationStep => {
  if (event.tag !== 'LocalAnswer') return outOfOrder(n, event);
  const source = event.answer;
  if (source === undefined) return refuse('NoAnswer', 'no answer to the offer was given');
  const agreed = source.kind === 'Generated' ? generatedAnswer(n, source) : givenAnswer(
    n.remote, source.sdp, event.early,
  );
  return then(agreed, (agreement) => {
    const media: NegotiationEffect[] = agreement.negotiated === undefined ? [] : [
      { tag: 'ApplyMedia', negotiated: agreement.negotiated },
    ];
    return to(event.early ? { tag: 'EarlyLocalAnswer', agreement } : { tag: 'Agreed', agreement }, ...media);
  });
};

const generatedAnswer = (
  n: In<'RemoteOffer'>, event: { readonly local: LocalMedia; readonly sessionId: string },
): E.Either<NegotiationError, Agreement> => {
  const answered = createAnswer(n.remote, event.local, identityAfter(n, event.sessionId));
  if (E.isLeft(answered)) return E.left(
    { kind: 'NegotiationError', reason: 'NotAcceptable', detail: answered.left.detail },
  );
  return E.right({ local: answered.right.answer, remote: n.remote, negotiated: answered.right.negotiated });
};

/**
 * The application's own answer. Early media needs terms it can play, so an
 * answer that fits no G.711 stream is refused there; a final answer is sent
 * as given, with no media of ours behind it.
 */
const givenAnswer = (
  remote: SessionDescription, given: string, early: boolean,
): E.Either<NegotiationError, Agreement> =>
  then(parse(given), (local): E.Either<NegotiationError, Agreement> => {
    const terms = readOwnAnswer(remote, local);
    if (E.isRight(terms)) return E.right({ local, remote, negotiated: terms.right });
    return early
      ? E.left({
        kind: 'NegotiationError', reason: 'NotAcceptable',
        detail: `the given answer does not fit the offer: ${terms.left.detail}`,
      })
      : E.right({ local, remote, negotiated: undefined });
  });

/**
 * Their offer, answered in the same step; a change in whether they send to us is reported. In an early dialog
 * the caller only listens (early media) and the call's 2xx is still to come; `offer` is its INVITE's, if any.
 */
const answerAtOnce = (
  n: Negotiation, previous: Agreement | undefined, event: EventOf<'RemoteOfferAnswered'>,
  offer: SessionDescription | undefined,
): NegotiationStep => then(parse(event.sdp), (remote) => {
  const answered = createAnswer(remote, event.local, identityAfter(n, event.sessionId));
  if (E.isLeft(answered)) return refuse('NotAcceptable', answered.left.detail);
  const { answer, negotiated } = answered.right;
  const agreement: Agreement = { local: answer, remote, negotiated };
  const early = event.early;
  if (early !== undefined) {
    const listening = { ...negotiated, direction: listenOnly(negotiated.direction) };
    const next: Negotiation = { tag: 'EarlyAnswered', agreement, dialogTag: early.dialogTag, offer };
    const heard = n.tag === 'EarlyAnswered' || n.tag === 'EarlyRemoteAnswer';
    return heard ? to(next, { tag: 'ApplyMedia', negotiated: listening })
      : to(next, { tag: 'ApplyMedia', negotiated: listening }, { tag: 'EarlyMedia', status: early.status });
  }
  const effects: NegotiationEffect[] = [{ tag: 'ApplyMedia', negotiated }];
  if (previous !== undefined && peerHolds(previous.negotiated) !== theyHold(remote)) {
    effects.push({ tag: 'HoldChanged', onHold: theyHold(remote) });
  }
  return to({ tag: 'Agreed', agreement }, ...effects);
});

/** An offer that holds us: sendonly or inactive, so the offerer takes no audio from us (RFC 6337 §5.3). */
const theyHold = (offer: SessionDescription): boolean => {
  const audio = offer.media[0];
  const direction = audio === undefined ? 'sendrecv' : directionOf(offer, audio);
  return direction === 'sendonly' || direction === 'inactive';
};

const onLocalOffer = (n: In<'LocalOffer'>, event: NegotiationEvent): NegotiationStep => {
  switch (event.tag) {
    case 'RemoteEarlyAnswer':
      return n.answerIn === 'Response' && n.previous === undefined ? earlyAnswer(n, n.local, event) : outOfOrder(
        n, event,
      );
    case 'RemoteAnswer': return finalAnswer(n, event.sdp);
    case 'LocalOfferFailed':
      return n.previous === undefined ? outOfOrder(n, event) : to({ tag: 'Agreed', agreement: n.previous });
    default: return outOfOrder(n, event);
  }
};

const onEarlyRemoteAnswer = (n: In<'EarlyRemoteAnswer'>, event: NegotiationEvent): NegotiationStep => {
  switch (event.tag) {
    case 'RemoteEarlyAnswer': return earlyAnswer(n, n.offer, event);
    // The callee's UPDATE in the early dialog (RFC 3311 §5.1), once its reliable 1xx answered our offer.
    case 'RemoteOfferAnswered':
      return event.early === undefined ? outOfOrder(n, event) : answerAtOnce(n, n.agreement, event, n.offer);
    case 'RemoteAnswer': {
      // §13.2.1 wants the 2xx to repeat the 1xx's answer; some servers leave it out: the 1xx's answer stands.
      if (event.sdp.length > 0 || event.dialogTag !== n.dialogTag) return finalAnswer(
        { local: n.offer, answerIn: 'Response', previous: undefined }, event.sdp,
      );
      const negotiated = processAnswer(n.offer, n.agreement.remote);
      if (E.isLeft(negotiated)) return refuse('NotAcceptable', negotiated.left.detail);
      return to(
        { tag: 'Agreed', agreement: { ...n.agreement, negotiated: negotiated.right } },
        { tag: 'ApplyMedia', negotiated: negotiated.right },
      );
    }
    default: return outOfOrder(n, event);
  }
};

/**
 * A 1xx answering our offer. An unusable SDP is ignored (the 2xx decides);
 * the same terms again from the same early dialog change nothing; with
 * several forks the latest one is heard.
 */
const earlyAnswer = (
  n: Negotiation, offer: SessionDescription, event: EventOf<'RemoteEarlyAnswer'>,
): NegotiationStep => {
  const read = readAnswer(offer, event.sdp, 'the provisional response carried no SDP');
  if (E.isLeft(read)) return to(
    n, { tag: 'Discarded', detail: `unusable SDP in a ${event.status}: ${read.left.detail}` },
  );
  const { remote, negotiated } = read.right;
  const heard = n.tag === 'EarlyRemoteAnswer' ? n.agreement.negotiated : undefined;
  const same = n.tag === 'EarlyRemoteAnswer' && n.dialogTag === event.dialogTag && heard !== undefined
    && heard.remoteAddress === negotiated.remoteAddress && heard.remotePort === negotiated.remotePort
    && heard.payloadType === negotiated.payloadType;
  const listening = { ...negotiated, direction: listenOnly(negotiated.direction) };
  const agreement: Agreement = { local: offer, remote, negotiated: same ? heard : listening };
  const next: Negotiation = { tag: 'EarlyRemoteAnswer', agreement, offer, dialogTag: event.dialogTag };
  return same ? to(next) : to(
    next, { tag: 'ApplyMedia', negotiated: listening }, { tag: 'EarlyMedia', status: event.status },
  );
};

/** The answer to our offer, in a 2xx or an ACK (RFC 3264 §7). */
const finalAnswer = (n: Pick<In<'LocalOffer'>, 'local' | 'answerIn' | 'previous'>, sdp: string): NegotiationStep => {
  const carrier = n.answerIn === 'Ack' ? 'ACK' : n.answerIn === 'Prack' ? 'PRACK' : '2xx';
  const missing = `the ${carrier} carried no answer to our offer`;
  return then(readAnswer(n.local, sdp, missing), ({ remote, negotiated }: Terms) => {
    const effects: NegotiationEffect[] = [{ tag: 'ApplyMedia', negotiated }];
    // An answer to our offer for an offerless re-INVITE may hold us, as an offer would (RFC 6337 §5.3).
    if (n.answerIn === 'Ack' && n.previous !== undefined && peerHolds(n.previous.negotiated) !== peerHolds(
      negotiated,
    )) {
      effects.push({ tag: 'HoldChanged', onHold: peerHolds(negotiated) });
    }
    return to({ tag: 'Agreed', agreement: { local: n.local, remote, negotiated } }, ...effects);
  });
};

const readAnswer = (offer: SessionDescription, sdp: string, missing: string) => {
  const none: NegotiationError = { kind: 'NegotiationError', reason: 'NoAnswer', detail: missing };
  if (sdp.length === 0) return E.left<NegotiationError, Terms>(none);
  return then(parse(sdp), (remote): E.Either<NegotiationError, Terms> => {
    const negotiated = processAnswer(offer, remote);
    return E.isLeft(negotiated)
      ? E.left({ kind: 'NegotiationError', reason: 'NotAcceptable', detail: negotiated.left.detail })
      : E.right({ remote, negotiated: negotiated.right });
  });
};

const onEarlyLocalAnswer = (n: In<'EarlyLocalAnswer'>, event: NegotiationEvent): NegotiationStep => {
  // A PRACK or UPDATE with a new offer (RFC 6337 §2.1), once our reliable 183 answered the INVITE's.
  if (event.tag === 'RemoteOfferAnswered' && event.early === undefined) {
    return answerAtOnce(n, n.agreement, event, undefined);
  }
  if (event.tag !== 'LocalAnswer') return outOfOrder(n, event);
  // The 183 again, or the 2xx repeating the 183's answer; the media already runs on it.
  return to(event.early ? n : { tag: 'Agreed', agreement: n.agreement });
};

const onAgreed = (n: In<'Agreed'>, event: NegotiationEvent): NegotiationStep => {
  switch (event.tag) {
    case 'LocalOffer': return to({
      tag: 'LocalOffer', local: event.offer, answerIn: event.answerIn, previous: n.agreement,
    });
    case 'RemoteOfferAnswered': return answerAtOnce(n, n.agreement, event, undefined);
    default: return outOfOrder(n, event);
  }
};

/** The same description again: same o= session and version (RFC 3264 §8), so no new offer. */
const sameVersion = (sdp: string, earlier: SessionDescription): boolean => {
  const parsed = parseSdp(sdp);
  return E.isRight(parsed) && parsed.right.origin.sessionId === earlier.origin.sessionId
    && parsed.right.origin.sessionVersion === earlier.origin.sessionVersion;
};

const onEarlyAnswered = (n: In<'EarlyAnswered'>, event: NegotiationEvent): NegotiationStep => {
  switch (event.tag) {
    case 'RemoteOfferAnswered': {
      // A later reliable 1xx repeating the offer we answered is no new offer (RFC 6337 §3.1.1): nothing to do.
      const repeat = event.early?.dialogTag === n.dialogTag && sameVersion(event.sdp, n.agreement.remote);
      // Another fork's, or a new version: answered at once; a 2xx's (a fork offering in it) is as in Idle.
      return repeat ? to(n) : answerAtOnce(n, undefined, event, n.offer);
    }
    case 'RemoteAnswer': {
      if (event.dialogTag !== n.dialogTag) {
        // Another fork answered our INVITE's offer in its 2xx.
        return n.offer === undefined ? refuse('NoAnswer', `a 2xx from another fork (${event.dialogTag}) had no offer`)
          : finalAnswer({ local: n.offer, answerIn: 'Response', previous: undefined }, event.sdp);
      }
      const effects = applyAgreed(n.agreement);
      // §13.2.1: once the exchange is complete, a 2xx may only repeat it; a different SDP is not an offer.
      if (event.sdp.length > 0 && !sameVersion(event.sdp, n.agreement.remote)) {
        effects.push({ tag: 'Discarded', detail: 'a 2xx changed the SDP agreed in the early dialog' });
      }
      return to({ tag: 'Agreed', agreement: n.agreement }, ...effects);
    }
    default: return outOfOrder(n, event);
  }
};

const applyAgreed = (agreement: Agreement): NegotiationEffect[] =>
  agreement.negotiated === undefined ? [] : [{ tag: 'ApplyMedia', negotiated: agreement.negotiated }];
