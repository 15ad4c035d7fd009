import * as E from 'fp-ts/lib/Either.js';
import { rejectingAnswer } from '../../domain/sdp/offer-answer.js';
import { parseSdp } from '../../domain/sdp/parse-sdp.js';
import { SDP, sdpText } from './sdp-text.js';
import type { SessionDescription } from '../../domain/sdp/session-description.js';
import { parseTarget } from '../../domain/session/call-target.js';
import { localDescription } from '../../domain/session/negotiation.js';
import { invalidArgument, type SessionError } from '../../domain/session/session-error.js';
import { headerValue, type SipHeader, type SipResponse } from '../../domain/sip/message.js';
import type { NameAddr } from '../../domain/sip/name-addr.js';
import { decodeUtf8, encodeUtf8 } from '../../domain/sip/text-codec.js';
import type { UserCredentials } from '../ua/challenge.js';
import type { OutgoingInvite, OutgoingOutcome } from '../ua/outgoing-invite.js';
import { toTagOf } from '../ua/outgoing-invite-relay.js';
import type { UaCore } from '../ua/ua-core.js';
import { reachOf, type Reach, type ReachOptions } from './reach.js';
import type { ServerLocator } from '../transport/server-locator.js';
import type { Uri } from '../../domain/sip/uri.js';
import { paramValue } from '../../domain/sip/params.js';
import type { Endpoint } from '../../domain/transport/endpoint.js';
import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { CallLifecycle } from './call-lifecycle.js';
import type { CallTermination } from './call-termination.js';
import type { DialogBinding } from './dialog-binding.js';
import type { EarlyOffers } from './early-offers.js';
import type { EventBus } from './event-bus.js';
import type { MediaNegotiator } from './media-negotiator.js';
import type { SessionConfig } from './session-config.js';
import { callInfo, userOf, type CallInfo, type SessionRecord } from './session-record.js';
import type { SessionTable } from './session-table.js';
import type { Admission } from './admission.js';


/** How a call is placed; `requestUri`, `routes` and `nextHop` reach a registered contact (ReachOptions). */
export interface OutgoingCallOptions extends ReachOptions {
  /** Send the INVITE without SDP: the peer offers in its 2xx and we answer in the ACK. */
  readonly delayedOffer?: boolean;
  /** Digest credentials for this call, instead of the builder's `withCredentials`. */
  readonly credentials?: UserCredentials;
  /** SRTP policy for this call, instead of the builder's `withMediaEncryption`. */
  readonly mediaEncryption?: 'off' | 'optional' | 'required';
  /**
   * Follow a 3xx to the Contacts it names, best q first, as one call (RFC 3261 §8.1.3.4; default true).
   * false: the 3xx ends the call as Rejected with its status.
   */
  readonly followRedirects?: boolean;
  /**
   * Offer WebRTC media (UDP/TLS/RTP/SAVPF, ICE-lite, DTLS-SRTP: withWebRtc), as browsers require; default:
   * when the call goes over WebSocket (a ws/wss next hop or `transport=ws|wss`).
   */
  readonly webrtc?: boolean;
}

type Ack = { readonly body: Uint8Array; readonly contentType: string } | undefined;

/** Places calls and reports their answer (RFC 3261 §13.2): offer in the INVITE, or delayed to the 2xx. */
export class OutgoingCalls {
  constructor(
    private readonly ua: UaCore,
    private readonly table: SessionTable,
    private readonly admission: Admission,
    private readonly lifecycle: CallLifecycle,
    private readonly negotiator: MediaNegotiator,
    private readonly binding: DialogBinding,
    private readonly termination: CallTermination,
    private readonly early: EarlyOffers,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly config: SessionConfig,
    private readonly outboundRoutes: ReadonlyArray<NameAddr>,
    /** RFC 3263 server location; without it the UA core sends to the URI's host as it stands. */
    private readonly locator?: ServerLocator,
  ) {}

