import * as E from 'fp-ts/lib/Either.js';
import { dialogKey, type Dialog } from '../../domain/dialog/dialog.js';
import type { TransportProtocol } from '../../domain/transport/endpoint.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import { coreHeaders } from '../../domain/sip/core-headers.js';
import { responseForProblem } from '../../domain/sip/error-response.js';
import { HEADER } from '../../domain/sip/header-names.js';
import { headerValue, type SipRequest, type SipResponse } from '../../domain/sip/message.js';
import { formatNameAddr, type NameAddr } from '../../domain/sip/name-addr.js';
import { paramValue } from '../../domain/sip/params.js';
import type { Uri } from '../../domain/sip/uri.js';
import { validateRequest } from '../../domain/sip/validate-request.js';
import { uasTimerDecision } from '../../domain/dialog/session-timer.js';
import { uasReliability } from '../../domain/dialog/reliable-provisional.js';
import { DEFAULT_TIMERS } from '../../domain/transaction/timer-config.js';
import type { TerminationReason } from '../../domain/transaction/transaction-effect.js';
import type { Clock } from '../../ports/clock.js';
import type { Hash } from '../../ports/hash.js';
import { ownString } from '../own-string.js';
import type { Logger } from '../../ports/logger.js';
import type { Random } from '../../ports/random.js';
import type { InboundMessage, SipTransport } from '../../ports/sip-transport.js';
import { IdGenerator } from '../id-generator.js';
import { TransactionLayer, type ServerTransaction, type TransactionUser } from '../transaction-layer.js';
import { isPromise } from '../is-promise.js';
import type { CallOptions, UaHandler } from './ua-handler.js';
import { DialogUsages } from './dialog-usages.js';
import { IncomingInvite } from './incoming-invite.js';
import {
  InviteSession, type Answer, type RequestOutcome, type SessionEndReason,
} from './invite-session.js';
import { optionsResponse } from './options-response.js';
import { dialogKeyOf, outgoingKey, outgoingKeyOf } from './request-keys.js';
import { sendOptions, sendOutOfDialog, type RequestOptions } from './out-of-dialog-request.js';
import { initialInvite } from './initial-invite.js';
import { OutgoingInvite } from './outgoing-invite.js';
import { Registration, type RegistrationOptions } from './registration.js';
import { SessionTimerSweep } from './session-timer.js';
import {
  allowedMethods, isSips, localContact, nextHop, reliability, supportedTags, UA_ACCEPT,
  type UaConfig, type UaContext, type UaError,
} from './ua-context.js';

export type { CallOptions, RequestSource, UaHandler } from './ua-handler.js';

const DEFAULT_CONFIG: UaConfig = { contactUser: 'session-core', userAgent: 'session-core', timers: DEFAULT_TIMERS };

/**
 * The user-agent core (RFC 3261 §8, §12–§15) on the transaction layer: checks
 * every new request (§8.2), creates and finds dialogs in O(1), runs the INVITE
 * usages on both sides, and answers what needs no application decision
 * (OPTIONS, BYE, CANCEL, 481 for unknown dialogs, 482 for merged requests).
 */
export class UaCore implements TransactionUser {
  readonly layer: TransactionLayer;
  /** Dialogs of other usages than calls: subscriptions (see the events services). */
  readonly usages: DialogUsages;
  private readonly ctx: UaContext;
  private readonly sessions = new Map<string, InviteSession>();
  /** INVITEs awaiting their answer, by server transaction id. */
  private readonly incoming = new Map<number, IncomingInvite>();
  /**
   * Answered INVITEs keep only their To tag here (for a late CANCEL's 200,
   * §9.2) until the transaction ends, so an answered call is not held for 64·T1.
   */
  private readonly answeredInviteTags = new Map<number, string>();
  private readonly awaitingAck = new Map<string, IncomingInvite>();
  private readonly outgoing = new Map<string, OutgoingInvite>();
  private readonly registrations = new Set<Registration>();
  private readonly mergeKeys = new Map<string, number>();
  private readonly mergeKeyOfTx = new Map<number, string>();
  /** The methods we answer (validateRequest refuses the others with 405). */
  private readonly allowed: ReadonlySet<string>;
  /** INVITEs with reliable provisionals (PRACKs and UPDATEs may come), by their early dialog's key. */
  private readonly earlyIncoming = new Map<string, IncomingInvite>();
  private readonly onExpectPrack = (invite: IncomingInvite, expecting: boolean): void => {
    const key = dialogKeyOf(invite.request, invite.localTag);
    if (key === undefined) return;
    if (expecting) this.earlyIncoming.set(key, invite);
    else if (this.earlyIncoming.get(key) === invite) this.earlyIncoming.delete(key);
  };
  private readonly supported: ReadonlySet<string>;
  private closed = false;
  /** Out-of-dialog OPTIONS are answered 503 (see Admission.drain). */
  draining = false;
  /**
   * One callback for every session's end. A closure made where an INVITE is in
   * scope would share that scope's context and keep the INVITE (and its request)
   * alive for the whole call.
   */
  private readonly onSessionEnded = (s: InviteSession, reason: SessionEndReason): void => this.sessionEnded(s, reason);
  private readonly onInviteSettled = (invite: IncomingInvite): void => {
    if (this.incoming.get(invite.transaction.id) !== invite) return;
    this.incoming.delete(invite.transaction.id);
    this.answeredInviteTags.set(invite.transaction.id, invite.localTag);
  };

