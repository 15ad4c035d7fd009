import { invalidArgument, sessionNotFound } from '../../domain/session/session-error.js';
import type { SipHeader } from '../../domain/sip/message.js';
import { reasonHeader, type EndReason } from '../../domain/sip/reason-header.js';
import type { Binding } from '../../domain/registrar/registrar.js';
import type { AuthCounters } from '../auth/authenticator.js';
import type { RegistrarService } from '../registrar/registrar-service.js';
import type { ReachOptions } from './reach.js';
import type { TimerHandle } from '../../ports/clock.js';
import type { TransportCounters } from '../../ports/sip-transport.js';
import type { TransportProtocol } from '../../domain/transport/endpoint.js';
import type { BridgeEvent, BridgeInfo } from './bridge-service.js';
import type { CallOperations } from './call-handle.js';
import { CoordinatorMedia, unwrap } from './coordinator-media.js';
import type { ClusterStats } from '../cluster/cluster-stats.js';
import type { SessionServices } from './coordinator-services.js';
import type { DtmfOptions } from './dtmf-service.js';
import type { EventBus } from './event-bus.js';
import type { SubscriptionInfo } from '../events/subscriber.js';
import type { OutgoingCallOptions } from './outgoing-calls.js';
import type { RegisterOptions, RegistrationInfo } from './registration-service.js';
import { sessionException } from './session-exception.js';
import { callInfo, type CallInfo, type SessionRecord } from './session-record.js';
import type { SessionStats } from './session-stats.js';

export type { MediaInfo } from './media-control.js';
export type { SessionStats } from './session-stats.js';
export type { SessionServices } from './coordinator-services.js';
export type { OutgoingCallOptions } from './outgoing-calls.js';
export type { RegisterOptions, RegistrationInfo } from './registration-service.js';

/** `coordinator.metrics()`: calls, live SIP state, transport counters and bus volume at one instant. */
export interface CoordinatorMetrics {
  readonly running: boolean;
  readonly sessions: SessionStats;
  readonly resources: ReturnType<SessionCoordinator['resources']>;
  readonly transport: TransportCounters;
  readonly eventsPublished: number;
}

/** How long `stop()` waits by default for BYEs, CANCELs and registration removals to be answered. */
export const DEFAULT_STOP_GRACE_MS = 500;

/**
 * SessionControl, MediaControl and bridges: the public face of the session
 * services. It holds no call state of its own; each method asks the service
 * that owns the concern and turns its Either into a resolved value or a
 * rejected `SessionError`.
 */
export class SessionCoordinator extends CoordinatorMedia implements CallOperations {
  readonly events: EventBus;
  private stopping: Promise<void> | undefined;
  private readonly closers: Array<() => Promise<void>> = [];

  constructor(s: SessionServices) {
    super(s);
    this.events = s.events;
  }

  // ── lifecycle of the coordinator ───────────────────────────────────────

  async start(): Promise<void> {
    this.s.admission.start();
    this.s.registrar?.start();
  }

  /**
   * Graceful stop: every live call ended (BYE, CANCEL, 603) and every registration removed at once; their
   * answers are awaited for at most `graceMs`, then the stack closes and nothing of it keeps the process alive.
   */
  stop(graceMs = DEFAULT_STOP_GRACE_MS): Promise<void> {
    // Once only, started or not: a coordinator built and never started still holds its sockets.
    this.stopping ??= this.stopNow(graceMs);
    return this.stopping;
  }

