import * as E from 'fp-ts/lib/Either.js';
import { digitToEvent } from '../../domain/media/dtmf.js';
import { createAnswer, createOffer, holdDirection, resumeDirection, type NegotiatedAudio } from '../../domain/sdp/offer-answer.js';
import { serializeSdp } from '../../domain/sdp/serialize-sdp.js';
import { parseTarget } from '../../domain/session/call-target.js';
import { rejected, type SessionError } from '../../domain/session/session-error.js';
import type { SipHeader, SipResponse } from '../../domain/sip/message.js';
import { formatReplaces } from '../../domain/sip/typed-headers.js';
import { formatNameAddr } from '../../domain/sip/name-addr.js';
import { encodeUtf8 } from '../../domain/sip/text-codec.js';
import type { Clock } from '../../ports/clock.js';
import type { AudioSink, AudioSource } from '../media/audio-io.js';
import type { MediaStatistics } from '../media/media-session.js';
import type { CallInfo } from './call-handler.js';
import type { BridgeEvent, BridgeInfo } from './bridge-service.js';
import type { RegisterOptions, RegistrationInfo } from './registration-service.js';
import { sessionException } from './session-exception.js';
import { callInfo, userOf, type SessionRecord } from './session-record.js';
import { CoordinatorBase, DTMF_RELAY, SDP, type MediaInfo, type OutgoingCallOptions, type SessionStats } from './coordinator-base.js';

export type { CoordinatorDeps, MediaInfo, OutgoingCallOptions, SessionStats } from './coordinator-base.js';
export type { RegisterOptions, RegistrationInfo } from './registration-service.js';

/**
 * The session coordinator: SessionControl and MediaControl over the UA core
 * and media sessions. Each public call resolves or rejects with a SessionError;
 * calls move through the domain state machine, and every change is an event.
 */
export class SessionCoordinator extends CoordinatorBase {
  // ── SessionControl ──────────────────────────────────────────────────────

  async start(): Promise<void> {
    this.running = true;
  }

