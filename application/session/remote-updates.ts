import * as E from 'fp-ts/lib/Either.js';
import { SDP, sdpText } from './sdp-text.js';
import { localDescription, type NegotiationError } from '../../domain/session/negotiation.js';
import type { SipRequest } from '../../domain/sip/message.js';
import { decodeUtf8, encodeUtf8 } from '../../domain/sip/text-codec.js';
import type { Logger } from '../../ports/logger.js';
import type { Answer } from '../ua/invite-session.js';
import type { CallTermination } from './call-termination.js';
import type { SessionModifications } from './dialog-binding.js';
import type { MediaNegotiator } from './media-negotiator.js';
import type { SessionRecord } from './session-record.js';

/** RFC 3264 refusals as SIP statuses: 400 unreadable, 488 unacceptable, 491 an offer while another is pending. */
const STATUS: Readonly<Record<NegotiationError['reason'], number>> = {
  BadSdp: 400, NoAnswer: 400, NotAcceptable: 488, OutOfOrder: 491,
};

/**
 * What the peer changes in a confirmed call: a re-INVITE or UPDATE with an
 * offer is answered at once (hold and resume follow its direction, RFC 6337);
 * an offerless re-INVITE gets our offer again and its ACK the answer, which
 * must be there — a call whose ACK carries none is hung up.
 */
export class RemoteUpdates implements SessionModifications {
  constructor(
    private readonly negotiator: MediaNegotiator,
    private readonly termination: CallTermination,
    private readonly logger: Logger | undefined,
  ) {}

  onModify(record: SessionRecord, request: SipRequest): Answer {
    const wanted = record.call.tag === 'OnHold' ? 'sendonly' : 'sendrecv';
    const ours = this.negotiator.localOf(record, wanted);
    const offerless = request.body.length === 0;
    if (offerless || ours === undefined) {
      const local = localDescription(record.negotiation);
      // An UPDATE without an offer gets no SDP back: there is no ACK to carry an answer (RFC 3311 §5.2).
      if (local === undefined || (offerless && request.method !== 'INVITE')) return { status: 200 };
      if (offerless && ours !== undefined) {
        // A re-INVITE without SDP asks for our offer (again, unchanged: RFC 3264 §8); the answer comes in its ACK.
        const offered = this.negotiator.step(record, { tag: 'LocalOffer', offer: local, answerIn: 'Ack' });
        if (E.isLeft(offered)) return { status: STATUS[offered.left.reason] };
      }
      return sdpAnswer(local);
    }
    const answered = this.negotiator.step(record, {
      tag: 'RemoteOfferAnswered', sdp: decodeUtf8(request.body), local: ours,
      sessionId: this.negotiator.sessionId(),
    });
    if (E.isLeft(answered)) return { status: STATUS[answered.left.reason] };
    const local = localDescription(record.negotiation);
    return local === undefined ? { status: 500 } : sdpAnswer(local);
  }

  /** The ACK to a 2xx that carried our offer: it must hold the answer, or the call has no media and ends. */
  onAck(record: SessionRecord, ack: SipRequest): void {
    const pending = record.negotiation;
    if (pending.tag !== 'LocalOffer' || pending.answerIn !== 'Ack') return;
    const answered = this.negotiator.step(record, { tag: 'RemoteAnswer', sdp: decodeUtf8(ack.body), dialogTag: '' });
    if (E.isRight(answered)) return;
    this.logger?.warn('no usable answer in the ACK; hanging up', { session: record.id, detail: answered.left.detail });
    const ended = this.termination.end(record, 'No answer in ACK');
    if (E.isLeft(ended)) this.logger?.debug('the call had already ended', { session: record.id });
  }
}

const sdpAnswer = (local: Parameters<typeof sdpText>[0]): Answer => ({
  status: 200, body: encodeUtf8(sdpText(local)), contentType: SDP,
});
