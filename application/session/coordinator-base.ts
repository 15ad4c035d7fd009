import * as E from 'fp-ts/lib/Either.js';
import { createAnswer, createOffer, DEFAULT_CODECS, processAnswer, rejectingAnswer, reoffer, type LocalMedia, type NegotiatedAudio } from '../../domain/sdp/offer-answer.js';
import { parseSdp } from '../../domain/sdp/parse-sdp.js';
import { serializeSdp } from '../../domain/sdp/serialize-sdp.js';
import { directionOf, type Direction, type SessionDescription } from '../../domain/sdp/session-description.js';
import { checkOperation, isFinal, transition, type CallEvent, type SessionOperation } from '../../domain/session/call-state.js';
import type { CallDecision } from '../../domain/session/call-decision.js';
import { parseTarget } from '../../domain/session/call-target.js';
import { rejected, sessionNotFound, type SessionError } from '../../domain/session/session-error.js';
import { formatUri } from '../../domain/sip/format-uri.js';
import { headerValue, type SipHeader, type SipRequest, type SipResponse } from '../../domain/sip/message.js';
import { getReferTo, getReplaces } from '../../domain/sip/typed-headers.js';
import type { Uri } from '../../domain/sip/uri.js';
import { sipfrag, sipfragStatus } from '../../domain/session/sipfrag.js';
import type { NameAddr } from '../../domain/sip/name-addr.js';
import { parseNameAddr } from '../../domain/sip/name-addr.js';
import { decodeUtf8, encodeUtf8 } from '../../domain/sip/text-codec.js';
import type { Clock } from '../../ports/clock.js';
import type { Hash } from '../../ports/hash.js';
import type { Logger } from '../../ports/logger.js';
import type { Random } from '../../ports/random.js';
import type { RtpSocketFactory } from '../../ports/rtp-socket.js';
import type { SipTransport } from '../../ports/sip-transport.js';
import { IdGenerator } from '../id-generator.js';
import { MediaSession } from '../media/media-session.js';
import type { UserCredentials } from '../ua/challenge.js';
import type { IncomingInvite } from '../ua/incoming-invite.js';
import type { Answer, InviteSession, InviteSessionHandler, SessionEndReason } from '../ua/invite-session.js';
import { UaCore } from '../ua/ua-core.js';
import type { CallHandler, CallInfo } from './call-handler.js';
import { BridgeService } from './bridge-service.js';
import { EventBus } from './event-bus.js';
import { RegistrationService } from './registration-service.js';
import { sessionException } from './session-exception.js';
import type { SessionConfig } from './session-config.js';
import { callInfo, userOf, type SessionRecord } from './session-record.js';

export interface CoordinatorDeps {
  readonly transport: SipTransport;
  readonly clock: Clock;
  readonly random: Random;
  readonly rtp: RtpSocketFactory;
  readonly config: SessionConfig;
  readonly handler: CallHandler;
  readonly logger?: Logger;
  /** Digest answers to 401/407 (with `config.credentials`). */
  readonly hash?: Hash;
}

export interface SessionStats {
  readonly active: number;
  readonly total: number;
  readonly failed: number;
  readonly byState: Readonly<Record<string, number>>;
  readonly perUser: Readonly<Record<string, number>>;
}

export interface OutgoingCallOptions {
  /** Send the INVITE without SDP: the peer offers in its 2xx and we answer in the ACK. */
  readonly delayedOffer?: boolean;
  /** Digest credentials for this call, instead of the builder's `withCredentials`. */
  readonly credentials?: UserCredentials;
}

export interface MediaInfo {
  readonly localAddress: string;
  readonly localRtpPort: number;
  readonly remoteAddress: string | undefined;
  readonly remoteRtpPort: number | undefined;
  readonly codec: string | undefined;
  readonly direction: Direction | undefined;
}

export const SDP = 'application/sdp';

/** Our direction with sending taken out: early media is listened to, not talked into. */
const listenOnly = (direction: Direction): Direction => (direction === 'sendrecv' || direction === 'recvonly' ? 'recvonly' : 'inactive');
const ANSWERED: Promise<void> = Promise.resolve();
const IGNORE_SETTLE = (): void => undefined;
export const DTMF_RELAY = 'application/dtmf-relay';

/**
 * The machinery under SessionCoordinator: call records and their state
 * machine, the incoming-call flow, media negotiation, transfers as seen from
 * the dialog, and clean-up. The public API lives in session-coordinator.ts.
 */
export abstract class CoordinatorBase {
  readonly events: EventBus;
  protected readonly bridges: BridgeService;
  protected readonly ua: UaCore;
  protected readonly registrations: RegistrationService;
  /** The outbound proxy as a preloaded route (§8.1.2), or none. */
  protected readonly outboundRoutes: ReadonlyArray<NameAddr>;
  protected readonly ids: IdGenerator;
  protected readonly sessions = new Map<string, SessionRecord>();
  protected readonly ended = new Map<string, SessionRecord>();
  /** Live sessions per user, kept with `sessions` so the per-user limit costs O(1) per call, not a scan. */
  private readonly liveByUser = new Map<string, number>();
  protected total = 0;
  protected failed = 0;
  protected running = false;