  constructor(
    transport: SipTransport,
    clock: Clock,
    random: Random,
    private readonly handler: UaHandler,
    config: Partial<UaConfig> = {},
    logger?: Logger,
    hash?: Hash,
  ) {
    const full: UaConfig = { ...DEFAULT_CONFIG, ...config };
    this.layer = new TransactionLayer(
      transport, clock, this, { timers: full.timers, ...(logger === undefined ? {} : { logger }) },
    );
    this.ctx = {
      transport, layer: this.layer, clock, ids: new IdGenerator(random), config: full, logger, hash,
      timers: new SessionTimerSweep(clock),
    };
    this.allowed = new Set(allowedMethods(full));
    this.supported = new Set(supportedTags(full));
    this.usages = new DialogUsages(this.ctx);
  }

  /** Live dialogs (confirmed INVITE sessions) and transactions, for leak checks. */
  counts(): {
    readonly dialogs: number; readonly pendingIncoming: number; readonly pendingOutgoing: number;
    readonly registrations: number;
  } {
    return {
      dialogs: this.sessions.size, pendingIncoming: this.incoming.size, pendingOutgoing: this.outgoing.size,
      registrations: this.registrations.size,
    };
  }

  /**
   * Starts keeping a contact binding at a registrar (§10.2); call `register()` on the result to send the first
   * REGISTER.
   */
  registration(options: RegistrationOptions): E.Either<UaError, Registration> {
    const hop = options.target === undefined ? nextHop(options.routes?.[0]?.uri ?? options.registrar)
      : E.right(options.target);
    if (E.isLeft(hop)) return hop;
    const registration = new Registration(this.ctx, hop.right, options, (r) => this.registrations.delete(r));
    this.registrations.add(registration);
    return E.right(registration);
  }

  /** Places a call (§13.2.1). */
  invite(options: CallOptions): E.Either<UaError, OutgoingInvite> {
    const uri = options.requestUri ?? options.to.uri;
    const located = options.targets?.[0];
    const hop = options.flow !== undefined ? E.right(options.flow)
      : located !== undefined ? E.right(located) : nextHop(options.routes?.[0]?.uri ?? uri);
    if (E.isLeft(hop)) return hop;
    const request = initialInvite(this.ctx, options, uri, hop.right.protocol);
    const call = new OutgoingInvite(this.ctx, request, hop.right, options.answerTimeoutMs ?? 120_000,
      (s) =>
        this.registerSession(s), this.onSessionEnded, (c) =>
          this.outgoing.delete(outgoingKey(c.request)), options.ackBody, options.credentials, options.flow,
      options.flow === undefined ? options.targets?.slice(1) : undefined, options.followRedirects ?? true);
    this.outgoing.set(outgoingKey(request), call);
    const started = call.start();
    if (E.isLeft(started)) {
      this.outgoing.delete(outgoingKey(request));
      return started;
    }
    return E.right(call);
  }

  /** A request outside any dialog that is not an INVITE (MESSAGE, …): its final response, Digest answered. */
  request(options: RequestOptions): Promise<RequestOutcome> {
    if (this.closed) return Promise.resolve({ kind: 'NotSent', detail: 'the user agent was closed' });
    return sendOutOfDialog(this.ctx, options);
  }

