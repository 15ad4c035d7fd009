import * as E from 'fp-ts/lib/Either.js';
import { confirmUacDialog, createUacDialog, type Dialog } from '../../domain/dialog/dialog.js';
import { intervalAfter422, timerFrom2xx } from '../../domain/dialog/session-timer.js';
import { resubmitWith } from '../../domain/sip/digest.js';
import { HEADER } from '../../domain/sip/header-names.js';
import { timeout64 } from '../../domain/transaction/timer-config.js';
import {
  withHeader, type SipHeader, type SipRequest, type SipResponse,
} from '../../domain/sip/message.js';
import { getSessionExpires } from '../../domain/sip/typed-headers.js';
import { formatEndpoint, type Endpoint } from '../../domain/transport/endpoint.js';
import type { TimerHandle } from '../../ports/clock.js';
import { detachedMessage } from '../detached-message.js';
import type { ClientTransaction, ServerTransaction } from '../transaction-layer.js';
import { answerChallenge, type UserCredentials } from './challenge.js';
import { answerEarlyUpdate } from './early-dialog-requests.js';
import { InviteSession, type Answer, type SessionEndReason } from './invite-session.js';
import { runningTimer } from './session-timer.js';
import { fromTagOf, relayCallbacks, toTagOf, type Relay } from './outgoing-invite-relay.js';
import { localSdp, PrackSender, sendAck, type Body } from './uac-dialog-requests.js';
import { Retargeting, type Retarget } from './retarget.js';
import {
  dialogNextHop, isSips, localContact, newVia, sendDirect, type UaContext, type UaError,
} from './ua-context.js';

export type OutgoingOutcome =
  | { readonly kind: 'Answered'; readonly session: InviteSession; readonly response: SipResponse }
  | { readonly kind: 'Rejected'; readonly status: number; readonly response: SipResponse }
  | { readonly kind: 'Cancelled' }
  | { readonly kind: 'Timeout' }
  | { readonly kind: 'TransportError'; readonly detail: string };

/**
 * Delayed offer (§13.2.2.4): the body of the ACK for a 2xx that carried the
 * offer; `accepted` is false for a fork we are about to hang up on.
 */
export type AckBodyProvider = (
  response: SipResponse, accepted: boolean,
) => { readonly body: Uint8Array; readonly contentType: string } | undefined;

export interface OutgoingInviteEvents {
  /** 1xx responses; `early` is the early dialog when the response carries a To tag (one per fork). */
  onProvisional?(response: SipResponse, early: Dialog | undefined): void;
  /** The body of the PRACK for a reliable 1xx of early dialog `early`: our answer, when it carried an offer. */
  prackBody?(response: SipResponse, early: Dialog): Body | undefined;
  /** An UPDATE from the callee in early dialog `early` (RFC 3311): what to answer; 200 without this. */
  onEarlyUpdate?(request: SipRequest, early: Dialog): Answer;
}

/**
 * The UAC side of an initial INVITE (§13.2): early dialogs per To tag
 * (forking), ACK for every 2xx and its retransmissions (§13.2.2.4), ACK + BYE
 * for 2xx from other forks and for a 2xx that crosses our CANCEL, and an
 * answer timeout that cancels.
 */
export class OutgoingInvite {
  readonly outcome: Promise<OutgoingOutcome>;
  private settle!: (outcome: OutgoingOutcome) => void;
  private settled = false;
  private transaction: ClientTransaction | undefined;
  private readonly early = new Map<string, Dialog>();
  private readonly pracks: PrackSender;
  private readonly acks = new Map<string, SipRequest>();
  private cancelRequested = false;
  private answerTimedOut = false;
  private answerTimer: TimerHandle | undefined;
  private events: OutgoingInviteEvents = {};
  private relay: Relay = { invite: this, reAck: undefined };
  private answered: { readonly session: InviteSession; readonly tag: string } | undefined;
  private readonly retarget: Retargeting;
  /** Any response to the INVITE arrived (a server answered: no moving on after a timeout). */
  private heard = false;
  /** Timer B fired (no response in 64·T1), and then how long a late 2xx is still looked for. */
  private timerBFired = false;
  private lingering: TimerHandle | undefined;
  /** INVITEs sent again: with credentials after a 401/407 (§22.2), or a longer interval after a 422. */
  private resubmissions = 0;
  /** Of those, the answers to challenges: a second one is only sent for a stale nonce. */
  private challengesAnswered = 0;