  async create(
    from: string, to: string, sdp: string | undefined, headers: ReadonlyArray<SipHeader>, options: OutgoingCallOptions,
  ): Promise<E.Either<SessionError, CallInfo>> {
    const fromAddr = parseTarget(from);
    if (E.isLeft(fromAddr)) return fromAddr;
    const toAddr = parseTarget(to);
    if (E.isLeft(toAddr)) return toAddr;
    const reach = reachOf(options, this.outboundRoutes);
    if (E.isLeft(reach)) return reach;
    const targets = await this.targetsFor(reach.right, toAddr.right.uri);
    if (E.isLeft(targets)) return targets;
    if (options.delayedOffer === true && sdp !== undefined) return E.left(
      invalidArgument('sdp', 'a delayed-offer call cannot carry an SDP offer'),
    );
    const given = sdp === undefined ? undefined : parseSdp(sdp);
    if (given !== undefined && E.isLeft(given)) return E.left(
      invalidArgument('sdp', `not a session description: ${given.left.detail}`),
    );
    const admitted = this.admission.admitOutgoing(userOf(from));
    if (E.isLeft(admitted)) return admitted;
    const record = this.table.create('outgoing', from, to);
    record.encryption = options.mediaEncryption;
    record.wantsWebRtc = options.webrtc ?? overWebSocket(reach.right, toAddr.right.uri);
    this.events.publish({ type: 'SessionCreated', sessionId: record.id, direction: 'outgoing', from, to });
    const opened = this.negotiator.enabled ? await this.negotiator.localFor(record, 'sendrecv') : undefined;
    if (opened !== undefined && E.isLeft(opened)) return this.failed(record, 'No media ports', opened.left);
    const local = opened?.right;
    const delayed = options.delayedOffer === true && local !== undefined;
    const offer = given?.right ?? (local === undefined || delayed ? undefined : this.negotiator.offer(local));
    if (offer !== undefined) this.negotiator.step(record, { tag: 'LocalOffer', offer, answerIn: 'Response' });
    let delayedFailure: SessionError | undefined;
    const credentials = options.credentials ?? this.config.credentials;
    const call = this.ua.invite({
      to: toAddr.right, from: fromAddr.right, answerTimeoutMs: this.config.answerTimeoutMs, headers,
      ...(credentials === undefined ? {} : { credentials }),
      ...reach.right,
      ...(targets.right === undefined ? {} : { targets: targets.right }),
      ...(options.followRedirects === undefined ? {} : { followRedirects: options.followRedirects }),
      ...(offer === undefined ? {} : { body: encodeUtf8(sdpText(offer)), contentType: SDP }),
      ...(delayed ? { ackBody: (response: SipResponse, accepted: boolean): Ack => {
        const answered = this.answerOfferIn2xx(record, response, accepted);
        if (accepted) delayedFailure = answered.failure;
        return answered.ack;
      } } : {}),
    });
    if (E.isLeft(call)) return this.failed(
      record, 'TransportError', { kind: 'TransportError', message: `cannot place the call: ${call.left.detail}` },
    );
    record.outgoing = call.right;
    record.callId = headerValue(call.right.request, 'Call-ID');
    this.lifecycle.notify(record, { tag: 'Dial' });
    this.follow(record, call.right, offer !== undefined && !delayed, () => delayedFailure);
    return E.right(callInfo(record));
  }

  /**
   * Settles when the call is answered, or with why it was not. Past
   * `timeoutMs` it settles Timeout, and an outgoing call still alerting is
   * given up (ended as Timeout, its INVITE cancelled): nothing outlives a wait
   * that failed.
   */
  async waitForAnswer(sessionId: string, timeoutMs: number): Promise<E.Either<SessionError, CallInfo>> {
    const found = this.table.requireAny(sessionId);
    if (E.isLeft(found)) return found;
    const record = found.right;
    const waiting = this.lifecycle.waitForAnswer(record);
    const timeoutError: SessionError = { kind: 'Timeout', message: `not answered within ${timeoutMs} ms` };
    let timer: TimerHandle | undefined;
    const timeout = new Promise<E.Either<SessionError, CallInfo>>((resolve) => {
      timer = this.clock.schedule(timeoutMs, () => resolve(E.left(timeoutError)));
    });
    const result = await Promise.race([waiting.result, timeout]);
    if (timer !== undefined) this.clock.cancel(timer);
    if (E.isLeft(result) && result.left === timeoutError) {
      waiting.cancel();
      this.termination.abandon(record, timeoutError, 'Timeout');
    }
    return result;
  }

  /** Where the INVITE may go (RFC 3263), unless it is pinned to a flow; a name leading nowhere fails here. */
  private async targetsFor(
    reach: Reach, to: Uri,
  ): Promise<E.Either<SessionError, ReadonlyArray<Endpoint> | undefined>> {
    if (this.locator === undefined || reach.flow !== undefined) return E.right(undefined);
    const located = await this.locator.locate(reach.routes?.[0]?.uri ?? reach.requestUri ?? to);
    return E.isLeft(located)
      ? E.left({ kind: 'TransportError', message: `cannot place the call: ${located.left.detail}` })
      : E.right(located.right);
  }

  private failed(record: SessionRecord, reason: string, error: SessionError): E.Either<SessionError, never> {
    this.lifecycle.notify(record, { tag: 'Failed', error, reason, nowMs: this.lifecycle.now() });
    return E.left(error);
  }

  /** Provisional responses (ringing, early media) and the final outcome of the INVITE. */
  private follow(
    record: SessionRecord, call: OutgoingInvite, offered: boolean, delayedFailure: () => SessionError | undefined,
  ): void {
    call.on({
      onProvisional: (response, early) => {
        if (response.status === 100) return;
        if (record.call.tag === 'Dialing') this.lifecycle.notify(record, { tag: 'Progress' });
        const playable = record.call.tag === 'Ringing' && this.negotiator.enabled;
        const answer = offered && record.negotiation.tag !== 'EarlyAnswered';
        if (answer && early !== undefined && response.body.length > 0 && playable) {
          const sdp = decodeUtf8(response.body);
          this.negotiator.step(
            record, { tag: 'RemoteEarlyAnswer', sdp, dialogTag: early.id.remoteTag, status: response.status },
          );
        }
      },
      // RFC 3262 §5 and RFC 3311: offers from the callee before its 2xx.
      prackBody: (response, early) => this.early.prackBody(record, response, early.id.remoteTag),
      onEarlyUpdate: (request, early) => this.early.answerAsCaller(record, request, early.id.remoteTag),
    });
    void call.outcome.then((outcome) => this.settled(record, outcome, offered, delayedFailure()));
  }

