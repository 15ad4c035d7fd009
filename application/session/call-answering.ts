import * as E from 'fp-ts/lib/Either.js';
import { parseSdp } from '../../domain/sdp/parse-sdp.js';
import { SDP, sdpText } from './sdp-text.js';
import type { SessionDescription } from '../../domain/sdp/session-description.js';
import { checkOperation, type SessionOperation } from '../../domain/session/call-state.js';
import { localDescription, type AnswerSource, type NegotiationError } from '../../domain/session/negotiation.js';
import { invalidArgument, invalidState, rejected, type SessionError } from '../../domain/session/session-error.js';
import type { SipHeader } from '../../domain/sip/message.js';
import { parseNameAddr } from '../../domain/sip/name-addr.js';
import { encodeUtf8 } from '../../domain/sip/text-codec.js';
import type { Logger } from '../../ports/logger.js';
import type { IncomingInvite } from '../ua/incoming-invite.js';
import type { CallLifecycle } from './call-lifecycle.js';
import type { DialogBinding } from './dialog-binding.js';
import type { EventBus } from './event-bus.js';
import type { MediaNegotiator } from './media-negotiator.js';
import type { SessionRecord } from './session-record.js';

const NOT_ACCEPTABLE = 'Not Acceptable Here';

/**
 * Answers incoming calls: accept (2xx with our answer, or our offer when the
 * INVITE had none), early media (our answer in a 183, RFC 3960; the 2xx
 * repeats it, §13.2.1) and rejection. An offer we cannot accept is answered
 * 488 (RFC 3264 §6).
 */
export class CallAnswering {
  constructor(
    private readonly lifecycle: CallLifecycle,
    private readonly negotiator: MediaNegotiator,
    private readonly binding: DialogBinding,
    private readonly events: EventBus,
    private readonly logger?: Logger,
  ) {}

  async accept(record: SessionRecord, sdp: string | undefined): Promise<E.Either<SessionError, void>> {
    const allowed = this.ringing(record, 'accept');
    if (E.isLeft(allowed)) return allowed;
    let body: { body: Uint8Array; contentType: string } | undefined;
    // An exchange finished (or our offer made) in a reliable provisional: the 2xx carries no SDP (§13.2.1).
    if (this.settledEarly(record)) {
      if (sdp !== undefined) this.logger?.debug('the early offer/answer stands; the given SDP is not sent');
    } else if (this.negotiator.enabled || sdp !== undefined) {
      const description = await this.describe(record, sdp, false);
      if (E.isLeft(description)) return description;
      body = { body: encodeUtf8(sdpText(description.right)), contentType: SDP };
    }
    const invite = record.incoming;
    if (invite === undefined || record.call.tag !== 'Ringing') return E.left(invalidState(record.call.tag, 'accept'));
    const session = invite.accept(body);
    if (E.isLeft(session)) {
      const error: SessionError = {
        kind: 'InvalidState', state: record.call.tag, operation: 'accept',
        message: 'the call can no longer be accepted',
      };
      this.lifecycle.notify(record, { tag: 'Failed', error, reason: 'Accept failed', nowMs: this.lifecycle.now() });
      return E.left(error);
    }
    return this.binding.established(record, session.right);
  }

  /**
   * Our answer to the caller's offer in a 183 Session Progress, with the media
   * started, so what the application plays reaches the caller before the
   * answer. Called again, it resends the 183 (a 183 is not retransmitted).
   */
  async sendEarlyMedia(record: SessionRecord, sdp: string | undefined): Promise<E.Either<SessionError, void>> {
    const allowed = this.ringing(record, 'earlyMedia');
    if (E.isLeft(allowed)) return allowed;
    if (!this.negotiator.enabled) return E.left({
      kind: 'MediaError', message: 'media is disabled in this configuration',
    });
    const invite = allowed.right;
    // RFC 3262 §5: an offerless INVITE gets our offer in a reliable 183, answered in the PRACK.
    const offering = record.negotiation.tag === 'Idle';
    if (offering && !invite.sendsReliably(183, true)) return E.left({
      kind: 'MediaError',
      message: 'the INVITE carried no offer and the caller does not support 100rel: a 183 cannot carry our offer',
    });
    if (this.settledEarly(record)) return this.provisional(record, localDescription(record.negotiation));
    const first = record.negotiation.tag === 'RemoteOffer' || offering;
    const description = await this.describe(record, sdp, true);
    if (E.isLeft(description)) return description;
    if (first) this.events.publish({ type: 'EarlyMedia', sessionId: record.id, status: 183 });
    return this.provisional(record, description.right);
  }

  /** A 183 with `sdp` (again: a 183 that is not reliable is not retransmitted). */
  private provisional(record: SessionRecord, sdp: SessionDescription | undefined): E.Either<SessionError, void> {
    const invite = record.incoming;
    const sent = invite === undefined || record.call.tag !== 'Ringing'
      ? E.left({ detail: 'the call is no longer ringing' })
      : invite.provisional(183, sdp === undefined ? {} : { body: encodeUtf8(sdpText(sdp)), contentType: SDP });
    return E.isLeft(sent) ? E.left(invalidState(record.call.tag, 'earlyMedia', sent.left.detail)) : E.right(undefined);
  }

  /** Whether the exchange completed in the early dialog (PRACK, UPDATE) or our offer went in a reliable 1xx. */
  private settledEarly(record: SessionRecord): boolean {
    const n = record.negotiation;
    return n.tag === 'Agreed' || (n.tag === 'LocalOffer' && n.answerIn === 'Prack');
  }