  /** OPTIONS outside any dialog (§11): a capability query or keep-alive. */
  options(uri: Uri, from: NameAddr): Promise<RequestOutcome> {
    return sendOptions(this.ctx, uri, from);
  }

  /** Ends every session without signaling and stops all transactions. */
  close(): void {
    this.closed = true;
    // Pending calls settle now: their answer timers must not keep the process alive after a stop.
    for (const call of [...this.outgoing.values()]) call.close();
    this.outgoing.clear();
    for (const session of [...this.sessions.values()]) session.end('Shutdown');
    for (const registration of [...this.registrations]) registration.close();
    this.layer.close();
  }

  onRequest(request: SipRequest, tx: ServerTransaction, cancelled: ServerTransaction | undefined): void {
    if (this.closed) return void tx.respond(buildResponse(request, 503));
    if (request.method === 'CANCEL') return this.onCancel(request, tx, cancelled);
    const [found] = validateRequest(request, { allowedMethods: this.allowed, supportedExtensions: this.supported });
    // §8.2.1: a UAS answers any method it does not support, known or not, with 405 and Allow.
    const problem = found?.kind === 'UnknownMethod' ? { ...found, kind: 'MethodNotAllowed' as const } : found;
    if (problem !== undefined) {
      const allow = allowedMethods(this.ctx.config);
      const { status, reason, headers } = responseForProblem(problem, { allow, accept: UA_ACCEPT });
      return void tx.respond(buildResponse(request, status, { reason, headers, toTag: this.ctx.ids.tag() }));
    }
    const core = coreHeaders(request);
    if (E.isLeft(core)) return;
    const toTag = core.right.to === undefined ? undefined : paramValue(core.right.to.params, 'tag');
    if (toTag !== undefined) return this.inDialog(request, tx, toTag);
    // §8.2.2.2: the same request arriving by two paths is a merged request.
    const fromTag = core.right.from === undefined ? '' : paramValue(core.right.from.params, 'tag') ?? '';
    // Kept until the transaction ends: owned, so it does not hold the request's text (see own-string).
    const mergeKey = ownString(`${fromTag}|${core.right.callId}|${core.right.cseq?.seq}|${request.method}`);
    const earlier = this.mergeKeys.get(mergeKey);
    if (earlier !== undefined && earlier !== tx.id) return void tx.respond(
      buildResponse(request, 482, { toTag: this.ctx.ids.tag() }),
    );
    this.mergeKeys.set(mergeKey, tx.id);
    this.mergeKeyOfTx.set(tx.id, mergeKey);
    const admit = this.handler.admit;
    if (admit === undefined) return this.outOfDialog(request, tx, core.right.maxForwards);
    const source = { endpoint: tx.source, connectionId: tx.connectionId };
    const verdict = admit.call(this.handler, request, source);
    // Most requests pass at once; a store to read makes the rest wait (retransmissions meanwhile are absorbed).
    if (!isPromise(verdict)) return this.admitted(request, tx, core.right.maxForwards, verdict);
    void verdict.then(
      (answer) => this.admitted(request, tx, core.right.maxForwards, answer),
      () => this.answer(request, tx, { status: 500 }),
    );
  }

  private admitted(
    request: SipRequest, tx: ServerTransaction, maxForwards: number | undefined, answer: Answer | undefined,
  ): void {
    if (this.closed || tx.isTerminated()) return;
    if (answer === undefined) return this.outOfDialog(request, tx, maxForwards);
    this.answer(request, tx, answer);
  }

  private answer(request: SipRequest, tx: ServerTransaction, answer: Answer): void {
    if (tx.isTerminated()) return;
    // An answer that makes a dialog (its service chose the tag) carries our Contact: its remote target (§12.1.1).
    const contact = answer.toTag === undefined || answer.status >= 300 ? [] : [{
      name: 'Contact', value: formatNameAddr(localContact(this.ctx, tx.source.protocol, isSips(request.uri))),
    }];
    void tx.respond(buildResponse(request, answer.status, {
      toTag: answer.toTag ?? this.ctx.ids.tag(),
      ...(answer.reason === undefined ? {} : { reason: answer.reason }),
      headers: [...contact, ...(answer.headers ?? [])],
      ...(answer.body === undefined ? {} : { body: answer.body }),
      ...(answer.contentType === undefined ? {} : { contentType: answer.contentType }),
    }));
  }

