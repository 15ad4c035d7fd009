import * as E from 'fp-ts/lib/Either.js';
import {
  checkInDialogRequest, nextLocalSeq, refreshTarget, terminate, type Dialog,
} from '../../domain/dialog/dialog.js';
import { failureImpact } from '../../domain/dialog/failure-impact.js';
import { buildInDialogRequest } from '../../domain/dialog/in-dialog-request.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import { getCSeq } from '../../domain/sip/core-headers.js';
import {
  headerValue, type SipHeader, type SipMessage, type SipRequest, type SipResponse,
} from '../../domain/sip/message.js';
import { formatNameAddr } from '../../domain/sip/name-addr.js';
import type { Endpoint, TransportProtocol } from '../../domain/transport/endpoint.js';
import type { TimerHandle } from '../../ports/clock.js';
import type { ServerTransaction } from '../transaction-layer.js';
import { allowsUpdate, timerResponseHeaders, uasTimerDecision } from '../../domain/dialog/session-timer.js';
import { answerChallenge, type UserCredentials } from './challenge.js';
import type { RequestOutcome } from './request-outcome.js';
import { SessionRefresher, type Body } from './session-refresher.js';
import { runningTimer, type RunningTimer } from './session-timer.js';
import { TwoXxRetransmitter } from './two-xx-retransmitter.js';
import { isPromise } from '../is-promise.js';
import { optionsResponse } from './options-response.js';
import { dialogNextHop, localContact, newVia, sendDirect, type UaContext } from './ua-context.js';

/** `SessionExpired`: the session timer ran out without a refresh (RFC 4028 §10). */
export type SessionEndReason = 'LocalBye' | 'RemoteBye' | 'NoAck' | 'DialogFailure' | 'Shutdown' | 'SessionExpired';

export interface Answer {
  readonly status: number;
  /** Our To tag, when the answer makes a dialog whose tag the answering service must know (SUBSCRIBE). */
  readonly toTag?: string;
  /** The reason phrase, when not the status's usual one. */
  readonly reason?: string;
  readonly body?: Uint8Array;
  readonly contentType?: string;
  readonly headers?: ReadonlyArray<SipHeader>;
}

export type { RequestOutcome } from './request-outcome.js';

export interface InviteSessionHandler {
  /** A re-INVITE or UPDATE (session modification or target refresh); default 200 with no body. */
  onModify?(request: SipRequest): Answer;
  /** INFO (RFC 6086) and other in-dialog requests the session does not handle itself; default 200 (may come later). */
  onRequest?(request: SipRequest): Answer | Promise<Answer>;
  onTerminated?(reason: SessionEndReason): void;
  /** The ACK for a 2xx we sent (once per INVITE): with a delayed offer it carries the answer. */
  onAck?(ack: SipRequest): void;
  /** The dialog's state changed (sequence numbers, remote target). */
  onDialogChanged?(): void;
}

const OK: Answer = { status: 200 };

/**
 * A confirmed INVITE dialog usage, on either side: sends BYE, re-INVITE (with
 * the glare retry of §14.1), UPDATE and INFO; receives them, answering 491 /
 * 500 Retry-After when an INVITE crosses another (§14.1, §14.2), and 500 for
 * an out-of-order CSeq (§12.2.2).
 */
export class InviteSession {
  private handler: InviteSessionHandler = {};
  private clientInvitePending = false;
  private serverInvitePending = false;
  private lastAck: SipRequest | undefined;
  private forgetAckTimer: TimerHandle | undefined;
  /** 2xx retransmitters waiting for their ACK; rarely more than one, and none for most of a call. */
  private waiters: TwoXxRetransmitter[] = [];
  private ended = false;
  private credentials: UserCredentials | undefined;
  /** The session timer (RFC 4028), due times read by the UA's sweep. */
  private readonly refresher: SessionRefresher;
  /** CSeq of the INVITE whose 2xx we are retransmitting until its ACK arrives. */
  private ackAwaitedSeq = -1;

  constructor(
    private readonly ctx: UaContext,
    private current: Dialog,
    readonly protocol: TransportProtocol,
    private readonly onEnd: (session: InviteSession, reason: SessionEndReason) => void,
  ) {
    this.refresher = new SessionRefresher(ctx, this);
  }

  get dialog(): Dialog {
    return this.current;
  }

  /** Every change (a CSeq used or seen, a target refreshed) is told to the handler: stores keep calls current. */
  set dialog(dialog: Dialog) {
    this.current = dialog;
    this.handler.onDialogChanged?.();
  }

  setHandler(handler: InviteSessionHandler): void {
    this.handler = handler;
  }

  get terminated(): boolean {
    return this.ended;
  }