  /** Graceful stop: CANCEL or BYE every live call, wait (bounded) for them to end, then close everything. */
  async stop(timeoutMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const live = [...this.sessions.values()];
    // Each BYE or CANCEL, and each binding's removal, gets until the timeout to be answered; then the stack closes regardless.
    let timer: ReturnType<Clock['schedule']> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = this.deps.clock.schedule(timeoutMs, resolve)));
    await Promise.race([Promise.all([...live.map((r) => this.terminateSession(r.id).catch(() => undefined)), this.registrations.unregisterAll()]), timeout]);
    if (timer !== undefined) this.deps.clock.cancel(timer);
    for (const r of [...this.sessions.values()]) this.finish(r, 'Shutdown', 'Fail');
    for (const r of this.ended.values()) r.timers.forEach((h) => this.deps.clock.cancel(h));
    this.ended.clear();
    this.ua.close();
    await this.deps.transport.close();
  }

  get localEndpoint(): { readonly host: string; readonly port: number } | undefined {
    const protocol = this.deps.transport.protocols[0] ?? 'udp';
    return this.deps.transport.localEndpoint(protocol);
  }

  /**
   * Places a call. `sdp` replaces the generated offer; `options.delayedOffer`
   * sends the INVITE without SDP, takes the offer from the 2xx and answers it
   * in the ACK (RFC 3261 §13.2.2.4).
   */
  async createOutgoingCall(from: string, to: string, sdp?: string, headers: ReadonlyArray<SipHeader> = [], options: OutgoingCallOptions = {}): Promise<CallInfo> {
    const fromAddr = this.unwrap(parseTarget(from));
    const toAddr = this.unwrap(parseTarget(to));
    if (options.delayedOffer === true && sdp !== undefined) throw sessionException({ kind: 'InvalidConfig', field: 'delayedOffer', message: 'a delayed-offer call cannot carry an SDP offer' });
    this.checkLimits(userOf(from));
    const record = this.newRecord('outgoing', from, to);
    const media = this.deps.config.media ? await this.openMedia(record) : undefined;
    const delayed = options.delayedOffer === true && media !== undefined;
    const offer = sdp !== undefined ? this.unwrap(this.parseSdpText(sdp)) : media === undefined || delayed ? undefined : createOffer(this.localMedia(media, 'sendrecv'), this.sdpIdentity());
    if (offer !== undefined) record.localSdp = offer;
    let delayedResult: E.Either<SessionError, NegotiatedAudio> | undefined;
    const credentials = options.credentials ?? this.deps.config.credentials;
    const call = this.ua.invite({
      to: toAddr, from: fromAddr, answerTimeoutMs: this.deps.config.answerTimeoutMs, headers,
      ...(credentials === undefined ? {} : { credentials }),
      ...(this.outboundRoutes.length === 0 ? {} : { routes: this.outboundRoutes }),
      ...(offer === undefined ? {} : { body: encodeUtf8(serializeSdp(offer)), contentType: SDP }),
      ...(delayed ? { ackBody: (response: SipResponse, accepted: boolean) => {
        const answered = this.answerOfferIn2xx(record, media, response, accepted);
        if (accepted) delayedResult = answered.negotiated;
        return answered.ack;
      } } : {}),
    });
    if (E.isLeft(call)) {
      this.finish(record, 'TransportError', 'Fail');
      throw sessionException({ kind: 'TransportError', message: `cannot place the call: ${call.left.detail}` });
    }
    record.outgoing = call.right;
    this.move(record, 'Dial');
    call.right.on({ onProvisional: (response, early) => {
      if (response.status === 100) return;
      if (record.state === 'Dialing') this.move(record, 'RemoteRinging');
      if (offer !== undefined && !delayed && early !== undefined && response.body.length > 0) this.playEarlyMedia(record, offer, response, early.id.remoteTag);
    } });
    void call.right.outcome.then((outcome) => {
      switch (outcome.kind) {
        case 'Answered': {
          if (delayed) {
            const negotiated = delayedResult ?? E.left<SessionError, NegotiatedAudio>({ kind: 'MediaError', message: 'the 2xx carried no offer' });
            if (E.isRight(negotiated)) return this.established(record, outcome.session, negotiated.right);
            void outcome.session.bye();
            return this.finish(record, 'MediaError', 'Fail', negotiated.left);
          }
          if (offer === undefined || record.media === undefined) {
            // Signaling-only: no media to negotiate.
            this.established(record, outcome.session, undefined);
            return;
          }
          const read = this.answerIn2xx(record, offer, outcome.response, outcome.session.dialog.id.remoteTag);
          if (E.isLeft(read)) {
            void outcome.session.bye();
            this.finish(record, 'MediaError', 'Fail', read.left);
            return;
          }
          record.remoteSdp = read.right.answer;
          this.established(record, outcome.session, read.right.negotiated);
          return;
        }
        case 'Rejected': return this.finish(record, `Rejected ${outcome.status}`, 'Reject', rejected(outcome.status, outcome.response.reason));
        case 'Cancelled': return this.finish(record, 'Cancelled', 'Cancel', { kind: 'Cancelled', message: 'the call was cancelled' });
        case 'Timeout': return this.finish(record, 'Timeout', 'Fail', { kind: 'Timeout', message: 'no answer' });
        case 'TransportError': return this.finish(record, 'TransportError', 'Fail', { kind: 'TransportError', message: 'the INVITE could not be sent' });
      }
    });
    return callInfo(record);
  }

  // ── Registration (RFC 3261 §10.2) ─────────────────────────────────────────

  /**
   * Registers our contact for `options.aor` (default `sip:USER@REGISTRAR-HOST`)
   * at `registrar`, answering Digest challenges with the credentials; resolves
   * once registered (rejects Rejected / Timeout / TransportError / InvalidUri)
   * and keeps the binding refreshed until `unregister` or `stop`.
   */
  register(registrar: string, options: RegisterOptions = {}): Promise<RegistrationInfo> {
    return this.registrations.register(registrar, options);
  }

  /** Removes the binding (REGISTER with Expires: 0); SessionNotFound for an unknown id. */
  unregister(registrationId: string): Promise<void> {
    return this.registrations.unregister(registrationId);
  }

  listRegistrations(): RegistrationInfo[] {
    return this.registrations.list();
  }

  /** Resolves when the call is connected; rejects with Rejected, Cancelled, Timeout or another SessionError. */
  async waitForAnswer(sessionId: string, timeoutMs: number): Promise<CallInfo> {
    const record = this.record(sessionId);
    this.check(record, 'waitForAnswer');
    let timer: ReturnType<Clock['schedule']> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.deps.clock.schedule(timeoutMs, () => reject(sessionException({ kind: 'Timeout', message: `not answered within ${timeoutMs} ms` })));
    });
    try {
      await Promise.race([record.answered, timeout]);
    } finally {
      if (timer !== undefined) this.deps.clock.cancel(timer);
    }
    return callInfo(record);
  }

  async acceptIncomingCall(sessionId: string, sdp?: string): Promise<void> {
    const record = this.record(sessionId);
    this.check(record, 'accept');
    await this.accept(record, sdp);
  }

  /**
   * Early media (RFC 3960): answers the caller's offer in a 183 Session
   * Progress (or with `sdp`) and starts the call's media while it still
   * rings, so an announcement or a ringback played with startAudioTransmission
   * reaches the caller before acceptIncomingCall (whose 2xx repeats the same
   * answer) or a rejection. Calling it again resends the 183. Rejects with
   * InvalidState unless the call is incoming and ringing, MediaError when
   * the INVITE carried no offer.
   */
  async sendEarlyMedia(sessionId: string, sdp?: string): Promise<void> {
    const record = this.record(sessionId);
    this.check(record, 'earlyMedia');
    await this.sendEarlyAnswer(record, sdp);
  }

  async rejectIncomingCall(sessionId: string, status = 486, reason?: string): Promise<void> {
    const record = this.record(sessionId);
    this.check(record, 'reject');
    record.incoming?.reject(status, reason === undefined ? {} : { reason });
    this.finish(record, `Rejected ${status}`, 'Reject', rejected(status, reason ?? 'Rejected'));
  }

  /** CANCEL before an answer, BYE after; an incoming call still ringing is declined (603). */
  async terminateSession(sessionId: string): Promise<void> {
    const record = this.record(sessionId);
    this.check(record, 'terminate');
    if (record.dialog !== undefined) {
      this.move(record, 'Hangup');
      record.endingReason = 'Local hangup';
      await record.dialog.bye();
      this.finish(record, 'Local hangup', 'Ended');
    } else if (record.outgoing !== undefined) {
      const cancelled = record.outgoing.cancel();
      if (E.isLeft(cancelled)) this.finish(record, 'Cancelled', 'Cancel', { kind: 'Cancelled', message: 'cancelled' });
      await record.answered.catch(() => undefined);
    } else {
      record.incoming?.reject(603);
      this.finish(record, 'Declined', 'Reject', rejected(603, 'Decline'));
    }
  }

  /** Hold with a re-INVITE offering sendonly (or inactive), per RFC 6337. */
  async holdSession(sessionId: string): Promise<void> {
    const record = this.record(sessionId);
    this.check(record, 'hold');
    await this.modify(record, holdDirection(record.negotiated?.direction ?? 'sendrecv'));
    this.move(record, 'Hold');
    this.events.publish({ type: 'HoldChanged', sessionId, onHold: true });
  }

  async resumeSession(sessionId: string): Promise<void> {
    const record = this.record(sessionId);
    this.check(record, 'resume');
    await this.modify(record, resumeDirection());
    this.move(record, 'Resume');
    this.events.publish({ type: 'HoldChanged', sessionId, onHold: false });
  }

  /** RFC 4733 events when negotiated, otherwise SIP INFO with application/dtmf-relay. */
  async sendDtmf(sessionId: string, digits: string): Promise<void> {
    const record = this.record(sessionId);
    this.check(record, 'sendDtmf');
    for (const digit of digits) if (digitToEvent(digit) === undefined) throw sessionException({ kind: 'InvalidState', state: record.state, operation: 'sendDtmf', message: `'${digit}' is not a DTMF digit` });
    if (record.negotiated?.telephoneEventPayloadType !== undefined && record.media !== undefined) {
      await record.media.sendDtmf(digits);
      return;
    }
    for (const digit of digits) {
      const outcome = await record.dialog!.info(encodeUtf8(`Signal=${digit}\r\nDuration=160\r\n`), DTMF_RELAY);
      if (outcome.kind !== 'Response' || outcome.response.status >= 300) throw sessionException({ kind: 'TransportError', message: `INFO for DTMF failed (${outcome.kind})` });
    }
  }

  /**
   * Blind transfer (RFC 3515): REFER the peer to `target`, follow its NOTIFY
   * progress, and hang up once the transfer succeeded. Resolves with the final
   * sipfrag status; rejects when the peer refuses or the new call fails.
   * With `replaces` (another of our calls, to the target) it is an attended
   * transfer: the Refer-To carries Replaces (RFC 3891) for that call's dialog.
   */
  async transferSession(sessionId: string, target: string, replaces?: string): Promise<number> {
    const record = this.record(sessionId);
    this.check(record, 'transfer');
    const targetAddr = this.unwrap(parseTarget(target));
    let referTo = formatNameAddr({ uri: targetAddr.uri, params: [] });
    if (replaces !== undefined) {
      const consult = this.record(replaces).dialog?.dialog;
      if (consult === undefined) throw sessionException({ kind: 'InvalidState', state: this.record(replaces).state, operation: 'transfer', message: 'the consultation call has no dialog' });
      // The target sees our consultation dialog with its local tag as to-tag, ours as from-tag (RFC 3891 §3).
      const value = formatReplaces({ callId: consult.id.callId, toTag: consult.id.remoteTag, fromTag: consult.id.localTag, earlyOnly: false });
      const uri = targetAddr.uri.kind === 'sip' ? { ...targetAddr.uri, headers: [{ name: 'Replaces', value }] } : targetAddr.uri;
      referTo = formatNameAddr({ uri, params: [] });
    }
    this.move(record, 'Transfer');
    const done = new Promise<number>((resolve, reject) => (record.transfer = { resolve, reject, target }));
    const outcome = await record.dialog!.sendRequest('REFER', { headers: [
      { name: 'Refer-To', value: referTo },
      { name: 'Referred-By', value: `<sip:session-core@${this.deps.config.localAddress}>` },
    ] });
    if (outcome.kind !== 'Response' || outcome.response.status >= 300) {
      this.transferEnded(record, outcome.kind === 'Response' ? outcome.response.status : 408);
    }
    return done;
  }

  getSession(sessionId: string): CallInfo | undefined {
    const record = this.sessions.get(sessionId) ?? this.ended.get(sessionId);
    return record === undefined ? undefined : callInfo(record);
  }

  listActiveSessions(): string[] {
    return [...this.sessions.keys()];
  }

  getStats(): SessionStats {
    const byState: Record<string, number> = {};
    const perUser: Record<string, number> = {};
    for (const r of this.sessions.values()) {
      byState[r.state] = (byState[r.state] ?? 0) + 1;
      for (const u of r.users) perUser[u] = (perUser[u] ?? 0) + 1;
    }
    return { active: this.sessions.size, total: this.total, failed: this.failed, byState, perUser };
  }

  /** Live SIP state, for leak checks. */
  resources(): { readonly sessions: number; readonly lingering: number; readonly dialogs: number; readonly transactions: number; readonly registrations: number } {
    const tx = this.ua.layer.counts();
    const ua = this.ua.counts();
    return { sessions: this.sessions.size, lingering: this.ended.size, dialogs: ua.dialogs, transactions: tx.ict + tx.nict + tx.ist + tx.nist, registrations: ua.registrations };
  }

  // ── Bridges ─────────────────────────────────────────────────────────────

  /** Joins two connected calls: each hears the other, transcoded if their codecs differ, DTMF carried across. */
  bridgeSessions(first: string, second: string): string {
    const id = this.bridges.create();
    for (const sessionId of [first, second]) {
      const added = this.bridges.add(id, sessionId);
      if (E.isLeft(added)) {
        this.bridges.destroy(id);
        throw sessionException(added.left);
      }
    }
    return id;
  }

  /** An empty bridge (a conference room); `autoDestroy` false keeps it when members leave. */
  createBridge(autoDestroy = true): string {
    return this.bridges.create(autoDestroy);
  }

  addSessionToBridge(bridgeId: string, sessionId: string): void {
    this.record(sessionId);
    this.unwrap(this.bridges.add(bridgeId, sessionId));
  }

  removeSessionFromBridge(bridgeId: string, sessionId: string): void {
    this.unwrap(this.bridges.remove(bridgeId, sessionId));
  }

  destroyBridge(bridgeId: string): void {
    this.unwrap(this.bridges.destroy(bridgeId));
  }

  getSessionBridge(sessionId: string): string | undefined {
    return this.bridges.bridgeOf(sessionId);
  }

  listBridges(): BridgeInfo[] {
    return this.bridges.list();
  }

  subscribeToBridgeEvents(listener: (event: BridgeEvent) => void): { unsubscribe(): void } {
    return this.bridges.subscribe(listener);
  }

  // ── MediaControl ────────────────────────────────────────────────────────

  generateSdpOffer(sessionId: string): string {
    const record = this.record(sessionId);
    if (record.media === undefined) throw sessionException({ kind: 'MediaError', message: 'no media session' });
    return serializeSdp(record.localSdp ?? createOffer(this.localMedia(record.media, 'sendrecv'), this.sdpIdentity()));
  }

  generateSdpAnswer(sessionId: string, offer: string): string {
    const record = this.record(sessionId);
    if (record.media === undefined) throw sessionException({ kind: 'MediaError', message: 'no media session' });
    const parsed = this.unwrap(this.parseSdpText(offer));
    const answer = createAnswer(parsed, this.localMedia(record.media, 'sendrecv'), this.sdpIdentity());
    if (E.isLeft(answer)) throw sessionException({ kind: 'MediaError', message: answer.left.detail });
    return serializeSdp(answer.right.answer);
  }

  /** Points the call's audio at "ip:port" (e.g. after an out-of-band answer). */
  establishMediaFlow(sessionId: string, remote: string): void {
    const record = this.record(sessionId);
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(remote);
    if (record.media === undefined || match === null) throw sessionException({ kind: 'MediaError', message: `cannot establish media to ${remote}` });
    const port = Number(match[2]);
    const current = record.media.parameters;
    record.media.configure({
      codec: current?.codec ?? 'PCMU', payloadType: current?.payloadType ?? 0, direction: current?.direction ?? 'sendrecv',
      ...(current?.telephoneEventPayloadType === undefined ? {} : { telephoneEventPayloadType: current.telephoneEventPayloadType }),
      remote: { host: match[1] as string, port }, remoteRtcpPort: port + 1,
    });
    record.media.start();
  }

  startAudioTransmission(sessionId: string, source: AudioSource = { kind: 'silence' }): void {
    const media = this.mediaOf(sessionId);
    media.setSource(source);
    media.start();
  }

  stopAudioTransmission(sessionId: string): void {
    this.mediaOf(sessionId).setSource({ kind: 'silence' });
  }

  /** Where received audio goes: discard, record (read it back with getRecording), or a callback. */
  setAudioSink(sessionId: string, sink: AudioSink): void {
    this.mediaOf(sessionId).setSink(sink);
  }

  getRecording(sessionId: string): Int16Array {
    return this.mediaOf(sessionId).recording();
  }

  getMediaInfo(sessionId: string): MediaInfo {
    const media = this.mediaOf(sessionId);
    const record = (this.sessions.get(sessionId) ?? this.ended.get(sessionId)) as SessionRecord;
    return {
      localAddress: this.deps.config.localAddress, localRtpPort: media.localAddress.rtpPort,
      remoteAddress: media.parameters?.remote.host, remoteRtpPort: media.parameters?.remote.port,
      codec: record.negotiated?.codec, direction: media.parameters?.direction,
    };
  }

  getMediaStatistics(sessionId: string): MediaStatistics {
    return this.mediaOf(sessionId).statistics();
  }

  /** Publishes a MediaQuality event every `intervalMs` until the call ends. */
  startStatisticsMonitoring(sessionId: string, intervalMs: number): void {
    const record = this.record(sessionId);
    const tick = (): void => {
      if (!this.sessions.has(sessionId) || record.media === undefined) return;
      const s = record.media.statistics();
      this.events.publish({ type: 'MediaQuality', sessionId, mos: s.mos, lossPercent: s.lossPercent, jitterMs: s.jitterMs, rttMs: s.rttMs });
      record.timers.push(this.deps.clock.schedule(intervalMs, tick));
    };
    record.timers.push(this.deps.clock.schedule(intervalMs, tick));
  }

}