  constructor(
    private readonly ctx: UaContext,
    /** The INVITE as last sent: a Digest resubmission replaces it (new CSeq and branch). */
    private current: SipRequest,
    private target: Endpoint,
    private readonly answerTimeoutMs: number,
    private readonly register: (session: InviteSession) => void,
    private readonly unregister: (session: InviteSession, reason: SessionEndReason) => void,
    private readonly forget: (invite: OutgoingInvite) => void,
    private readonly ackBody?: AckBodyProvider,
    private readonly credentials?: UserCredentials,
    /** Where the dialogs' requests go, when pinned (CallOptions.flow). */
    private readonly flow?: Endpoint,
    /** The next servers to try (RFC 3263 §4.3), best first. */
    alternatives: ReadonlyArray<Endpoint> = [],
    followRedirects = true,
  ) {
    this.retarget = new Retargeting(ctx, current.uri, alternatives, followRedirects);
    this.pracks = new PrackSender(ctx);
    this.outcome = new Promise((resolve) => (this.settle = resolve));
  }

  get request(): SipRequest {
    return this.current;
  }

  on(events: OutgoingInviteEvents): void {
    this.events = events;
  }

  start(): E.Either<UaError, void> {
    const sent = this.send();
    if (E.isLeft(sent)) return sent;
    this.answerTimer = this.ctx.clock.schedule(this.answerTimeoutMs, () => {
      this.answerTimer = undefined;
      this.answerTimedOut = true;
      this.cancel();
    });
    return E.right(undefined);
  }

  private send(): E.Either<UaError, void> {
    const sent = this.ctx.layer.sendRequest(this.current, this.target, relayCallbacks(this.relay, this.ctx));
    if (E.isLeft(sent)) return sent;
    this.transaction = sent.right;
    return E.right(undefined);
  }

  /**
   * Sends the INVITE again with credentials for a 401/407 (§22.2) in a new
   * transaction. The challenged transaction ACKs its response and ends on its
   * own; its relay is cut so that its end does not end this call.
   */
  private resubmit(challenge: SipResponse): boolean {
    if (this.cancelRequested || this.settled) return false;
    const next = answerChallenge(
      this.ctx, this.current, challenge, this.credentials, this.challengesAnswered, this.target.protocol,
    );
    if (next === undefined) return false;
    this.challengesAnswered++;
    return this.sendAgain(next);
  }

  /**
   * Sends `next` in place of the INVITE, in a new transaction whose end is the call's concern. A resubmission
   * (401/407, 422) counts against their limit; going elsewhere (another server, a redirect) does not.
   */
  private sendAgain(next: SipRequest, resubmission = true): boolean {
    this.relay.invite = undefined;
    this.relay = { invite: this, reAck: undefined };
    if (resubmission) this.resubmissions++;
    this.current = next;
    const sent = this.send();
    if (E.isLeft(sent)) this.finish({ kind: 'TransportError', detail: sent.left.detail });
    return true;
  }

  /** RFC 4028 §7.3: after a 422, the INVITE again with the Min-SE it names as Session-Expires and Min-SE. */
  private askLongerInterval(response: SipResponse): boolean {
    if (this.cancelRequested || this.settled || this.resubmissions >= 4) return false;
    const asked = getSessionExpires(this.current);
    const longer = intervalAfter422(response, E.isRight(asked) ? asked.right?.seconds ?? 0 : 0);
    if (longer === undefined) return false;
    const credentials = this.current.headers.filter(
      (h) => h.name === HEADER.Authorization || h.name === HEADER.ProxyAuthorization,
    );
    const next = resubmitWith(this.current, newVia(this.ctx, this.target.protocol), credentials);
    if (E.isLeft(next)) return false;
    return this.sendAgain(
      withHeader(withHeader(next.right, HEADER.SessionExpires, String(longer)), HEADER.MinSE, String(longer)),
    );
  }