  /** Ends the dialog with BYE (§15.1.1: the session is over as soon as the BYE is sent). */
  bye(headers: ReadonlyArray<SipHeader> = []): Promise<RequestOutcome> {
    return this.endWithBye('LocalBye', headers);
  }

  private endWithBye(reason: SessionEndReason, headers: ReadonlyArray<SipHeader> = []): Promise<RequestOutcome> {
    if (this.ended) return Promise.resolve({ kind: 'NotSent', detail: 'the session has already ended' });
    const outcome = this.sendRequest('BYE', { headers });
    this.end(reason);
    return outcome;
  }

  /** Sends a re-INVITE; on 491 it retries after the randomized wait of §14.1, up to three times. */
  async reinvite(
    offer: { readonly body?: Uint8Array; readonly contentType?: string; readonly headers?: ReadonlyArray<SipHeader> },
    attempts = 3,
  ): Promise<RequestOutcome> {
    for (let attempt = 1; ; attempt++) {
      if (this.clientInvitePending) return { kind: 'NotSent', detail: 'a re-INVITE is already pending' };
      this.clientInvitePending = true;
      const outcome = await this.sendRequest('INVITE', offer);
      this.clientInvitePending = false;
      const glare = outcome.kind === 'Response' && outcome.response.status === 491;
      if (!glare || attempt >= attempts || this.ended) return outcome;
      await this.wait(this.glareDelayMs());
    }
  }

  update(offer: { readonly body?: Uint8Array; readonly contentType?: string } = {}): Promise<RequestOutcome> {
    return this.sendRequest('UPDATE', offer);
  }

  info(body: Uint8Array, contentType: string, headers: ReadonlyArray<SipHeader> = []): Promise<RequestOutcome> {
    return this.sendRequest('INFO', { body, contentType, headers });
  }

  /**
   * What the INVITE exchange that created the dialog settled for RFC 4028: the
   * timer, whether the peer allows UPDATE (its Allow), and our session
   * description (for refresh re-INVITEs).
   */
  startSessionTimer(timer: RunningTimer | undefined, peer: SipMessage, localSdp: Body | undefined): void {
    this.refresher.start(timer, allowsUpdate(peer), localSdp);
  }

  /** The session timer now running, if any, and whether the peer takes UPDATE refreshes (a store keeps both). */
  get sessionTimer(): RunningTimer | undefined {
    return this.refresher.running;
  }

  get refreshesByUpdate(): boolean {
    return this.refresher.byUpdate;
  }

  /** A recovered call's timer, from the store: it starts over from now. */
  resumeSessionTimer(timer: RunningTimer, peerAllowsUpdate: boolean): void {
    this.refresher.start(timer, peerAllowsUpdate, undefined);
  }

  /** The session timer ran out without a refresh (RFC 4028 §10). */
  expire(): void {
    void this.endWithBye('SessionExpired');
  }

  /** Credentials for 401/407 answers to requests in this dialog (§22.2), e.g. the caller's. */
  useCredentials(credentials: UserCredentials | undefined): void {
    this.credentials = credentials;
  }

  /** Any request within the dialog through a client transaction. */
  sendRequest(
    method: string,
    options: Partial<Body> & { readonly headers?: ReadonlyArray<SipHeader> } = {},
  ): Promise<RequestOutcome> {
    const hop = dialogNextHop(this.dialog);
    if (E.isLeft(hop)) return Promise.resolve({ kind: 'NotSent', detail: hop.left.detail });
    const [dialog, cseq] = nextLocalSeq(this.dialog);
    this.dialog = dialog;
    const request = buildInDialogRequest(dialog, {
      method, cseq, via: newVia(this.ctx, hop.right.protocol),
      ...(method === 'INVITE' || method === 'UPDATE'
        ? { contact: localContact(this.ctx, hop.right.protocol, dialog.secure) } : {}),
      headers: options.headers ?? [],
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    });
    return this.transact(request, cseq, hop.right, 0);
  }

  /** Runs one client transaction for `request`; a 401/407 is answered with credentials and sent again (§22.2). */
  private transact(request: SipRequest, cseq: number, hop: Endpoint, resubmissions: number): Promise<RequestOutcome> {
    const method = request.method;
    return new Promise((resolve) => {
      const sent = this.ctx.layer.sendRequest(request, hop, {
        onResponse: (response) => {
          if (response.status < 200) return;
          if (response.status === 401 || response.status === 407) {
            const [dialog, nextSeq] = nextLocalSeq(this.dialog);
            const retry = answerChallenge(
              this.ctx, request, response, this.credentials, resubmissions, hop.protocol, nextSeq,
            );
            if (retry !== undefined) {
              this.dialog = dialog;
              return resolve(this.transact(retry, nextSeq, hop, resubmissions + 1));
            }
          }
          this.answered(request, response, cseq);
          resolve({ kind: 'Response', response });
        },
        onTimeout: () => {
          // §12.2.1.2: a timeout of a request inside the dialog ends it (RFC 5057 treats it like 408), with a BYE
          // (§15): the peer may be alive and only our request lost, and would otherwise keep the call.
          if (method !== 'BYE') void this.endWithBye('DialogFailure');
          resolve({ kind: 'Timeout' });
        },
        onTransportError: () => resolve({ kind: 'TransportError' }),
      });
      if (E.isLeft(sent)) resolve({ kind: 'NotSent', detail: sent.left.detail });
    });
  }