  /** Runs `close` at the end of stop(): for driving adapters the composition root started (the HTTP server). */
  closeOnStop(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  private async stopNow(graceMs: number): Promise<void> {
    this.s.admission.stop();
    this.s.registrar?.stop();
    const unregistered = this.s.registrations.unregisterAll();
    for (const record of this.s.table.liveRecords()) this.s.termination.end(record, 'Shutdown');
    let timer: TimerHandle | undefined;
    const grace = new Promise<void>((resolve) => (timer = this.s.clock.schedule(graceMs, resolve)));
    // Calls hung up earlier may still wait for their BYE's answer too: all of it gets the grace period.
    await Promise.race([Promise.all([unregistered, this.s.termination.settled()]), grace]);
    if (timer !== undefined) this.s.clock.cancel(timer);
    for (const record of this.s.table.liveRecords()) this.shutDown(record);
    this.s.table.forgetEnded();
    this.s.notifier?.close();
    this.s.subscriber.close();
    this.s.ua.close();
    await this.s.transport.close();
    await Promise.all(this.closers.map((close) => close()));
  }

  /**
   * Stops taking new calls — incoming INVITEs get 503, and so do OPTIONS probes, so a load balancer such as
   * Kamailio's dispatcher sends new calls elsewhere — while the calls in progress carry on. stop() ends them.
   */
  drain(): void {
    this.s.admission.drain();
    this.s.ua.draining = true;
  }

  get localEndpoint(): { readonly host: string; readonly port: number } | undefined {
    const protocol = this.s.transport.protocols[0] ?? 'udp';
    return this.s.transport.localEndpoint(protocol);
  }

  /** Where this coordinator listens for one transport (`tls` usually has its own port), if it does. */
  localEndpointFor(protocol: TransportProtocol): { readonly host: string; readonly port: number } | undefined {
    return this.s.transport.localEndpoint(protocol);
  }

  // ── SessionControl ─────────────────────────────────────────────────────

  /**
   * Places a call. `sdp` replaces the generated offer; `options.delayedOffer` sends the INVITE without SDP,
   * takes the offer from the 2xx and answers it in the ACK (RFC 3261 §13.2.2.4).
   */
  async createOutgoingCall(
    from: string, to: string, sdp?: string, headers: ReadonlyArray<SipHeader> = [], options: OutgoingCallOptions = {},
  ): Promise<CallInfo> {
    return unwrap(await this.s.outgoing.create(from, to, sdp, headers, options));
  }

  /**
   * Resolves when the call is answered; rejects with Rejected (with the status), Cancelled, Timeout or
   * another SessionError. An outgoing call not answered within `timeoutMs` is given up: it ends as Timeout.
   */
  async waitForAnswer(sessionId: string, timeoutMs: number): Promise<CallInfo> {
    return unwrap(await this.s.outgoing.waitForAnswer(sessionId, timeoutMs));
  }

  async acceptIncomingCall(sessionId: string, sdp?: string): Promise<void> {
    unwrap(await this.s.answering.accept(unwrap(this.s.table.require(sessionId)), sdp));
  }

  /**
   * Early media (RFC 3960): answers the caller's offer in a 183 (or with `sdp`) and starts the media while
   * it rings, so startAudioTransmission reaches the caller before acceptIncomingCall or a rejection.
   */
  async sendEarlyMedia(sessionId: string, sdp?: string): Promise<void> {
    unwrap(await this.s.answering.sendEarlyMedia(unwrap(this.s.table.require(sessionId)), sdp));
  }

  async rejectIncomingCall(sessionId: string, status = 486, reason?: string): Promise<void> {
    unwrap(this.s.answering.reject(unwrap(this.s.table.require(sessionId)), status, reason, `Rejected ${status}`));
  }

  /** Redirects a ringing incoming call: 302 with `target` in Contact. */
  async forwardIncomingCall(sessionId: string, target: string): Promise<void> {
    unwrap(this.s.answering.forward(unwrap(this.s.table.require(sessionId)), target));
  }

  /**
   * CANCEL before an answer, BYE after; an incoming call still ringing is declined (603). Resolves once the
   * call has ended for the user; the signaling finishes in the background.
   */
  async terminateSession(sessionId: string, options: { readonly reason?: EndReason } = {}): Promise<void> {
    const reason = options.reason === undefined ? undefined : reasonHeader(options.reason);
    if (options.reason !== undefined && reason === undefined) throw sessionException(
      invalidArgument('reason', `cause ${options.reason.cause} is not a ${options.reason.protocol} cause`),
    );
    unwrap(this.s.termination.terminate(sessionId, 'Local hangup', reason === undefined ? [] : [reason]));
  }

  /** Hold with a re-INVITE offering sendonly (or inactive), per RFC 6337. */
  async holdSession(sessionId: string): Promise<void> {
    unwrap(await this.s.holdResume.hold(sessionId));
  }

  async resumeSession(sessionId: string): Promise<void> {
    unwrap(await this.s.holdResume.resume(sessionId));
  }

  /**
   * RFC 4733 events when negotiated, otherwise SIP INFO with application/dtmf-relay; `{ method: 'info' }`
   * sends INFO even when RFC 4733 was negotiated (a PBX that listens for INFO only), `'rfc4733'` insists.
   */
  async sendDtmf(sessionId: string, digits: string, options: DtmfOptions = {}): Promise<void> {
    unwrap(await this.s.dtmf.send(sessionId, digits, options));
  }

  /**
   * Blind transfer (RFC 3515): REFER the peer to `target`, follow its NOTIFY progress, and hang up once the
   * transfer succeeded (the call then ends with reason `Transferred`). Resolves with the final sipfrag status
   * (a 2xx); rejects when the peer refuses or the new call fails. With `replaces` (another of our calls, to
   * the target) it is an attended transfer.
   */
  async transferSession(sessionId: string, target: string, replaces?: string): Promise<number> {
    return unwrap(await this.s.transfer.transfer(sessionId, target, replaces));
  }

  /** A live call, or an ended one still retained (with its `endReason` and `status`); else undefined. */
  getSession(sessionId: string): CallInfo | undefined {
    const record = this.s.table.find(sessionId);
    return record === undefined ? undefined : callInfo(record);
  }

  listActiveSessions(): string[] {
    return this.s.table.liveIds();
  }

  getStats(): SessionStats {
    return {
      ...this.s.table.stats(), refused: this.s.admission.counters().refused, callbackFailures: this.s.userCode.failures,
    };
  }

  /** The dialog store's figures (withDialogStore): our calls written to it, dead workers' calls recovered. */
  clusterStats(): ClusterStats | undefined {
    const { persistence, recovery, watch } = this.s;
    return persistence === undefined || recovery === undefined || watch === undefined
      ? undefined : { store: persistence.stats(), recovery: recovery.stats(), watch: watch.stats() };
  }

  /** Live SIP state and open RTP port pairs, for leak checks. */
  resources(): {
    readonly sessions: number; readonly lingering: number; readonly dialogs: number; readonly transactions: number;
    readonly registrations: number; readonly subscriptions: number; readonly mediaPorts: number;
  } {
    const tx = this.s.ua.layer.counts();
    const ua = this.s.ua.counts();
    return {
      sessions: this.s.table.liveCount, lingering: this.s.table.retainedCount, dialogs: ua.dialogs,
      transactions: tx.ict + tx.nict + tx.ist + tx.nist, registrations: ua.registrations,
      subscriptions: this.s.subscriber.count + (this.s.notifier?.count ?? 0) + this.s.referWatcher.count
        + this.s.referNotifier.count,
      mediaPorts: this.s.media.openPorts(),
    };
  }

  /**
   * Every counter the coordinator keeps, in one snapshot: for an exporter of your own (Prometheus users have
   * SessionMetrics). Cheap enough to read every second.
   */
  metrics(): CoordinatorMetrics {
    return {
      running: this.s.admission.isRunning, sessions: this.getStats(), resources: this.resources(),
      transport: this.s.transport.counters(), eventsPublished: this.s.events.publishedCount(),
    };
  }

  /** Whether calls are taken (started, not stopping), and the transports' counters: for health and metrics. */
  health(): { readonly running: boolean; readonly transport: TransportCounters } {
    return { running: this.s.admission.isRunning, transport: this.s.transport.counters() };
  }

  // ── Registration (RFC 3261 §10.2) ──────────────────────────────────────

  /**
   * Registers our contact for `options.aor` (default `sip:USER@REGISTRAR-HOST`) at `registrar`, answering
   * Digest challenges; resolves once registered and keeps the binding refreshed until `unregister` or `stop`.
   */
  async register(registrar: string, options: RegisterOptions = {}): Promise<RegistrationInfo> {
    return unwrap(await this.s.registrations.register(registrar, options));
  }

  /** Removes the binding (REGISTER with Expires: 0); SessionNotFound for an unknown id. */
  async unregister(registrationId: string): Promise<void> {
    unwrap(await this.s.registrations.unregister(registrationId));
  }

  listRegistrations(): RegistrationInfo[] {
    return this.s.registrations.list();
  }

  // ── Serving phones: registrar (RFC 3261 §10.3), MESSAGE (RFC 3428) ─────

  /** The live bindings of an address of record (`sip:bob@example.com`), highest q first. */
  async lookup(aor: string): Promise<Binding[]> {
    return [...await this.registrar('lookup').lookup(aor)];
  }

  /** Every live binding this registrar holds. */
  async listBindings(): Promise<Binding[]> {
    return [...await this.registrar('listBindings').list()];
  }

  /** Digest authentication of incoming requests so far: challenges, successes, failures, refusals. */
  authenticationCounters(): AuthCounters | undefined {
    return this.s.authenticator?.counters();
  }

  /**
   * Sends a MESSAGE outside any dialog; resolves with the final status (a refusal too), rejects on no answer.
   * `reach` sends it to one registered contact of `to` (its URI, Path and source: see `lookup`).
   */
  async sendMessage(
    from: string, to: string, body: string, contentType = 'text/plain', reach: ReachOptions = {},
  ): Promise<number> {
    return unwrap(await this.s.messages.send(from, to, body, contentType, reach));
  }

  /** Sends a MESSAGE inside a call (RFC 3428 §4); resolves with the final status. */
  async sendMessageInCall(sessionId: string, body: string, contentType = 'text/plain'): Promise<number> {
    const record = unwrap(this.s.table.require(sessionId));
    return unwrap(await this.s.messages.sendInCall(record, body, contentType));
  }

  private registrar(operation: string): RegistrarService {
    if (this.s.registrar !== undefined) return this.s.registrar;
    throw sessionException({
      kind: 'InvalidConfig', field: 'registrar', message: `${operation}: no registrar here (withRegistrar)`,
    });
  }

  // ── Event subscriptions (RFC 6665) ─────────────────────────────────────

  /**
   * Subscribes to `event` (`message-summary`, `presence`, `dialog`…) at `target`; its NOTIFYs arrive as
   * `SubscriptionNotified` events, its end as `SubscriptionTerminated`. Refreshed until `unsubscribe` or stop.
   */
  async subscribe(
    target: string, event: string, options: { readonly expiresSec?: number; readonly from?: string } = {},
  ): Promise<SubscriptionInfo> {
    return unwrap(await this.s.subscriber.subscribe(target, event, options.expiresSec ?? 3600, options.from));
  }

  /** Ends one of our subscriptions: one made by `subscribe`, or a transfer's REFER subscription. */
  async unsubscribe(subscriptionId: string): Promise<void> {
    const ours = this.s.referWatcher.list().some((s) => s.id === subscriptionId);
    unwrap(await (ours ? this.s.referWatcher : this.s.subscriber).unsubscribe(subscriptionId));
  }

  /** Our subscriptions: those made by `subscribe`, and those our transfers' REFERs made (event `refer`). */
  listSubscriptions(): SubscriptionInfo[] {
    return [...this.s.subscriber.list(), ...this.s.referWatcher.list()];
  }

  /**
   * The state of `resource` (`user@host`) in a package we serve — a `MessageSummary` for message-summary,
   * a `PresenceState` for presence: its subscribers are told (at the package's pace).
   */
  publishState(resource: string, eventPackage: string, state: unknown): void {
    const notifier = this.s.notifier;
    if (notifier === undefined || !notifier.packageNames.includes(eventPackage)) throw sessionException(
      invalidArgument('eventPackage', `${eventPackage} is not served here (withEventPackages)`),
    );
    notifier.publish(eventPackage, resource.replace(/^sips?:/i, '').toLowerCase(), state);
  }

  /** Lets a pending subscription (see `onSubscribe`) see its resource, or ends it (`allow` false). */
  decideSubscription(subscriptionId: string, allow: boolean): void {
    const decided = this.s.notifier?.decide(subscriptionId, allow) === true;
    if (!decided) throw sessionException(sessionNotFound(subscriptionId));
  }

  // ── Bridges ────────────────────────────────────────────────────────────

  /** Two calls as the legs of one B2BUA call: stored linked, recovered together (CallRecovered names the other). */
  linkSessions(first: string, second: string): void {
    const [a, b] = [unwrap(this.s.table.require(first)), unwrap(this.s.table.require(second))];
    [a.partner, b.partner] = [b.id, a.id];
    for (const record of [a, b]) this.s.persistence?.changed(record);
  }

  /** Joins two connected calls: each hears the other, transcoded if their codecs differ, DTMF carried across. */
  bridgeSessions(first: string, second: string): string {
    return unwrap(this.s.bridges.pair(first, second));
  }

  /** An empty bridge (a conference room); `autoDestroy` false keeps it when members leave. */
  createBridge(autoDestroy = true): string {
    return this.s.bridges.create(autoDestroy);
  }

  addSessionToBridge(bridgeId: string, sessionId: string): void {
    unwrap(this.s.table.require(sessionId));
    unwrap(this.s.bridges.add(bridgeId, sessionId));
  }

  removeSessionFromBridge(bridgeId: string, sessionId: string): void {
    unwrap(this.s.bridges.remove(bridgeId, sessionId));
  }

  destroyBridge(bridgeId: string): void {
    unwrap(this.s.bridges.destroy(bridgeId));
  }

  getSessionBridge(sessionId: string): string | undefined {
    return this.s.bridges.bridgeOf(sessionId);
  }

  listBridges(): BridgeInfo[] {
    return this.s.bridges.list();
  }

  subscribeToBridgeEvents(listener: (event: BridgeEvent) => void): { unsubscribe(): void } {
    return this.s.bridges.subscribe(listener);
  }

  /** A call still live after the grace period: ended without waiting any longer. */
  private shutDown(record: SessionRecord): void {
    this.s.termination.shutDown(record);
  }
}