  /** CANCEL (§9.1), with `headers` of its own (a Reason); when the 200 wins the race it is ACKed and BYEd. */
  cancel(headers: ReadonlyArray<SipHeader> = []): E.Either<UaError, 'sent' | 'deferred'> {
    if (this.settled || this.transaction === undefined) return E.left({
      kind: 'TransactionError', reason: 'ResponseAfterFinal', detail: 'the call is already answered or ended',
    });
    this.cancelRequested = true;
    return this.ctx.layer.cancel(this.transaction, undefined, headers);
  }

  /** A 2xx that reached the core after the INVITE transaction ended. */
  handleStray2xx(response: SipResponse): void {
    this.on2xx(response);
  }

  /** Timer B: nothing answered the INVITE in 64·T1. */
  timedOut(): void {
    if ((!this.heard && this.failOver()) || this.followRedirect()) return;
    this.timerBFired = true;
    this.finish({ kind: 'Timeout' });
  }

  transportFailed(detail: string): void {
    if (this.failOver() || this.followRedirect()) return;
    this.finish({ kind: 'TransportError', detail });
  }

  /** RFC 3263 §4.3: the same INVITE, as a new transaction, to the next server found for the URI. */
  private failOver(): boolean {
    if (this.cancelRequested || this.settled) return false;
    return this.retryWith(this.retarget.nextServer(this.current), 'trying the next server (RFC 3263)');
  }

  /** RFC 3261 §8.1.3.4: the next Contact of the 3xx responses so far (with `response`'s added). */
  private followRedirect(response?: SipResponse): boolean {
    if (this.cancelRequested || this.settled) return false;
    const next = this.retarget.nextContact(this.current, response);
    if (next !== undefined) this.early.clear();
    return this.retryWith(next, 'following a redirect');
  }

  private retryWith(next: Retarget | undefined, note: string): boolean {
    if (next === undefined) return false;
    this.target = next.target;
    this.ctx.logger?.info(note, { target: formatEndpoint(next.target) });
    // A new server may challenge afresh.
    this.challengesAnswered = 0;
    return this.sendAgain(next.request, false);
  }

  /** The INVITE transaction is over (Timer M, D or B, or a transport error). */
  transactionEnded(): void {
    if (!this.timerBFired) return this.forget(this);
    // The INVITE may still have reached the callee late: its 2xx then comes with no transaction to match,
    // and is ACKed and ended with BYE (§13.2.2.4) for as long as the callee retransmits it (64·T1).
    this.lingering = this.ctx.clock.schedule(timeout64(this.ctx.config.timers), () => {
      this.lingering = undefined;
      this.forget(this);
    });
  }

  /** The user agent closes: the call settles now and nothing of it waits any longer. */
  close(): void {
    if (this.lingering !== undefined) this.ctx.clock.cancel(this.lingering);
    this.lingering = undefined;
    this.finish({ kind: 'TransportError', detail: 'the user agent was closed' });
  }

  /**
   * The answered call has ended: the transaction, while it lingers, keeps only
   * the ACK for the answered fork. 2xx from forks that answer after this are
   * left to their UAS, which ends them when no ACK comes (§13.3.1.4).
   */
  detachIfAnsweredBy(session: InviteSession): boolean {
    if (this.answered?.session !== session) return false;
    const ack = this.acks.get(this.answered.tag);
    const hop = this.ackHop(this.answered.tag);
    // Kept up to 64·T1 while the transaction lingers: a detached copy, which holds no received text.
    this.relay.reAck = ack !== undefined && E.isRight(hop)
      ? { tag: this.answered.tag, ack: detachedMessage(ack), hop: hop.right }
      : undefined;
    this.relay.invite = undefined;
    return true;
  }

  private pinned(dialog: Dialog): Dialog {
    return this.flow === undefined ? dialog : { ...dialog, flow: this.flow };
  }

  /** Where the ACK for the fork with this To tag goes: its dialog's next hop, or the INVITE's target. */
  private ackHop(tag: string): E.Either<UaError, Endpoint> {
    const dialog = this.early.get(tag);
    return dialog === undefined ? E.right(this.target) : dialogNextHop(dialog);
  }