  /** The final response to a request we sent: ACK a re-INVITE's 2xx, refresh the target, or end on a fatal failure. */
  private answered(request: SipRequest, response: SipResponse, cseq: number): void {
    const method = request.method;
    const ok = response.status < 300;
    if (method === 'INVITE' && ok) this.ackReinvite(response, cseq);
    else if (ok && method === 'UPDATE') this.dialog = refreshTarget(this.dialog, response);
    const type = headerValue(request, 'Content-Type');
    if (ok && request.body.length > 0 && type !== undefined && (method === 'INVITE' || method === 'UPDATE')) {
      this.refresher.describe({ body: request.body, contentType: type });
    } else if (!ok && failureImpact(response.status) !== 'Transaction' && method !== 'BYE') this.end('DialogFailure');
  }

  /** An in-dialog request routed here by the UA core. */
  receive(request: SipRequest, tx: ServerTransaction): void {
    const check = checkInDialogRequest(this.dialog, request);
    if (check.kind === 'Reject') return void tx.respond(buildResponse(request, check.status, { reason: check.reason }));
    this.dialog = check.dialog;
    switch (request.method) {
      case 'BYE':
        void tx.respond(buildResponse(request, 200));
        this.end('RemoteBye');
        return;
      case 'INVITE':
      case 'UPDATE': {
        // RFC 4028 §9: an interval below our minimum is refused before anything else.
        const timer = uasTimerDecision(request);
        if (timer.kind === 'TooSmall') return void tx.respond(
          buildResponse(request, 422, { headers: [{ name: 'Min-SE', value: String(timer.minSe) }] }),
        );
        if (request.method === 'INVITE') return this.receiveReinvite(request, tx);
        const answer = this.handler.onModify?.(request) ?? OK;
        if (answer.status >= 200 && answer.status < 300) this.dialog = refreshTarget(this.dialog, request);
        return void tx.respond(this.response(request, answer));
      }
      case 'OPTIONS':
        return void tx.respond(optionsResponse(request, this.ctx.config));
      default: {
        const answer = this.handler.onRequest?.(request) ?? OK;
        if (!isPromise(answer)) return void tx.respond(this.response(request, answer));
        void answer.then(
          (later) => !tx.isTerminated() && void tx.respond(this.response(request, later)),
          () => !tx.isTerminated() && void tx.respond(this.response(request, { status: 500 })),
        );
        return;
      }
    }
  }

  /** The ACK for a 2xx we sent (initial or re-INVITE). */
  receiveAck(ack: SipRequest): void {
    const cseq = getCSeq(ack);
    if (E.isLeft(cseq) || cseq.right.seq !== this.ackAwaitedSeq) return;
    // Only the first copy counts: a duplicated ACK must not renegotiate.
    this.ackAwaitedSeq = -1;
    this.stopWaiting();
    this.handler.onAck?.(ack);
  }

  /** Whether the ACK of our last 2xx-answered INVITE is still kept for retransmitted 2xx. */
  get holdsAck(): boolean {
    return this.lastAck !== undefined;
  }

  /** Remembers the ACK sent for the dialog-creating 2xx, to answer its retransmissions. */
  rememberAck(ack: SipRequest): void {
    this.keepAck(ack);
  }

  /**
   * The ACK is kept to answer 2xx retransmissions, which stop after 64·T1
   * (§13.2.2.4); then it is dropped so a long call does not hold a whole request.
   */
  private keepAck(ack: SipRequest): void {
    this.lastAck = ack;
    if (this.forgetAckTimer !== undefined) this.ctx.clock.cancel(this.forgetAckTimer);
    this.forgetAckTimer = this.ctx.clock.schedule(64 * this.ctx.config.timers.t1Ms, () => {
      this.forgetAckTimer = undefined;
      this.lastAck = undefined;
    });
  }

  /** A 2xx retransmission (initial INVITE or re-INVITE) that reached the core after its transaction ended. */
  resendAck(response: SipResponse): boolean {
    const cseq = getCSeq(response);
    if (this.lastAck === undefined || E.isLeft(cseq)) return false;
    const ackCseq = getCSeq(this.lastAck);
    if (E.isLeft(ackCseq) || ackCseq.right.seq !== cseq.right.seq) return false;
    const hop = dialogNextHop(this.dialog);
    if (E.isRight(hop)) sendDirect(this.ctx, this.lastAck, hop.right);
    return true;
  }

