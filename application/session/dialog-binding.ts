import * as E from 'fp-ts/lib/Either.js';
import { invalidState, type SessionError } from '../../domain/session/session-error.js';
import type { SipRequest } from '../../domain/sip/message.js';
import type { Clock } from '../../ports/clock.js';
import type { Answer, InviteSession, InviteSessionHandler, SessionEndReason } from '../ua/invite-session.js';
import type { CallLifecycle } from './call-lifecycle.js';
import type { SessionRecord } from './session-record.js';

/** Answers one method of in-dialog request for a call (REFER, NOTIFY, INFO, …). */
export type DialogRequestHandler = (record: SessionRecord, request: SipRequest) => Answer | Promise<Answer>;

/** What the offer/answer side does with a re-INVITE or UPDATE, and with the ACK of a 2xx we sent. */
export interface SessionModifications {
  onModify(record: SessionRecord, request: SipRequest): Answer;
  onAck(record: SessionRecord, ack: SipRequest): void;
}

/** Ends the call after `delayMs` (the configured longest call). */
export type HangupAfter = (record: SessionRecord) => void;

const UNHANDLED: Answer = { status: 501 };

const endReason = (reason: SessionEndReason): string => (reason === 'RemoteBye' ? 'Remote hangup' : reason);

/** One small object per call instead of four closures and their scope: a held call stays small. */
class DialogHandler implements InviteSessionHandler {
  constructor(private readonly binding: DialogBinding, private readonly record: SessionRecord) {}

  onModify(request: SipRequest): Answer {
    return this.binding.modify(this.record, request);
  }

  onRequest(request: SipRequest): Answer | Promise<Answer> {
    return this.binding.request(this.record, request);
  }

  onAck(ack: SipRequest): void {
    this.binding.ack(this.record, ack);
  }

  onTerminated(reason: SessionEndReason): void {
    this.binding.terminated(this.record, reason);
  }

  onDialogChanged(): void {
    this.binding.changed(this.record);
  }
}

/**
 * Ties a call to its confirmed dialog: marks it answered, and routes what
 * arrives inside the dialog to the service that registered for it — a new
 * capability registers its methods here instead of growing a shared switch.
 */
export class DialogBinding {
  private readonly methods = new Map<string, DialogRequestHandler>();
  private modifications: SessionModifications = { onModify: () => ({ status: 200 }), onAck: () => undefined };
  private hangupAfter: HangupAfter | undefined;
  private readonly watchers: Array<(record: SessionRecord) => void> = [];

  constructor(
    private readonly lifecycle: CallLifecycle, private readonly clock: Clock, private readonly sessionTimeoutMs: number,
  ) {}

  handle(method: string, handler: DialogRequestHandler): void {
    this.methods.set(method, handler);
  }

  handleModifications(modifications: SessionModifications): void {
    this.modifications = modifications;
  }

  /** Told of every change to a call's dialog (sequence numbers, target): the dialog store's writer. */
  watchChanges(watcher: (record: SessionRecord) => void): void {
    this.watchers.push(watcher);
  }

  /** Who hangs up a call that reached the configured longest duration. */
  handleTimeouts(hangup: HangupAfter): void {
    this.hangupAfter = hangup;
  }

  /**
   * The call is answered on `dialog`. The INVITE usages are done: they are
   * dropped (with the messages they hold) so a held call stays small.
   */
  established(record: SessionRecord, dialog: InviteSession): E.Either<SessionError, void> {
    if (record.call.tag !== 'Dialing' && record.call.tag !== 'Ringing') {
      // The call ended for the user while the answer was on its way (a hang-up, a timeout): end the dialog too.
      void dialog.bye();
      return E.left(invalidState(record.call.tag, 'answer'));
    }
    this.attach(record, dialog);
    const answered = this.lifecycle.apply(record, { tag: 'Answered', nowMs: this.clock.nowMs() });
    if (E.isLeft(answered)) return answered;
    this.armTimeout(record);
    return E.right(undefined);
  }

  /** Routes a dialog's requests to `record`'s services: for an answered call, or one adopted from elsewhere. */
  attach(record: SessionRecord, dialog: InviteSession): void {
    record.dialog = dialog;
    dialog.setHandler(new DialogHandler(this, record));
    record.incoming = undefined;
    record.outgoing = undefined;
  }

  /** The configured longest call (0: none). */
  get longestCallMs(): number {
    return this.sessionTimeoutMs;
  }

  /** Hangs `record` up after `delayMs` when a longest call is configured (an adopted call: what is left of it). */
  armTimeout(record: SessionRecord, delayMs = this.sessionTimeoutMs): void {
    const hangup = this.hangupAfter;
    if (this.sessionTimeoutMs > 0 && hangup !== undefined) {
      record.timers.push(this.clock.schedule(Math.max(0, delayMs), () => hangup(record)));
    }
  }

  modify(record: SessionRecord, request: SipRequest): Answer {
    return this.modifications.onModify(record, request);
  }

  request(record: SessionRecord, request: SipRequest): Answer | Promise<Answer> {
    const handler = this.methods.get(request.method);
    if (handler !== undefined) return handler(record, request);
    return request.method === 'INFO' ? { status: 200 } : UNHANDLED;
  }

  ack(record: SessionRecord, ack: SipRequest): void {
    this.modifications.onAck(record, ack);
  }

  changed(record: SessionRecord): void {
    for (const watcher of this.watchers) watcher(record);
  }

  terminated(record: SessionRecord, reason: SessionEndReason): void {
    this.lifecycle.notify(record, { tag: 'Ended', reason: endReason(reason), nowMs: this.clock.nowMs() });
  }
}
