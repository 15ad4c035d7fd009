import * as E from 'fp-ts/lib/Either.js';
import { createUasDialog } from '../../domain/dialog/dialog.js';
import { timerResponseHeaders, uasTimerDecision, type UasTimerDecision } from '../../domain/dialog/session-timer.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import type { SipHeader, SipRequest, SipResponse } from '../../domain/sip/message.js';
import { formatNameAddr } from '../../domain/sip/name-addr.js';
import type { TransactionError } from '../../domain/transaction/transaction-error.js';
import type { ServerTransaction } from '../transaction-layer.js';
import { InviteSession, type SessionEndReason } from './invite-session.js';
import { runningTimer } from './session-timer.js';
import { allowedMethods, isSips, localContact, UA_SUPPORTED, type UaContext } from './ua-context.js';

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
  ) {
    this.localTag = ctx.ids.tag();
  }

  get state(): IncomingInviteState {
    return this.current;
  }

  on(events: IncomingInviteEvents): void {
    this.events = events;
  }

  /** Sends 180 Ringing (or another 1xx) with our tag: an early dialog from the caller's view. */
  provisional(status = 180, options: AnswerOptions = {}): E.Either<TransactionError, void> {
    if (this.current !== 'Pending') return E.left({
      kind: 'TransactionError', reason: 'ResponseAfterFinal', detail: `the INVITE is ${this.current}`,
    });
    return this.transaction.respond(this.response(status, options));
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
      { name: 'Supported', value: UA_SUPPORTED.join(', ') },
      ...(timer.kind === 'Run' ? timerResponseHeaders(timer) : []),
    ] });
    const sent = this.transaction.respond(ok);
    if (E.isLeft(sent)) return sent;
    this.current = 'Answered';
    this.settled(this);
    // Pass the core's callback itself: a closure over `this` would keep the INVITE alive for the whole call.
    const session = new InviteSession(this.ctx, dialog.right, this.transaction.source.protocol, this.unregister);
    this.session = session;
    this.register(session);
    session.awaitAck(this.transaction, ok);
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
    }
    return sent;
  }

  /** CANCEL matched this INVITE: 487 unless it was already answered (§9.2). */
  cancelled(): void {
    if (this.current !== 'Pending') return;
    this.current = 'Cancelled';
    this.settled(this);
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