  constructor(protected readonly deps: CoordinatorDeps) {
    this.ids = new IdGenerator(deps.random);
    this.events = new EventBus((id) => (this.sessions.get(id) ?? this.ended.get(id))?.users ?? []);
    this.bridges = new BridgeService({
      mediaOf: (id) => {
        const r = this.sessions.get(id);
        // A ringing call with early media running can be bridged too (a B2BUA passing a ringback on).
        const early = r?.state === 'Ringing' && r.media?.parameters !== undefined;
        return r !== undefined && (r.state === 'Connected' || r.state === 'OnHold' || early) ? r.media : undefined;
      },
      forwardDtmf: (id, digit) => void this.sendDtmf(id, digit).catch(() => undefined),
    }, deps.clock, this.ids);
    this.ua = new UaCore(deps.transport, deps.clock, deps.random, {
      onIncomingInvite: (invite) => void this.onIncomingInvite(invite),
      onRequest: (request) => this.outOfDialogRequest(request),
    }, { contactUser: 'session-core', advertisedHost: deps.config.localAddress, userAgent: deps.config.userAgent }, deps.logger, deps.hash);
    const proxy = deps.config.outboundProxy === undefined ? undefined : parseTarget(deps.config.outboundProxy);
    this.outboundRoutes = proxy === undefined || E.isLeft(proxy) ? [] : [proxy.right];
    this.registrations = new RegistrationService(this.ua, this.ids, this.events, deps.config.credentials, this.outboundRoutes);
  }

  abstract createOutgoingCall(from: string, to: string, sdp?: string, headers?: ReadonlyArray<SipHeader>, options?: OutgoingCallOptions): Promise<CallInfo>;
  abstract waitForAnswer(sessionId: string, timeoutMs: number): Promise<CallInfo>;
  abstract terminateSession(sessionId: string): Promise<void>;
  abstract sendDtmf(sessionId: string, digits: string): Promise<void>;

  // ── incoming calls ──────────────────────────────────────────────────────

  protected async onIncomingInvite(invite: IncomingInvite): Promise<void> {
    const from = headerValue(invite.request, 'From') ?? '';
    const to = headerValue(invite.request, 'To') ?? '';
    const uriOf = (v: string): string => E.fold(() => v, (n: NameAddr) => formatUri(n.uri))(parseNameAddr(v));
    const fromUri = uriOf(from);
    const toUri = uriOf(to);
    if (!this.running || this.sessions.size >= this.deps.config.maxSessions || this.userCount(userOf(fromUri)) >= this.deps.config.maxSessionsPerUser) {
      // Full: 503 with Retry-After, so the caller backs off (RFC 3261 §21.5.4).
      invite.reject(503, { headers: [{ name: 'Retry-After', value: '5' }] });
      return;
    }
    let offer: SessionDescription | undefined;
    if (invite.request.body.length > 0) {
      const parsed = this.parseSdpText(decodeUtf8(invite.request.body));
      if (E.isLeft(parsed)) return void invite.reject(400, { reason: 'Bad SDP' });
      offer = parsed.right;
    }
    const record = this.newRecord('incoming', fromUri, toUri);
    record.incoming = invite;
    if (offer !== undefined) record.remoteSdp = offer;
    this.move(record, 'IncomingRing');
    invite.on({ onCancelled: () => this.finish(record, 'Cancelled', 'Cancel', { kind: 'Cancelled', message: 'the caller cancelled' }) });
    this.events.publish({ type: 'IncomingCall', sessionId: record.id, from: fromUri, to: toUri });
    // RFC 3891: an INVITE with Replaces takes over one of our confirmed dialogs; no application decision.
    const replaces = getReplaces(invite.request);
    if (E.isRight(replaces) && replaces.right !== undefined) {
      const r = replaces.right;
      const old = [...this.sessions.values()].find((s) => s.dialog !== undefined && s.dialog.dialog.id.callId === r.callId
        && s.dialog.dialog.id.localTag === r.toTag && s.dialog.dialog.id.remoteTag === r.fromTag);
      if (old === undefined || (old.state !== 'Connected' && old.state !== 'OnHold')) {
        invite.reject(481);
        return this.finish(record, 'Replaces matched no call', 'Reject', rejected(481, 'Call/Transaction Does Not Exist'));
      }
      await this.accept(record, undefined);
      void this.terminateSession(old.id).catch(() => undefined);
      return;
    }
    // 180 Ringing only when the answer is not immediate (§13.3.1.1 makes progress
    // optional): a handler deciding at once saves the caller a message, and an
    // auto-answering server a send per call.
    let ringing = false;
    const ring = (): void => {
      if (ringing || record.state !== 'Ringing') return;
      ringing = true;
      invite.provisional(180);
    };
    let decision: CallDecision;
    try {
      const pending = this.deps.handler.onIncomingCall(callInfo(record));
      if (pending instanceof Promise) ring();
      decision = await pending;
    } catch (error) {
      decision = { kind: 'Reject', status: 500, reason: 'Handler failed' };
      this.deps.logger?.error('call handler threw', { error: String(error) });
    }
    if (record.state !== 'Ringing') return;
    switch (decision.kind) {
      case 'Accept': return void this.accept(record, decision.sdp).catch((e) => this.deps.logger?.warn('accept failed', { error: JSON.stringify(e) }));
      case 'Reject':
        invite.reject(decision.status, decision.reason === undefined ? {} : { reason: decision.reason });
        return this.finish(record, `Rejected ${decision.status}`, 'Reject', rejected(decision.status, decision.reason ?? ''));
      case 'Forward':
        // A real redirect: 302 with the new target in Contact (§21.3.3).
        invite.reject(302, { headers: [{ name: 'Contact', value: decision.target.includes('<') ? decision.target : `<${decision.target}>` }] });
        return this.finish(record, 'Forwarded', 'Reject', rejected(302, 'Moved Temporarily'));
      case 'Defer':
        // Keeps ringing until accepted or rejected; after the defer timeout, 480.
        ring();
        record.timers.push(this.deps.clock.schedule(this.deps.config.deferTimeoutMs, () => {
          if (record.state !== 'Ringing') return;
          invite.reject(480);
          this.finish(record, 'Defer timeout', 'Reject', rejected(480, 'Temporarily Unavailable'));
        }));
        return;
    }
  }