  private settled(
    record: SessionRecord, outcome: OutgoingOutcome, offered: boolean, delayedFailure: SessionError | undefined,
  ): void {
    const nowMs = this.lifecycle.now();
    switch (outcome.kind) {
      case 'Answered': {
        if (outcome.response.body.length > 0) record.peerSdp = decodeUtf8(outcome.response.body);
        const media = offered && this.negotiator.enabled
          ? this.negotiator.step(
            record,
            {
              tag: 'RemoteAnswer', sdp: decodeUtf8(outcome.response.body),
              dialogTag: outcome.session.dialog.id.remoteTag,
            },
          )
          : E.right(undefined);
        const failure = delayedFailure ?? (
          E.isLeft(media) ? { kind: 'MediaError' as const, message: media.left.detail } : undefined
        );
        if (failure !== undefined) {
          void outcome.session.bye();
          return this.lifecycle.notify(record, { tag: 'Failed', error: failure, reason: 'MediaError', nowMs });
        }
        return void this.binding.established(record, outcome.session);
      }
      case 'Rejected': return this.lifecycle.notify(record, {
        tag: 'Rejected', status: outcome.status, phrase: outcome.response.reason,
        reason: `Rejected ${outcome.status}`, nowMs,
      });
      case 'Cancelled': return this.lifecycle.notify(record, { tag: 'Cancelled', reason: 'Cancelled', nowMs });
      case 'Timeout': return this.lifecycle.notify(
        record, { tag: 'Failed', error: { kind: 'Timeout', message: 'no answer' }, reason: 'Timeout', nowMs },
      );
      case 'TransportError': return this.lifecycle.notify(record, {
        tag: 'Failed', error: { kind: 'TransportError', message: `the INVITE could not be sent: ${outcome.detail}` },
        reason: 'TransportError', nowMs,
      });
    }
  }

  /**
   * Delayed offer, UAC side: our answer to the offer in a 2xx, for its ACK.
   * An unusable offer (or a fork we hang up on) still gets a valid answer,
   * every stream refused, as §13.2.2.4 requires before the BYE.
   */
  private answerOfferIn2xx(
    record: SessionRecord, response: SipResponse, accepted: boolean,
  ): { ack: Ack; failure: SessionError | undefined } {
    const early = record.negotiation;
    const tag = toTagOf(response);
    if (accepted && early.tag === 'EarlyAnswered' && early.dialogTag === tag) {
      // The exchange finished in this dialog's reliable 1xx and PRACK: the 2xx repeats it or has no SDP.
      const sdp = decodeUtf8(response.body);
      const confirmed = this.negotiator.step(record, { tag: 'RemoteAnswer', sdp, dialogTag: tag });
      const failure = E.isLeft(confirmed) ? { kind: 'MediaError' as const, message: confirmed.left.detail } : undefined;
      return { ack: undefined, failure };
    }
    const local = this.negotiator.localOf(record, 'sendrecv');
    if (response.body.length === 0 || local === undefined) return {
      ack: undefined, failure: { kind: 'MediaError', message: 'the 2xx carried no offer' },
    };
    const sdp = decodeUtf8(response.body);
    const refusal = (message: string): { ack: Ack; failure: SessionError } => {
      const offer = parseSdp(sdp);
      const identity = { username: '-', sessionId: this.negotiator.sessionId(), sessionVersion: '1' };
      const ack = E.isLeft(offer) ? undefined : sdpBody(
        rejectingAnswer(offer.right, this.config.localAddress, identity),
      );
      return { ack, failure: { kind: 'MediaError', message } };
    };
    if (!accepted) return refusal('another fork answered first');
    const answered = this.negotiator.step(
      record, { tag: 'RemoteOfferAnswered', sdp, local, sessionId: this.negotiator.sessionId() },
    );
    if (E.isLeft(answered)) return refusal(answered.left.detail);
    const answer = localDescription(record.negotiation);
    return { ack: answer === undefined ? undefined : sdpBody(answer), failure: undefined };
  }
}

const sdpBody = (sdp: SessionDescription): { body: Uint8Array; contentType: string } => ({
  body: encodeUtf8(sdpText(sdp)), contentType: SDP,
});

/** Whether a call's first hop is a WebSocket: a browser is (almost surely) at the other end. */
const overWebSocket = (reach: Reach, to: Uri): boolean => {
  const protocol = reach.flow?.protocol;
  if (protocol !== undefined) return protocol === 'ws' || protocol === 'wss';
  const uri = reach.routes?.[0]?.uri ?? reach.requestUri ?? to;
  const transport = uri.kind === 'sip' ? paramValue(uri.params, 'transport')?.toLowerCase() : undefined;
  return transport === 'ws' || transport === 'wss';
};