  onAck(ack: SipRequest, _inbound: InboundMessage): void {
    const key = dialogKeyOf(ack);
    if (key === undefined) return;
    const invite = this.awaitingAck.get(key);
    if (invite !== undefined) {
      this.awaitingAck.delete(key);
      invite.acknowledged(ack);
      return;
    }
    // An ACK for a re-INVITE's 2xx.
    this.sessions.get(key)?.receiveAck(ack);
  }

  onStrayResponse(response: SipResponse, _inbound: InboundMessage): void {
    const core = coreHeaders(response);
    const answer2xx = response.status >= 200 && response.status < 300;
    if (E.isLeft(core) || core.right.cseq?.method !== 'INVITE' || !answer2xx) return;
    const fromTag = core.right.from === undefined ? undefined : paramValue(core.right.from.params, 'tag');
    const toTag = core.right.to === undefined ? undefined : paramValue(core.right.to.params, 'tag');
    const callId = core.right.callId ?? '';
    const session = this.sessions.get(dialogKey({ callId, localTag: fromTag ?? '', remoteTag: toTag ?? '' }));
    if (session?.resendAck(response) === true) return;
    this.outgoing.get(outgoingKeyOf(callId, fromTag))?.handleStray2xx(response);
  }

  onServerTerminated(tx: ServerTransaction, _reason: TerminationReason): void {
    const mergeKey = this.mergeKeyOfTx.get(tx.id);
    if (mergeKey !== undefined) {
      this.mergeKeyOfTx.delete(tx.id);
      if (this.mergeKeys.get(mergeKey) === tx.id) this.mergeKeys.delete(mergeKey);
    }
    this.answeredInviteTags.delete(tx.id);
    const invite = this.incoming.get(tx.id);
    if (invite !== undefined) {
      this.incoming.delete(tx.id);
      // A pending INVITE whose transaction died without an answer (TU never answered, Timer H…).
      this.ctx.logger?.warn('INVITE transaction ended before an answer', { transaction: tx.id });
    }
  }

  private onCancel(request: SipRequest, tx: ServerTransaction, cancelled: ServerTransaction | undefined): void {
    const invite = cancelled === undefined ? undefined : this.incoming.get(cancelled.id);
    const answeredTag = cancelled === undefined ? undefined : this.answeredInviteTags.get(cancelled.id);
    // §9.2: already answered → 200 with the answer's To tag, and the CANCEL has no effect.
    if (answeredTag !== undefined) return void tx.respond(buildResponse(request, 200, { toTag: answeredTag }));
    // No matching INVITE transaction → 481; otherwise 200 to the CANCEL and 487 to the pending INVITE.
    if (invite === undefined) return void tx.respond(buildResponse(request, 481, { toTag: this.ctx.ids.tag() }));
    void tx.respond(buildResponse(request, 200, { toTag: invite.localTag }));
    invite.cancelled();
  }

  private outOfDialog(request: SipRequest, tx: ServerTransaction, maxForwards: number | undefined): void {
    switch (request.method) {
      case 'INVITE': {
        if (maxForwards === 0) return void tx.respond(buildResponse(request, 483, { toTag: this.ctx.ids.tag() }));
        // RFC 4028 §9: an interval below our minimum is refused with our Min-SE.
        const timer = uasTimerDecision(request);
        if (timer.kind === 'TooSmall') return void tx.respond(
          buildResponse(
            request, 422, { toTag: this.ctx.ids.tag(), headers: [{ name: 'Min-SE', value: String(timer.minSe) }] },
          ),
        );
        // RFC 3262: 420 when it requires 100rel and we have it off, 421 when we require it and it lacks it.
        const reliable = uasReliability(request, reliability(this.ctx.config));
        if (reliable.kind === 'Refuse') return void tx.respond(
          buildResponse(request, reliable.status, { toTag: this.ctx.ids.tag(), headers: reliable.headers }),
        );
        const invite = new IncomingInvite(
          this.ctx, request, tx, (s) => this.registerSession(s, invite), this.onSessionEnded, this.onInviteSettled,
          timer, reliable, this.onExpectPrack,
        );
        this.incoming.set(tx.id, invite);
        this.handler.onIncomingInvite(invite);
        return;
      }
      case 'OPTIONS':
        // A draining process says so to the load balancer that probes it (Kamailio's dispatcher): no new calls.
        return void tx.respond(this.draining
          ? buildResponse(request, 503, { toTag: this.ctx.ids.tag(), reason: 'Draining' })
          : optionsResponse(request, this.ctx.config));
      case 'BYE':
        return void tx.respond(buildResponse(request, 481, { toTag: this.ctx.ids.tag() }));
      default: {
        const source = { endpoint: tx.source, connectionId: tx.connectionId };
        const answer = this.handler.onRequest?.(request, source) ?? {
          status: 405, headers: [{ name: 'Allow', value: allowedMethods(this.ctx.config).join(', ') }],
        };
        if (!isPromise(answer)) return this.answer(request, tx, answer);
        void answer.then((a) => this.answer(request, tx, a), () => this.answer(request, tx, { status: 500 }));
        return;
      }
    }
  }