  protected async accept(record: SessionRecord, sdp: string | undefined): Promise<void> {
    const invite = record.incoming;
    if (invite === undefined) return;
    if (!this.deps.config.media && sdp === undefined) {
      const session = invite.accept();
      if (E.isRight(session)) this.established(record, session.right, undefined);
      else this.finish(record, 'Accept failed', 'Fail');
      return;
    }
    let answer: SessionDescription;
    let negotiated: NegotiatedAudio | undefined;
    if (record.earlyAnswerSent === true && record.localSdp !== undefined) {
      // §13.2.1: the 2xx carries the very answer the 183 previewed; media already runs.
      answer = record.localSdp;
      negotiated = record.negotiated;
    } else {
      const prepared = await this.prepareAnswer(record, sdp);
      if (prepared === undefined) return;
      answer = prepared.answer;
      negotiated = prepared.negotiated;
    }
    if (record.remoteSdp === undefined) record.answerInAck = true;
    const session = invite.accept({ body: encodeUtf8(serializeSdp(answer)), contentType: SDP });
    if (E.isLeft(session)) {
      this.finish(record, 'Accept failed', 'Fail', { kind: 'InvalidState', state: record.state, operation: 'accept', message: 'the call can no longer be accepted' });
      return;
    }
    this.established(record, session.right, negotiated);
  }

  /**
   * Our SDP for an incoming call: `sdp` as given, the answer to the INVITE's
   * offer, or (delayed offer) our offer. Opens the media first. An offer we
   * cannot accept is answered 488 here (RFC 3264 §6) and gives undefined; a
   * call no longer ringing once the ports are open is an InvalidState error.
   */
  protected async prepareAnswer(record: SessionRecord, sdp: string | undefined): Promise<{ answer: SessionDescription; negotiated: NegotiatedAudio | undefined } | undefined> {
    const media = record.media ?? await this.openMedia(record);
    const invite = record.incoming;
    if (invite === undefined || record.state !== 'Ringing') {
      throw sessionException({ kind: 'InvalidState', state: record.state, operation: 'accept', message: 'the call is no longer ringing' });
    }
    let result: { answer: SessionDescription; negotiated: NegotiatedAudio | undefined };
    if (sdp !== undefined) {
      result = { answer: this.unwrap(this.parseSdpText(sdp)), negotiated: undefined };
    } else if (record.remoteSdp !== undefined) {
      const answered = createAnswer(record.remoteSdp, this.localMedia(media, 'sendrecv'), this.sdpIdentity());
      if (E.isLeft(answered)) {
        invite.reject(488, { headers: [{ name: 'Warning', value: `304 session-core "${answered.left.detail}"` }] });
        this.finish(record, 'Not acceptable', 'Reject', rejected(488, 'Not Acceptable Here'));
        return undefined;
      }
      result = answered.right;
    } else {
      // Delayed offer: the INVITE had no SDP, so our 2xx offers and the ACK answers (§13.3.1.4).
      result = { answer: createOffer(this.localMedia(media, 'sendrecv'), this.sdpIdentity()), negotiated: undefined };
    }
    record.localSdp = result.answer;
    return result;
  }