  /** A response from the INVITE transaction. */
  handleResponse(response: SipResponse): void {
    this.heard = true;
    if (response.status === 503 && this.failOver()) return;
    if (response.status < 200) return this.onProvisional(response);
    if (response.status < 300) return this.on2xx(response);
    if (response.status < 400 && this.followRedirect(response)) return;
    this.early.clear();
    if ((response.status === 401 || response.status === 407) && this.resubmit(response)) return;
    if (response.status === 422 && this.askLongerInterval(response)) return;
    // A redirected attempt that failed moves on to the 3xx's next Contact.
    if (response.status >= 400 && this.followRedirect()) return;
    this.finish(response.status === 487 && this.cancelRequested
      ? (this.answerTimedOut ? { kind: 'Timeout' } : { kind: 'Cancelled' })
      : { kind: 'Rejected', status: response.status, response });
  }

  private onProvisional(response: SipResponse): void {
    const tag = toTagOf(response);
    let early: Dialog | undefined;
    if (tag !== undefined && response.status > 100) {
      early = this.early.get(tag);
      if (early === undefined) {
        const created = createUacDialog(this.request, response);
        if (E.isRight(created)) {
          early = this.pinned(created.right);
          this.early.set(tag, early);
        }
      }
      if (early !== undefined) {
        // RFC 3262: a reliable provisional is PRACKed (once, in order) before it is passed on.
        const dialog = early;
        const reliable = this.pracks.receive(response, tag, early, () => this.events.prackBody?.(response, dialog));
        if (!reliable.pass) return;
        early = reliable.dialog;
        this.early.set(tag, early);
      }
    }
    this.events.onProvisional?.(response, early);
  }

  private on2xx(response: SipResponse): void {
    const tag = toTagOf(response) ?? '';
    const knownAck = this.acks.get(tag);
    if (knownAck !== undefined) {
      // A retransmitted 2xx gets the same ACK again (§13.2.2.4).
      const hop = this.ackHop(tag);
      if (E.isRight(hop)) sendDirect(this.ctx, knownAck, hop.right);
      return;
    }
    const existing = this.early.get(tag);
    const dialog = existing === undefined
      ? E.map((d: Dialog) => this.pinned(d))(createUacDialog(this.request, response))
      : confirmUacDialog(existing, response);
    if (E.isLeft(dialog)) return this.ctx.logger?.warn('2xx without a usable dialog', { detail: dialog.left.detail });
    this.early.set(tag, dialog.right);
    const answer = this.ackBody?.(response, !this.settled && !this.cancelRequested);
    const ack = sendAck(this.ctx, this.request, dialog.right, answer);
    if (ack === undefined) return;
    this.acks.set(tag, ack);
    // The core's callback itself, not a closure over `this`: the session must not keep the INVITE alive.
    const session = new InviteSession(this.ctx, dialog.right, this.target.protocol, this.unregister);
    session.useCredentials(this.credentials);
    session.rememberAck(ack);
    session.startSessionTimer(runningTimer(timerFrom2xx(response), 'uac'), response, localSdp(this.current, ack));
    this.register(session);
    if (this.settled || this.cancelRequested) {
      // Another fork answered, or the 200 crossed our CANCEL: ACK it, then hang up (§13.2.2.4, §9.1).
      void session.bye();
      if (!this.settled) this.finish(this.answerTimedOut ? { kind: 'Timeout' } : { kind: 'Cancelled' });
      return;
    }
    this.answered = { session, tag };
    this.finish({ kind: 'Answered', session, response });
  }

  /** An UPDATE in one of our early dialogs (the UA core finds us by Call-ID and To tag); false: not ours. */
  receiveEarlyUpdate(request: SipRequest, tx: ServerTransaction): boolean {
    const tag = fromTagOf(request);
    const dialog = tag === undefined || this.settled ? undefined : this.early.get(tag);
    if (tag === undefined || dialog === undefined) return false;
    const contact = localContact(this.ctx, this.target.protocol, isSips(this.current.uri));
    const answerer = (update: SipRequest): Answer => this.events.onEarlyUpdate?.(update, dialog) ?? { status: 200 };
    this.early.set(tag, answerEarlyUpdate(dialog, request, tx, answerer, contact));
    return true;
  }

  /** Settles the outcome once (later calls only stop the answer timer). */
  finish(outcome: OutgoingOutcome): void {
    if (this.answerTimer !== undefined) {
      this.ctx.clock.cancel(this.answerTimer);
      this.answerTimer = undefined;
    }
    if (this.settled) return;
    this.settled = true;
    // Provisional responses no longer matter; the listener (the application's call state) is let go.
    this.events = {};
    this.settle(outcome);
  }
}