  private inDialog(request: SipRequest, tx: ServerTransaction, toTag: string): void {
    const key = dialogKeyOf(request);
    const session = key === undefined ? undefined : this.sessions.get(key);
    // A PRACK acknowledges a provisional of an INVITE whose 2xx has not gone yet (RFC 3262 §3); an UPDATE
    // before the 2xx belongs to the early dialog (RFC 3311 §5.2): ours as callee, or ours as caller.
    const early = key === undefined ? undefined : this.earlyIncoming.get(key);
    if (request.method === 'PRACK' && early !== undefined) return early.receivePrack(request, tx);
    if (request.method === 'UPDATE' && session === undefined) {
      if (early !== undefined) return early.receiveUpdate(request, tx);
      const callId = headerValue(request, HEADER.CallId);
      if (this.outgoing.get(outgoingKeyOf(callId, toTag))?.receiveEarlyUpdate(request, tx) === true) return;
    }
    // A subscription's dialog (RFC 6665), or — §12.2.2 — 481 for a dialog we do not know.
    if (session === undefined && this.usages.route(request, tx, key)) return;
    if (session === undefined) return this.unknownDialog(request, tx, toTag, key);
    session.receive(request, tx);
  }

  /** Whether a confirmed dialog with this key lives here. */
  holds(key: string): boolean {
    return this.sessions.has(key);
  }

  /** A confirmed dialog carried on from elsewhere (a dead process's call, loaded from a store). */
  adopt(dialog: Dialog, protocol: TransportProtocol): InviteSession {
    const existing = this.sessions.get(dialogKey(dialog.id));
    if (existing !== undefined) return existing;
    const session = new InviteSession(this.ctx, dialog, protocol, this.onSessionEnded);
    this.registerSession(session);
    return session;
  }

  /** §12.2.2's 481 — unless the layer above can load the dialog (a call another process carried). */
  private unknownDialog(request: SipRequest, tx: ServerTransaction, toTag: string, key: string | undefined): void {
    const recovering = key === undefined ? undefined : this.handler.recoverDialog?.(key, request);
    const unknown = (): void => void (!tx.isTerminated() && tx.respond(buildResponse(request, 481, { toTag })));
    if (recovering === undefined) return unknown();
    void recovering.then((adopted) => {
      if (adopted === undefined || adopted.terminated) return unknown();
      if (!tx.isTerminated()) adopted.receive(request, tx);
    }, unknown);
  }

  private registerSession(session: InviteSession, awaitingAckFrom?: IncomingInvite): void {
    const key = dialogKey(session.dialog.id);
    this.sessions.set(key, session);
    if (awaitingAckFrom !== undefined) this.awaitingAck.set(key, awaitingAckFrom);
  }

  private sessionEnded(session: InviteSession, reason: SessionEndReason): void {
    const key = dialogKey(session.dialog.id);
    if (this.sessions.get(key) === session) this.sessions.delete(key);
    this.awaitingAck.delete(key);
    // Our call ended: its INVITE need not be held until Timer M (local tag = our From tag).
    const outgoingKey = outgoingKeyOf(session.dialog.id.callId, session.dialog.id.localTag);
    if (this.outgoing.get(outgoingKey)?.detachIfAnsweredBy(session) === true) this.outgoing.delete(outgoingKey);
    this.handler.onSessionEnded?.(session, reason);
  }

}