  /** Waits for the ACK of a 2xx we sent; used by the UAS side of the initial INVITE too. */
  awaitAck(tx: ServerTransaction, ok: SipResponse): void {
    // The 2xx carries the INVITE's CSeq.
    const cseq = getCSeq(ok);
    this.ackAwaitedSeq = E.isRight(cseq) ? cseq.right.seq : -1;
    const waiter = new TwoXxRetransmitter(this.ctx, tx, ok, () => {
      this.waiters = this.waiters.filter((w) => w !== waiter);
      // §13.3.1.4: no ACK within 64·T1 → end the dialog with BYE.
      void this.endWithBye('NoAck');
    });
    this.waiters.push(waiter);
  }

  /** Ends the session without signaling (stack shutdown, or the UA core gave up on it). */
  end(reason: SessionEndReason): void {
    if (this.ended) return;
    this.ended = true;
    this.stopWaiting();
    this.refresher.run(undefined);
    if (this.forgetAckTimer !== undefined) this.ctx.clock.cancel(this.forgetAckTimer);
    this.forgetAckTimer = undefined;
    this.dialog = terminate(this.dialog);
    this.onEnd(this, reason);
    const handler = this.handler;
    // Transactions that linger after the call (Timers J, L, M) may still reach this
    // object; without the handler they no longer hold the application's call state.
    this.handler = {};
    handler.onTerminated?.(reason);
  }

  private stopWaiting(): void {
    for (const waiter of this.waiters) waiter.stop();
    // A fresh empty literal shares V8's empty backing store: an idle call holds no table.
    if (this.waiters.length > 0) this.waiters = [];
    this.serverInvitePending = false;
  }

  private receiveReinvite(request: SipRequest, tx: ServerTransaction): void {
    // §14.2: an INVITE while ours is pending is glare (491); while theirs is pending, 500 with Retry-After.
    if (this.clientInvitePending) return void tx.respond(buildResponse(request, 491));
    if (this.serverInvitePending) {
      const retryAfter = this.ctx.ids.below(10);
      return void tx.respond(
        buildResponse(request, 500, { headers: [{ name: 'Retry-After', value: String(retryAfter) }] }),
      );
    }
    const answer = this.handler.onModify?.(request) ?? OK;
    const response = this.response(request, answer);
    if (answer.status >= 300 || answer.status < 200) return void tx.respond(response);
    this.dialog = refreshTarget(this.dialog, request);
    this.serverInvitePending = true;
    void tx.respond(response);
    this.awaitAck(tx, response);
  }

  private ackReinvite(response: SipResponse, cseq: number): void {
    this.dialog = refreshTarget(this.dialog, response);
    const hop = dialogNextHop(this.dialog);
    if (E.isLeft(hop)) return;
    const ack = buildInDialogRequest(this.dialog, { method: 'ACK', cseq, via: newVia(this.ctx, hop.right.protocol) });
    this.keepAck(ack);
    sendDirect(this.ctx, ack, hop.right);
  }

  private response(request: SipRequest, answer: Answer): SipResponse {
    const headers = [...(answer.headers ?? [])];
    if ((request.method === 'INVITE' || request.method === 'UPDATE') && answer.status >= 200 && answer.status < 300) {
      const contact = localContact(this.ctx, this.protocol, this.dialog.secure);
      headers.push({ name: 'Contact', value: formatNameAddr(contact) });
      // Every 2xx to a re-INVITE or UPDATE negotiates the session timer anew (RFC 4028 §9).
      const timer = uasTimerDecision(request);
      if (timer.kind === 'Run') headers.push(...timerResponseHeaders(timer));
      this.refresher.run(timer.kind === 'Run' ? runningTimer(timer, 'uas') : undefined);
      if (answer.body !== undefined && answer.contentType !== undefined) {
        this.refresher.describe({ body: answer.body, contentType: answer.contentType });
      }
    }
    return buildResponse(request, answer.status, {
      headers,
      ...(answer.body === undefined ? {} : { body: answer.body }),
      ...(answer.contentType === undefined ? {} : { contentType: answer.contentType }),
    });
  }

  /** §14.1: the owner of the Call-ID (the dialog's UAC) waits 2.1–4 s, the other side 0–2 s, in 10 ms units. */
  private glareDelayMs(): number {
    return this.dialog.role === 'UAC' ? 2100 + this.ctx.ids.below(190) * 10 : this.ctx.ids.below(201) * 10;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => this.ctx.clock.schedule(ms, resolve));
  }
}