  /**
   * Callee side of early media (RFC 3960): our answer in a 183 Session
   * Progress, and the media started, so what the application plays reaches
   * the caller before the call is accepted. The 2xx later repeats this answer.
   */
  protected async sendEarlyAnswer(record: SessionRecord, sdp: string | undefined): Promise<void> {
    const invite = record.incoming;
    if (record.direction !== 'incoming' || invite === undefined) {
      throw sessionException({ kind: 'InvalidState', state: record.state, operation: 'earlyMedia', message: 'early media is sent only on an incoming call not yet answered' });
    }
    if (!this.deps.config.media) throw sessionException({ kind: 'MediaError', message: 'media is disabled in this configuration' });
    if (record.remoteSdp === undefined) {
      // Answering an offer of ours would need a reliable 1xx and PRACK (RFC 3262), which we do not do.
      throw sessionException({ kind: 'MediaError', message: 'the INVITE carried no offer: a 183 cannot carry an answer' });
    }
    if (record.earlyAnswerSent !== true) {
      const prepared = await this.prepareAnswer(record, sdp);
      if (prepared === undefined) throw sessionException(rejected(488, 'Not Acceptable Here'));
      const negotiated = prepared.negotiated ?? this.unwrap(this.negotiateOwnAnswer(record.remoteSdp, prepared.answer));
      record.earlyAnswerSent = true;
      this.applyMedia(record, negotiated);
      this.events.publish({ type: 'EarlyMedia', sessionId: record.id, status: 183 });
    }
    // Sent again on a repeated call: a lost 183 is not retransmitted otherwise (it is unreliable).
    const sent = invite.provisional(183, { body: encodeUtf8(serializeSdp(record.localSdp as SessionDescription)), contentType: SDP });
    if (E.isLeft(sent)) throw sessionException({ kind: 'InvalidState', state: record.state, operation: 'earlyMedia', message: sent.left.detail });
  }

  /** Media parameters for an answer the application wrote itself, read as the peer will read it. */
  private negotiateOwnAnswer(offer: SessionDescription, answer: SessionDescription): E.Either<SessionError, NegotiatedAudio> {
    return E.mapLeft((e: { detail: string }): SessionError => ({ kind: 'MediaError', message: `the given answer does not fit the offer: ${e.detail}` }))(processAnswer(offer, answer));
  }

  // ── shared call machinery ───────────────────────────────────────────────

  /** One small object per call instead of four closures and their scope: a held call stays small. */
  private static readonly DialogHandler = class implements InviteSessionHandler {
    constructor(private readonly coordinator: CoordinatorBase, private readonly record: SessionRecord) {}
    onModify(request: SipRequest): Answer {
      return this.coordinator.onRemoteModify(this.record, request);
    }
    onRequest(request: SipRequest): Answer {
      return this.coordinator.onDialogRequest(this.record, request);
    }
    onAck(ack: SipRequest): void {
      this.coordinator.onAckAnswer(this.record, ack);
    }
    onTerminated(reason: SessionEndReason): void {
      const record = this.record;
      this.coordinator.finish(record, record.endingReason ?? (reason === 'RemoteBye' ? 'Remote hangup' : reason), 'Ended');
    }
  };

  protected established(record: SessionRecord, dialog: InviteSession, negotiated: NegotiatedAudio | undefined): void {
    record.dialog = dialog;
    dialog.setHandler(new CoordinatorBase.DialogHandler(this, record));
    if (negotiated !== undefined) this.applyMedia(record, negotiated);
    record.connectedAtMs = this.deps.clock.nowMs();
    // The INVITE usages are done: drop them (and the messages they hold) so a held call stays small.
    record.incoming = undefined;
    record.outgoing = undefined;
    this.move(record, 'Answered');
    if (this.deps.config.sessionTimeoutMs > 0) {
      record.timers.push(this.deps.clock.schedule(this.deps.config.sessionTimeoutMs, () => void this.terminateSession(record.id).catch(() => undefined)));
    }
    this.events.publish({ type: 'CallEstablished', sessionId: record.id });
    const sdpText = (d: SessionDescription | undefined): string | undefined => (d === undefined ? undefined : serializeSdp(d));
    this.deps.handler.onCallEstablished?.(callInfo(record), sdpText(record.localSdp), sdpText(record.remoteSdp));
    record.settleAnswered();
    // Settled for good: share one resolved promise so the call no longer holds its own resolver closures.
    record.answered = ANSWERED;
    record.settleAnswered = IGNORE_SETTLE;
  }

  /**
   * Delayed offer, UAC side: the answer to the offer in a 2xx, for its ACK.
   * An unusable offer (or a fork we hang up on) still gets a valid answer,
   * every stream refused, as §13.2.2.4 requires before the BYE.
   */
  protected answerOfferIn2xx(record: SessionRecord, media: MediaSession, response: SipResponse, accepted: boolean): { ack?: { body: Uint8Array; contentType: string }; negotiated: E.Either<SessionError, NegotiatedAudio> } {
    if (response.body.length === 0) return { negotiated: E.left({ kind: 'MediaError', message: 'the 2xx carried no offer' }) };
    const offer = this.parseSdpText(decodeUtf8(response.body));
    if (E.isLeft(offer)) return { negotiated: offer };
    const local = this.localMedia(media, 'sendrecv');
    const result = accepted ? createAnswer(offer.right, local, this.sdpIdentity()) : undefined;
    if (result === undefined || E.isLeft(result)) {
      const refusal = rejectingAnswer(offer.right, local.address, this.sdpIdentity());
      const message = result === undefined ? 'another fork answered first' : result.left.detail;
      return { ack: { body: encodeUtf8(serializeSdp(refusal)), contentType: SDP }, negotiated: E.left({ kind: 'MediaError', message }) };
    }
    record.remoteSdp = offer.right;
    record.localSdp = result.right.answer;
    return { ack: { body: encodeUtf8(serializeSdp(result.right.answer)), contentType: SDP }, negotiated: E.right(result.right.negotiated) };
  }

