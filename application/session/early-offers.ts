import * as E from 'fp-ts/lib/Either.js';
import { rejectingAnswer } from '../../domain/sdp/offer-answer.js';
import { parseSdp } from '../../domain/sdp/parse-sdp.js';
import type { SessionDescription } from '../../domain/sdp/session-description.js';
import { localDescription, type Negotiation, type NegotiationError } from '../../domain/session/negotiation.js';
import type { SipRequest, SipResponse } from '../../domain/sip/message.js';
import { decodeUtf8, encodeUtf8 } from '../../domain/sip/text-codec.js';
import type { Logger } from '../../ports/logger.js';
import type { Answer } from '../ua/invite-session.js';
import type { CallAnswering } from './call-answering.js';
import type { MediaNegotiator } from './media-negotiator.js';
import { SDP, sdpText } from './sdp-text.js';
import type { SessionRecord } from './session-record.js';

const OK: Answer = { status: 200 };
/** Our own offer awaits its answer (RFC 3264 §4: one offer at a time, glare). */
const GLARE: Answer = { status: 491 };
/** No offer is allowed here yet (RFC 3311 §5.2: the initial exchange is unfinished); the peer may retry. */
const TOO_EARLY: Answer = { status: 500, reason: 'Offer Before The Initial Exchange', headers: [
  { name: 'Retry-After', value: '1' },
] };

type Body = { readonly body: Uint8Array; readonly contentType: string };

const sdpBody = (sdp: SessionDescription): Body => ({ body: encodeUtf8(sdpText(sdp)), contentType: SDP });

const failure = (error: NegotiationError): Answer => (error.reason === 'BadSdp'
  ? { status: 400, reason: 'Bad SDP' }
  : error.reason === 'OutOfOrder' ? GLARE : { status: 488, reason: 'Not Acceptable Here' });

/**
 * Offers and answers in an early dialog with reliable provisionals (RFC 3262 §5, RFC 6337 §2, RFC 3311):
 * - callee: the answer to our offer in a reliable 183 arrives in the PRACK; a PRACK or an UPDATE carrying a new
 *   offer (once the first exchange is complete) is answered in its 200;
 * - caller: the callee's offer in a reliable 1xx is answered in our PRACK (its media heard listen-only until
 *   the 2xx); an UPDATE from the callee with an offer is answered in its 200.
 */
export class EarlyOffers {
  constructor(
    private readonly negotiator: MediaNegotiator,
    private readonly answering: CallAnswering,
    /** Our address, for an answer that refuses every stream. */
    private readonly localAddress: string,
    private readonly logger: Logger | undefined,
  ) {}

  /** Callee: a PRACK acknowledging our reliable provisional, or an UPDATE, before the call is answered. */
  answerAsCallee(record: SessionRecord, request: SipRequest): Answer {
    if (!this.negotiator.enabled) return OK;
    const n = record.negotiation;
    const sdp = decodeUtf8(request.body);
    if (request.method === 'PRACK' && n.tag === 'LocalOffer' && n.answerIn === 'Prack') {
      const answered = this.negotiator.step(record, { tag: 'RemoteAnswer', sdp, dialogTag: '' });
      // The PRACK did acknowledge the 183; without a usable answer the call cannot go on (RFC 3262 §5).
      if (E.isLeft(answered)) this.refuse(record, answered.left.detail);
      return OK;
    }
    if (sdp.length === 0) return OK;
    if (n.tag !== 'EarlyLocalAnswer' && n.tag !== 'Agreed') return n.tag === 'LocalOffer' ? GLARE : TOO_EARLY;
    return this.answerOffer(record, sdp, undefined);
  }

  /** Caller: the body of the PRACK for a reliable 1xx from early dialog `dialogTag` — our answer to its offer. */
  prackBody(record: SessionRecord, response: SipResponse, dialogTag: string): Body | undefined {
    const n = record.negotiation;
    // An answer to our INVITE's offer is not answered again; the provisional's listener reads it.
    if (!this.negotiator.enabled || response.body.length === 0 || (n.tag !== 'Idle' && n.tag !== 'EarlyAnswered')) {
      return undefined;
    }
    const sdp = decodeUtf8(response.body);
    const before = record.negotiation;
    const local = this.negotiator.localOf(record, 'sendrecv');
    const answered = local === undefined ? undefined : this.negotiator.step(record, {
      tag: 'RemoteOfferAnswered', sdp, local, sessionId: this.negotiator.sessionId(),
      early: { dialogTag, status: response.status },
    });
    if (answered === undefined || E.isLeft(answered)) {
      // The PRACK must still answer (§5): every stream refused; the 2xx, with no agreement, is then hung up.
      this.logger?.warn('the offer in a reliable provisional was refused', {
        session: record.id, detail: answered === undefined ? 'no media' : answered.left.detail,
      });
      return this.refusal(sdp);
    }
    return record.negotiation === before ? undefined : this.ours(record.negotiation);
  }

  /** Caller: an UPDATE from the callee in early dialog `dialogTag` (RFC 3311 §5.1). */
  answerAsCaller(record: SessionRecord, request: SipRequest, dialogTag: string): Answer {
    if (!this.negotiator.enabled || request.body.length === 0) return OK;
    const n = record.negotiation;
    if (n.tag !== 'EarlyRemoteAnswer' && n.tag !== 'EarlyAnswered') return n.tag === 'LocalOffer' ? GLARE : TOO_EARLY;
    return this.answerOffer(record, decodeUtf8(request.body), { dialogTag, status: 183 });
  }

  private answerOffer(
    record: SessionRecord, sdp: string, early: { readonly dialogTag: string; readonly status: number } | undefined,
  ): Answer {
    const local = this.negotiator.localOf(record, 'sendrecv');
    if (local === undefined) return { status: 488, reason: 'Not Acceptable Here' };
    const answered = this.negotiator.step(record, {
      tag: 'RemoteOfferAnswered', sdp, local, sessionId: this.negotiator.sessionId(),
      ...(early === undefined ? {} : { early }),
    });
    if (E.isLeft(answered)) return failure(answered.left);
    const body = this.ours(record.negotiation);
    return body === undefined ? OK : { status: 200, ...body };
  }

  private ours(n: Negotiation): Body | undefined {
    const local = localDescription(n);
    return local === undefined ? undefined : sdpBody(local);
  }

  private refusal(sdp: string): Body | undefined {
    const offer = parseSdp(sdp);
    if (E.isLeft(offer)) return undefined;
    const identity = { username: '-', sessionId: this.negotiator.sessionId(), sessionVersion: '1' };
    return sdpBody(rejectingAnswer(offer.right, this.localAddress, identity));
  }

  private refuse(record: SessionRecord, detail: string): void {
    this.logger?.warn('the PRACK did not answer our offer', { session: record.id, detail });
    if (record.call.tag !== 'Ringing') return;
    const refused = this.answering.reject(record, 488, 'Not Acceptable Here', 'No answer in the PRACK');
    if (E.isLeft(refused)) this.logger?.debug('the call could not be refused', { session: record.id });
  }
}
