import * as E from 'fp-ts/lib/Either.js';
import { createUasDialog } from '../../domain/dialog/dialog.js';
import { timerResponseHeaders, uasTimerDecision, type UasTimerDecision } from '../../domain/dialog/session-timer.js';
import { sendsReliably, type UasReliability } from '../../domain/dialog/reliable-provisional.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import type { SipHeader, SipRequest, SipResponse } from '../../domain/sip/message.js';
import { formatNameAddr } from '../../domain/sip/name-addr.js';
import type { TransactionError } from '../../domain/transaction/transaction-error.js';
import type { ServerTransaction } from '../transaction-layer.js';
import { InviteSession, type SessionEndReason } from './invite-session.js';
import { answerInEarlyDialog, type EarlyRequestAnswerer } from './early-dialog-requests.js';
import { ReliableProvisionals } from './reliable-provisionals.js';
import { runningTimer } from './session-timer.js';
import { allowedMethods, isSips, localContact, supportedTags, type UaContext } from './ua-context.js';

export type IncomingInviteState = 'Pending' | 'Answered' | 'Rejected' | 'Cancelled';

/** The INVITE's headers do not make a dialog (§12.1.1). */
type HeaderProblem = { readonly kind: 'HeaderError'; readonly detail: string };

export interface AnswerOptions {
  readonly body?: Uint8Array;
  readonly contentType?: string;
  readonly headers?: ReadonlyArray<SipHeader>;
}

export interface IncomingInviteEvents {
  /** The caller cancelled before we answered (§9.2): we already sent 487. */
  onCancelled?(): void;
  /** The ACK for our 2xx arrived: the session is confirmed. */
  onConfirmed?(session: InviteSession): void;
  /** A PRACK (acknowledging our reliable provisional) or an UPDATE in the early dialog: what to answer. */
  onEarlyRequest?: EarlyRequestAnswerer;
}

/**
 * The UAS side of an initial INVITE (§13.3): provisional and final responses
 * from the TU, each with our To tag; the 2xx is retransmitted until the ACK.
 */
export class IncomingInvite {
  readonly localTag: string;
  private current: IncomingInviteState = 'Pending';
  private events: IncomingInviteEvents = {};
  private session: InviteSession | undefined;
  private reliable: ReliableProvisionals | undefined;

  constructor(
    private readonly ctx: UaContext,
    readonly request: SipRequest,
    readonly transaction: ServerTransaction,
    private readonly register: (session: InviteSession) => void,
    private readonly unregister: (session: InviteSession, reason: SessionEndReason) => void,
    /** The INVITE got its final answer (accepted, rejected or cancelled). */
    private readonly settled: (invite: IncomingInvite) => void = () => undefined,
    /** What the INVITE's Session-Expires asks of our 2xx (the UA core has read it already, for its 422). */
    private readonly timer: UasTimerDecision = uasTimerDecision(request),
    /** Which provisionals go reliably (RFC 3262); the UA core refused the INVITE already when it must. */
    private readonly reliability: UasReliability = { kind: 'Unreliable' },
    /** Told when PRACKs for this INVITE's early dialog may come (true) and when no more will (false). */
    private readonly expectPrack: (invite: IncomingInvite, expecting: boolean) => void = () => undefined,
  ) {
    this.localTag = ctx.ids.tag();
  }

  get state(): IncomingInviteState {
    return this.current;
  }

  on(events: IncomingInviteEvents): void {
    this.events = events;
  }

  /** Whether a provisional with this status (and a body or not) would go reliably (RFC 3262). */
  sendsReliably(status: number, hasBody: boolean): boolean {
    return sendsReliably(this.reliability, status, hasBody);
  }

  /**
   * Sends 180 Ringing (or another 1xx) with our tag: an early dialog from the caller's view. Reliably
   * (RFC 3262) when the caller asked for it, or — it supports 100rel — when it carries a session description.
   */
  provisional(status = 180, options: AnswerOptions = {}): E.Either<TransactionError, void> {
    if (this.current !== 'Pending') return E.left({
      kind: 'TransactionError', reason: 'ResponseAfterFinal', detail: `the INVITE is ${this.current}`,
    });
    if (!sendsReliably(this.reliability, status, (options.body?.length ?? 0) > 0)) {
      return this.transaction.respond(this.response(status, options));
    }
    // The early dialog PRACKs come in on: its remote target is our Contact (§12.1.1).
    const response = this.response(status, { ...options, headers: [
      ...(options.headers ?? []), { name: 'Contact', value: formatNameAddr(this.contact()) },
    ] });
    if (this.reliable === undefined) {
      this.reliable = new ReliableProvisionals(this.ctx, this.request, this.transaction, () => this.unacknowledged());
      this.expectPrack(this, true);
    }
    return this.reliable.send(response);
  }

  /** A PRACK for this INVITE's early dialog (the UA core routes it here by its tags). */
  receivePrack(request: SipRequest, tx: ServerTransaction): void {
    if (this.reliable === undefined) return void tx.respond(buildResponse(request, 481));
    this.reliable.prack(request, tx, (prack, prackTx) => answerInEarlyDialog(
      prack, prackTx, this.events.onEarlyRequest, this.contact(),
    ));
  }

  /** An UPDATE in the early dialog (RFC 3311 §5.2), before our 2xx: 481 once the INVITE is answered otherwise. */
  receiveUpdate(request: SipRequest, tx: ServerTransaction): void {
    if (this.current !== 'Pending') return void tx.respond(buildResponse(request, 481));
    answerInEarlyDialog(request, tx, this.events.onEarlyRequest, this.contact());
  }