  /**
   * Caller side of early media (RFC 3960 gateway model): a 1xx with SDP from
   * early dialog `tag` answers our offer, so the callee's side (ringback, an
   * announcement) is heard before the answer. We only listen until then: our
   * audio is not sent before the call is accepted. With several forks the
   * latest one is heard. A bad SDP in a 1xx is ignored; the 2xx decides.
   */
  protected playEarlyMedia(record: SessionRecord, offer: SessionDescription, response: SipResponse, tag: string): void {
    if (record.state !== 'Ringing' || record.media === undefined) return;
    const read = this.readAnswer(offer, response.body, '');
    if (E.isLeft(read)) {
      this.deps.logger?.debug('unusable SDP in a provisional response; ignored', { session: record.id, status: response.status, detail: read.left.message });
      return;
    }
    const negotiated = read.right.negotiated;
    const same = record.earlyTag === tag && record.negotiated !== undefined && record.negotiated.remoteAddress === negotiated.remoteAddress
      && record.negotiated.remotePort === negotiated.remotePort && record.negotiated.payloadType === negotiated.payloadType;
    record.remoteSdp = read.right.answer;
    if (same) return;
    record.earlyTag = tag;
    this.applyMedia(record, { ...negotiated, direction: listenOnly(negotiated.direction) });
    this.events.publish({ type: 'EarlyMedia', sessionId: record.id, status: response.status });
  }

  /**
   * The answer to our offer in the 2xx from dialog `tag`. A 2xx without SDP
   * from the dialog whose 1xx already answered is taken to confirm that answer: §13.2.1 wants
   * it repeated, but some servers leave it out.
   */
  protected answerIn2xx(record: SessionRecord, offer: SessionDescription, response: SipResponse, tag: string): E.Either<SessionError, { answer: SessionDescription; negotiated: NegotiatedAudio }> {
    const early = record.remoteSdp;
    if (response.body.length === 0 && early !== undefined && record.earlyTag === tag) {
      const negotiated = processAnswer(offer, early);
      if (E.isRight(negotiated)) return E.right({ answer: early, negotiated: negotiated.right });
    }
    return this.readAnswer(offer, response.body, 'the 2xx carried no answer to our offer');
  }

  /** The answer to our offer, from a 2xx or an ACK body (RFC 3264 §7); `missing` explains an empty body. */
  protected readAnswer(offer: SessionDescription, body: Uint8Array, missing: string): E.Either<SessionError, { answer: SessionDescription; negotiated: NegotiatedAudio }> {
    if (body.length === 0) return E.left({ kind: 'MediaError', message: missing });
    const answer = this.parseSdpText(decodeUtf8(body));
    if (E.isLeft(answer)) return answer;
    const negotiated = processAnswer(offer, answer.right);
    return E.isLeft(negotiated) ? E.left({ kind: 'MediaError', message: negotiated.left.detail }) : E.right({ answer: answer.right, negotiated: negotiated.right });
  }

  /** The ACK to a 2xx that carried our offer: it must hold the answer, or the call has no media and ends. */
  protected onAckAnswer(record: SessionRecord, ack: SipRequest): void {
    const offer = record.localSdp;
    if (record.answerInAck !== true || offer === undefined) return;
    record.answerInAck = false;
    const read = this.readAnswer(offer, ack.body, 'the ACK carried no answer to our offer');
    if (E.isLeft(read)) {
      this.deps.logger?.warn('no usable answer in the ACK; hanging up', { session: record.id, detail: read.left.message });
      record.endingReason = 'No answer in ACK';
      void this.terminateSession(record.id).catch(() => undefined);
      return;
    }
    const wasHeld = record.negotiated !== undefined && record.negotiated.direction !== 'sendrecv';
    record.remoteSdp = read.right.answer;
    this.applyMedia(record, read.right.negotiated);
    // An answer to an offerless re-INVITE may hold us (sendonly/inactive), as an offer would (RFC 6337 §5.3).
    const held = read.right.negotiated.direction !== 'sendrecv';
    if (wasHeld !== held && record.state !== 'OnHold') this.events.publish({ type: 'HoldChanged', sessionId: record.id, onHold: held });
  }