  /** A final non-2xx answer (486, 603, 302 with Contact, …) to a ringing call. */
  reject(
    record: SessionRecord, status: number, phrase: string | undefined, reason: string,
    headers: ReadonlyArray<SipHeader> = [],
  ): E.Either<SessionError, void> {
    if (!Number.isInteger(status) || status < 300 || status > 699) return E.left(
      invalidArgument('status', `${status} is not a rejection (300–699)`),
    );
    const allowed = this.ringing(record, 'reject');
    if (E.isLeft(allowed)) return allowed;
    const sent = allowed.right.reject(status, { headers, ...(phrase === undefined ? {} : { reason: phrase }) });
    if (E.isLeft(sent)) return E.left(invalidState(record.call.tag, 'reject', sent.left.detail));
    return this.lifecycle.apply(record, {
      tag: 'Rejected', status, phrase: phrase ?? 'Rejected', reason, nowMs: this.lifecycle.now(),
    });
  }

  /** A real redirect: 302 with `target` (a URI or name-addr) in Contact (RFC 3261 §21.3.3). */
  forward(record: SessionRecord, target: string): E.Either<SessionError, void> {
    const contact = target.includes('<') ? target : `<${target}>`;
    if (E.isLeft(parseNameAddr(contact))) return E.left(invalidArgument('target', `${target} is not a SIP address`));
    return this.reject(record, 302, 'Moved Temporarily', 'Forwarded', [{ name: 'Contact', value: contact }]);
  }

  /** The INVITE of an incoming call that may still be answered, or why not. */
  private ringing(record: SessionRecord, operation: SessionOperation): E.Either<SessionError, IncomingInvite> {
    const allowed = checkOperation(record.call.tag, operation);
    if (E.isLeft(allowed)) return allowed;
    const invite = record.incoming;
    if (record.direction !== 'incoming' || invite === undefined) {
      return E.left(invalidState(record.call.tag, operation, 'only an incoming call not yet answered can be'));
    }
    return E.right(invite);
  }

  /**
   * Our session description for the INVITE's answer: the answer to its offer
   * (given, or generated from our media), or — the INVITE had none — our offer,
   * whose answer comes in the ACK (§13.3.1.4).
   */
  private async describe(
    record: SessionRecord, sdp: string | undefined, early: boolean,
  ): Promise<E.Either<SessionError, SessionDescription>> {
    const given = sdp === undefined ? undefined : parseSdp(sdp);
    if (given !== undefined && E.isLeft(given)) return E.left(
      invalidArgument('sdp', `not a session description: ${given.left.detail}`),
    );
    const pending = record.negotiation.tag;
    let source: AnswerSource | undefined = sdp === undefined ? undefined : { kind: 'Given', sdp };
    if (this.negotiator.enabled && (pending === 'RemoteOffer' || (pending === 'Idle' && given === undefined))) {
      const local = await this.negotiator.localFor(record, 'sendrecv');
      if (E.isLeft(local)) {
        this.lifecycle.notify(
          record, { tag: 'Failed', error: local.left, reason: 'No media ports', nowMs: this.lifecycle.now() },
        );
        return local;
      }
      if (record.call.tag !== 'Ringing') return E.left(
        invalidState(record.call.tag, early ? 'earlyMedia' : 'accept', 'the call is no longer ringing'),
      );
      if (pending === 'Idle') {
        const offer = this.negotiator.offer(local.right);
        this.negotiator.step(record, { tag: 'LocalOffer', offer, answerIn: early ? 'Prack' : 'Ack' });
        return this.current(record);
      }
      source ??= { kind: 'Generated', local: local.right, sessionId: this.negotiator.sessionId() };
    }
    if (pending === 'Idle') {
      if (given === undefined) return E.left({ kind: 'MediaError', message: 'no session description to send' });
      this.negotiator.step(record, { tag: 'LocalOffer', offer: given.right, answerIn: early ? 'Prack' : 'Ack' });
      return this.current(record);
    }
    const answered = this.negotiator.step(
      record, { tag: 'LocalAnswer', early, ...(source === undefined ? {} : { answer: source }) },
    );
    if (E.isLeft(answered)) return this.refused(record, answered.left, source);
    return this.current(record);
  }

  private current(record: SessionRecord): E.Either<SessionError, SessionDescription> {
    const local = localDescription(record.negotiation);
    return local === undefined ? E.left({ kind: 'MediaError', message: 'no session description to send' }) : E.right(
      local,
    );
  }

  /** An offer our media cannot answer: 488 with a Warning (RFC 3261 §20.43), and the call ends rejected. */
  private refused(
    record: SessionRecord, error: NegotiationError, source: AnswerSource | undefined,
  ): E.Either<SessionError, never> {
    if (error.reason !== 'NotAcceptable' || source?.kind !== 'Generated') return E.left({
      kind: 'MediaError', message: error.detail,
    });
    // RFC 3261 §20.43: 304 Media type not available, the reason quoted (its quotes and backslashes dropped).
    const warning = `304 session-core "${error.detail.replace(/["\\]/g, '')}"`;
    record.incoming?.reject(488, { headers: [{ name: 'Warning', value: warning }] });
    this.lifecycle.notify(
      record,
      { tag: 'Rejected', status: 488, phrase: NOT_ACCEPTABLE, reason: 'Not acceptable', nowMs: this.lifecycle.now() },
    );
    return E.left(rejected(488, NOT_ACCEPTABLE));
  }
}