  private noMorePracks(): void {
    if (this.reliable === undefined) return;
    this.reliable.stop();
    this.expectPrack(this, false);
  }

  /** 64·T1 without a PRACK (RFC 3262 §3): the INVITE is refused, a 2xx held for it never goes. */
  private unacknowledged(): void {
    const session = this.session;
    if (this.current === 'Pending') void this.reject(504, { reason: 'Provisional Response Not Acknowledged' });
    else if (session !== undefined && this.current === 'Answered') {
      void this.transaction.respond(this.response(504, { reason: 'Provisional Response Not Acknowledged' }));
      session.end('DialogFailure');
    }
    this.expectPrack(this, false);
  }

  /** Sends the 2xx, creates the dialog and waits for the ACK. */
  accept(options: AnswerOptions = {}): E.Either<TransactionError | HeaderProblem, InviteSession> {
    if (this.current !== 'Pending') return E.left({
      kind: 'TransactionError', reason: 'ResponseAfterFinal', detail: `the INVITE is ${this.current}`,
    });
    const dialog = createUasDialog(this.request, this.localTag, 'Confirmed');
    if (E.isLeft(dialog)) return E.left({ kind: 'HeaderError', detail: dialog.left.detail });
    // RFC 4028 §9: a Session-Expires in the INVITE is answered in the 2xx, with the refresher chosen.
    const timer = this.timer;
    const ok = this.response(200, { ...options, headers: [
      ...(options.headers ?? []),
      { name: 'Contact', value: formatNameAddr(this.contact()) },
      // §13.3.1.4: the 2xx says what the dialog may carry (UPDATE, for session refreshes, among them).
      { name: 'Allow', value: allowedMethods(this.ctx.config).join(', ') },
      { name: 'Supported', value: supportedTags(this.ctx.config).join(', ') },
      ...(timer.kind === 'Run' ? timerResponseHeaders(timer) : []),
    ] });
    // Pass the core's callback itself: a closure over `this` would keep the INVITE alive for the whole call.
    const session = new InviteSession(this.ctx, dialog.right, this.transaction.source.protocol, this.unregister);
    const reliable = this.reliable;
    if (reliable === undefined || !reliable.pending) {
      const sent = this.transaction.respond(ok);
      if (E.isLeft(sent)) return sent;
      session.awaitAck(this.transaction, ok);
      if (reliable !== undefined) this.expectPrack(this, false);
    } else {
      // §3: the 2xx waits for the PRACK of a reliable provisional still unacknowledged.
      reliable.whenAcknowledged(() => {
        if (this.transaction.isTerminated()) return;
        void this.transaction.respond(ok);
        session.awaitAck(this.transaction, ok);
        this.expectPrack(this, false);
      });
    }
    this.current = 'Answered';
    this.settled(this);
    this.session = session;
    this.register(session);
    const sdp = options.body !== undefined && options.contentType !== undefined
      ? { body: options.body, contentType: options.contentType }
      : undefined;
    session.startSessionTimer(timer.kind === 'Run' ? runningTimer(timer, 'uas') : undefined, this.request, sdp);
    return E.right(session);
  }

  /** A final non-2xx answer (486, 603, 302 with Contact, …). */
  reject(status: number, options: AnswerOptions & { readonly reason?: string } = {}): E.Either<TransactionError, void> {
    if (this.current !== 'Pending') return E.left({
      kind: 'TransactionError', reason: 'ResponseAfterFinal', detail: `the INVITE is ${this.current}`,
    });
    if (status < 300 || status > 699) return E.left({
      kind: 'TransactionError', reason: 'ResponseAfterFinal', detail: `${status} is not a rejection`,
    });
    const sent = this.transaction.respond(this.response(status, options));
    if (E.isRight(sent)) {
      this.current = 'Rejected';
      this.settled(this);
      this.noMorePracks();
    }
    return sent;
  }

  /** CANCEL matched this INVITE: 487 unless it was already answered (§9.2). */
  cancelled(): void {
    if (this.current !== 'Pending') return;
    this.current = 'Cancelled';
    this.settled(this);
    this.noMorePracks();
    void this.transaction.respond(this.response(487));
    this.events.onCancelled?.();
  }

  /** The ACK for our 2xx. */
  acknowledged(ack: SipRequest): void {
    if (this.session === undefined) return;
    this.session.receiveAck(ack);
    this.events.onConfirmed?.(this.session);
  }

  /** Our Contact in a dialog-creating response: sips when the INVITE's Request-URI was (§12.1.1). */
  private contact(): ReturnType<typeof localContact> {
    return localContact(this.ctx, this.transaction.source.protocol, isSips(this.request.uri));
  }

  private response(status: number, options: AnswerOptions & { readonly reason?: string } = {}): SipResponse {
    // §12.1.1: dialog-creating responses (101–199 with a tag, and 2xx) carry our Contact.
    const hasContact = (options.headers ?? []).some((h) => h.name.toLowerCase() === 'contact');
    const contact = status > 100 && status < 200 && !hasContact
      ? [{ name: 'Contact', value: formatNameAddr(this.contact()) }]
      : [];
    return buildResponse(this.request, status, {
      toTag: this.localTag,
      ...(options.reason === undefined ? {} : { reason: options.reason }),
      headers: [...(options.headers ?? []), ...contact, { name: 'User-Agent', value: this.ctx.config.userAgent }],
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    });
  }
}