  protected applyMedia(record: SessionRecord, negotiated: NegotiatedAudio): void {
    record.negotiated = negotiated;
    const media = record.media;
    if (media === undefined) return;
    media.configure({
      codec: negotiated.codec, payloadType: negotiated.payloadType, direction: negotiated.direction,
      ...(negotiated.telephoneEventPayloadType === undefined ? {} : { telephoneEventPayloadType: negotiated.telephoneEventPayloadType }),
      remote: { host: negotiated.remoteAddress, port: negotiated.remotePort }, remoteRtcpPort: negotiated.remoteRtcpPort,
    });
    media.start();
  }

  /** A re-INVITE or UPDATE from the peer: answer its offer, follow its direction (hold/resume). */
  protected onRemoteModify(record: SessionRecord, request: SipRequest): Answer {
    if (request.body.length === 0 || record.media === undefined) {
      const offerless = request.body.length === 0;
      // An UPDATE without an offer gets no SDP back: there is no ACK to carry an answer (RFC 3311 §5.2).
      if (record.localSdp === undefined || (offerless && request.method !== 'INVITE')) return { status: 200 };
      // A re-INVITE without SDP asks for our offer (again, unchanged: RFC 3264 §8); the answer comes in its ACK.
      if (offerless && record.media !== undefined) record.answerInAck = true;
      return { status: 200, body: encodeUtf8(serializeSdp(record.localSdp)), contentType: SDP };
    }
    const offer = this.parseSdpText(decodeUtf8(request.body));
    if (E.isLeft(offer)) return { status: 400 };
    const wanted: Direction = record.state === 'OnHold' ? 'sendonly' : 'sendrecv';
    const result = createAnswer(offer.right, this.localMedia(record.media, wanted), this.sdpIdentity(record.localSdp));
    if (E.isLeft(result)) return { status: 488 };
    const wasHeld = record.negotiated !== undefined && record.negotiated.direction !== 'sendrecv';
    record.remoteSdp = offer.right;
    record.localSdp = result.right.answer;
    this.applyMedia(record, result.right.negotiated);
    const theirDirection = offer.right.media[0] === undefined ? 'sendrecv' : directionOf(offer.right, offer.right.media[0]);
    const held = theirDirection === 'sendonly' || theirDirection === 'inactive';
    if (held !== wasHeld) this.events.publish({ type: 'HoldChanged', sessionId: record.id, onHold: held });
    return { status: 200, body: encodeUtf8(serializeSdp(result.right.answer)), contentType: SDP };
  }

  protected onDialogRequest(record: SessionRecord, request: SipRequest): Answer {
    if (request.method === 'REFER') return this.onRefer(record, request);
    if (request.method === 'NOTIFY' && /^refer\b/i.test(headerValue(request, 'Event') ?? '')) {
      const status = sipfragStatus(decodeUtf8(request.body));
      if (status !== undefined && record.transfer !== undefined) {
        this.events.publish({ type: 'TransferProgress', sessionId: record.id, status, role: 'transferor', target: record.transfer.target });
        if (status >= 200) this.deps.clock.schedule(0, () => this.transferEnded(record, status));
      }
      return { status: 200 };
    }
    if (request.method === 'INFO' && (headerValue(request, 'Content-Type') ?? '').toLowerCase().startsWith(DTMF_RELAY)) {
      const signal = /Signal\s*=\s*([0-9*#A-Da-d])/.exec(decodeUtf8(request.body))?.[1];
      if (signal !== undefined) this.dtmf(record, signal.toUpperCase());
      return { status: 200 };
    }
    return { status: request.method === 'INFO' ? 200 : 501 };
  }

  /** RFC 3515 §2.4: accept the REFER (202), place the new call, report progress by NOTIFY. */
  protected onRefer(record: SessionRecord, request: SipRequest): Answer {
    const referTo = getReferTo(request);
    if (E.isLeft(referTo) || referTo.right === undefined) return { status: 400 };
    const target = referTo.right.uri;
    const referredBy = headerValue(request, 'Referred-By');
    this.deps.clock.schedule(0, () => void this.runReferral(record, target, referredBy));
    return { status: 202 };
  }

  protected async runReferral(record: SessionRecord, target: Uri, referredBy: string | undefined): Promise<void> {
    const notify = (status: number, reason: string, final: boolean): void => {
      this.events.publish({ type: 'TransferProgress', sessionId: record.id, status, role: 'transferee', target: formatUri(target) });
      void record.dialog?.sendRequest('NOTIFY', {
        body: encodeUtf8(sipfrag(status, reason)), contentType: 'message/sipfrag;version=2.0',
        headers: [{ name: 'Event', value: 'refer' }, { name: 'Subscription-State', value: final ? 'terminated;reason=noresource' : 'active;expires=60' }],
      });
    };
    notify(100, 'Trying', false);
    // A Replaces header in the Refer-To URI goes into the new INVITE (RFC 3891 attended transfer).
    const replaces = target.kind === 'sip' ? target.headers.find((h) => h.name.toLowerCase() === 'replaces')?.value : undefined;
    const plainTarget = target.kind === 'sip' ? formatUri({ ...target, headers: [] }) : formatUri(target);
    try {
      const headers = [...(referredBy === undefined ? [] : [{ name: 'Referred-By', value: referredBy }]), ...(replaces === undefined ? [] : [{ name: 'Replaces', value: replaces }])];
      // The transferee calls as itself: the To of a call it received, the From of one it placed.
      const call = await this.createOutgoingCall(record.direction === 'incoming' ? record.to : record.from, plainTarget, undefined, headers);
      await this.waitForAnswer(call.id, this.deps.config.answerTimeoutMs);
      notify(200, 'OK', true);
    } catch (error) {
      const e = error as SessionError;
      notify(e.kind === 'Rejected' ? e.status : e.kind === 'Timeout' ? 408 : 503, e.kind === 'Rejected' ? e.reason : e.message, true);
    }
  }

  /** The transfer we started has a final status: success hangs up this call; failure returns it to Connected. */
  protected transferEnded(record: SessionRecord, status: number): void {
    const pending = record.transfer;
    if (pending === undefined) return;
    record.transfer = undefined;
    if (status >= 200 && status < 300) {
      pending.resolve(status);
      if (record.state === 'Transferring') {
        this.move(record, 'Hangup');
        record.endingReason = 'Transferred';
        void record.dialog?.bye();
      }
      return;
    }
    if (record.state === 'Transferring') this.move(record, 'TransferFailed');
    pending.reject(sessionException(rejected(status, 'Transfer failed')));
  }

  protected dtmf(record: SessionRecord, digit: string): void {
    this.bridges.dtmf(record.id, digit);
    this.events.publish({ type: 'DtmfReceived', sessionId: record.id, digit });
    this.deps.handler.onDtmf?.(callInfo(record), digit);
  }

  protected async modify(record: SessionRecord, direction: Direction): Promise<void> {
    if (record.dialog === undefined || record.localSdp === undefined) throw sessionException({ kind: 'InvalidState', state: record.state, operation: 'modify', message: 'no dialog' });
    const offer = reoffer(record.localSdp, direction);
    const outcome = await record.dialog.reinvite({ body: encodeUtf8(serializeSdp(offer)), contentType: SDP });
    if (outcome.kind !== 'Response') throw sessionException({ kind: outcome.kind === 'Timeout' ? 'Timeout' : 'TransportError', message: `re-INVITE failed: ${outcome.kind}` });
    if (outcome.response.status >= 300) throw sessionException(rejected(outcome.response.status, outcome.response.reason));
    record.localSdp = offer;
    const answer = this.parseSdpText(decodeUtf8(outcome.response.body));
    if (E.isRight(answer)) {
      record.remoteSdp = answer.right;
      const negotiated = processAnswer(offer, answer.right);
      if (E.isRight(negotiated)) this.applyMedia(record, negotiated.right);
    }
  }

  protected outOfDialogRequest(request: SipRequest): Answer {
    return { status: request.method === 'MESSAGE' ? 200 : 405 };
  }

  protected newRecord(direction: 'incoming' | 'outgoing', from: string, to: string): SessionRecord {
    let settle!: (error?: unknown) => void;
    const answered = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    answered.catch(() => undefined);
    const record: SessionRecord = {
      id: `sess-${this.ids.token(12)}`, direction, from, to, users: [userOf(from), userOf(to)], startedAtMs: this.deps.clock.nowMs(),
      state: 'Initializing', timers: [], answered, settleAnswered: settle,
    };
    this.sessions.set(record.id, record);
    this.countUsers(record, 1);
    this.total++;
    this.events.publish({ type: 'SessionCreated', sessionId: record.id, direction, from, to });
    return record;
  }

  protected async openMedia(record: SessionRecord): Promise<MediaSession> {
    const media = await MediaSession.open(this.deps.rtp, this.deps.clock, this.ids, `${record.id}@${this.deps.config.localAddress}`);
    if (E.isLeft(media)) {
      this.finish(record, 'No media ports', 'Fail');
      throw sessionException({ kind: 'ResourceExhausted', message: media.left.detail });
    }
    if (!this.sessions.has(record.id)) {
      // The call ended while the ports were opening: nobody would ever close them.
      void media.right.close();
      throw sessionException({ kind: 'InvalidState', state: record.state, operation: 'media', message: 'the call ended while its media was being opened' });
    }
    if (record.media !== undefined) {
      // Another call on this session (accept and sendEarlyMedia at once) opened its media first: one per call.
      void media.right.close();
      return record.media;
    }
    record.media = media.right;
    media.right.onDtmf((digit) => this.dtmf(record, digit));
    return media.right;
  }

  protected localMedia(media: MediaSession, direction: Direction): LocalMedia {
    const codecs = DEFAULT_CODECS.filter((c) => this.deps.config.codecs.includes(c.name))
      .sort((a, b) => this.deps.config.codecs.indexOf(a.name) - this.deps.config.codecs.indexOf(b.name));
    return { address: this.deps.config.localAddress, port: media.localAddress.rtpPort, codecs, telephoneEventPayloadType: 101, direction, ptimeMs: 20 };
  }

  protected sdpIdentity(previous?: SessionDescription): { username: string; sessionId: string; sessionVersion: string } {
    if (previous !== undefined) return { username: previous.origin.username, sessionId: previous.origin.sessionId, sessionVersion: (BigInt(previous.origin.sessionVersion) + 1n).toString() };
    return { username: '-', sessionId: String(this.ids.ssrc()), sessionVersion: '1' };
  }

  protected parseSdpText(text: string): E.Either<SessionError, SessionDescription> {
    return E.mapLeft((e: { detail: string }) => ({ kind: 'MediaError', message: `bad SDP: ${e.detail}` }) as SessionError)(parseSdp(text));
  }

  protected move(record: SessionRecord, event: CallEvent): void {
    const next = transition(record.state, event);
    if (E.isLeft(next)) return this.deps.logger?.debug('ignored transition', { session: record.id, state: record.state, event });
    const from = record.state;
    record.state = next.right;
    this.events.publish({ type: 'StateChanged', sessionId: record.id, from, to: next.right });
  }

  /** Ends a call once: final state, events, handler, media and timers released; kept a short while for getSession. */
  protected finish(record: SessionRecord, reason: string, event: CallEvent, error?: SessionError): void {
    if (isFinal(record.state) || !this.sessions.has(record.id)) return;
    if (record.state === 'Connected' || record.state === 'OnHold' || record.state === 'Transferring') this.move(record, event === 'Fail' ? 'Fail' : 'Ended');
    else if (record.state === 'Terminating') this.move(record, 'Ended');
    else this.move(record, event);
    if (!isFinal(record.state)) this.move(record, 'Fail');
    if (record.state === 'Failed') this.failed++;
    record.endReason = reason;
    record.timers.forEach((h) => this.deps.clock.cancel(h));
    record.timers = [];
    this.bridges.sessionEnded(record.id, reason);
    void record.media?.close();
    this.sessions.delete(record.id);
    this.countUsers(record, -1);
    const durationMs = record.connectedAtMs === undefined ? 0 : this.deps.clock.nowMs() - record.connectedAtMs;
    this.events.publish({ type: 'CallEnded', sessionId: record.id, reason, durationMs });
    this.deps.handler.onCallEnded?.(callInfo(record), reason);
    // Only a call still waiting for its answer has anyone to tell; an Error (with its stack) is not built for nothing.
    if (record.settleAnswered !== IGNORE_SETTLE) {
      record.settleAnswered(sessionException(error ?? { kind: 'Cancelled', message: `the call ended: ${reason}` }));
      record.settleAnswered = IGNORE_SETTLE;
    }
    if (this.deps.config.lingerMs > 0 && this.running) {
      this.ended.set(record.id, record);
      record.timers.push(this.deps.clock.schedule(this.deps.config.lingerMs, () => this.ended.delete(record.id)));
    }
  }

  protected userCount(user: string): number {
    return this.liveByUser.get(user) ?? 0;
  }

  /** A session counts once for each distinct user it involves (a call from alice to alice counts once). */
  private countUsers(record: SessionRecord, delta: 1 | -1): void {
    record.users.forEach((user, i) => {
      if (record.users.indexOf(user) !== i) return;
      const n = (this.liveByUser.get(user) ?? 0) + delta;
      if (n === 0) this.liveByUser.delete(user);
      else this.liveByUser.set(user, n);
    });
  }

  protected checkLimits(user: string): void {
    if (!this.running) throw sessionException({ kind: 'InvalidState', state: 'Stopped', operation: 'createOutgoingCall', message: 'the coordinator is not started' });
    if (this.sessions.size >= this.deps.config.maxSessions) throw sessionException({ kind: 'ResourceExhausted', message: `maxSessions (${this.deps.config.maxSessions}) reached` });
    if (this.userCount(user) >= this.deps.config.maxSessionsPerUser) throw sessionException({ kind: 'ResourceExhausted', message: `per-user limit reached for ${user}` });
  }

  protected record(sessionId: string): SessionRecord {
    const record = this.sessions.get(sessionId);
    if (record === undefined) throw sessionException(sessionNotFound(sessionId));
    return record;
  }

  protected check(record: SessionRecord, operation: SessionOperation): void {
    const ok = checkOperation(record.state, operation);
    if (E.isLeft(ok)) throw sessionException(ok.left);
  }

  protected mediaOf(sessionId: string): MediaSession {
    const media = (this.sessions.get(sessionId) ?? this.ended.get(sessionId))?.media;
    if (media === undefined) throw sessionException(this.sessions.has(sessionId) ? { kind: 'MediaError', message: 'no media session' } : sessionNotFound(sessionId));
    return media;
  }

  protected unwrap<T>(either: E.Either<SessionError, T>): T {
    if (E.isLeft(either)) throw sessionException(either.left);
    return either.right;
  }
}
