import * as E from 'fp-ts/lib/Either.js';
import { checkOperation } from '../../domain/session/call-state.js';
import type { SessionError } from '../../domain/session/session-error.js';
import type { SipHeader } from '../../domain/sip/message.js';
import type { Clock } from '../../ports/clock.js';
import type { CallLifecycle } from './call-lifecycle.js';
import type { SessionRecord } from './session-record.js';
import type { SessionTable } from './session-table.js';

const SETTLED: Promise<void> = Promise.resolve();

/**
 * Ends calls: BYE once answered, CANCEL before (RFC 3261 §9.1, §15), 603 for
 * an incoming call still ringing. The call ends for the user at once; the
 * signaling finishes in the background, and the promise it returns settles
 * when it has (for a graceful stop to wait on, boundedly).
 */
export class CallTermination {
  /** Signaling still under way (BYEs and CANCELs awaiting their answer), for a graceful stop to wait on. */
  private readonly outstanding = new Set<Promise<void>>();

  constructor(
    private readonly table: SessionTable, private readonly lifecycle: CallLifecycle, private readonly clock: Clock,
  ) {}

  /** `headers` go on the BYE or CANCEL (a Reason, RFC 3326). */
  terminate(
    sessionId: string, reason = 'Local hangup', headers: ReadonlyArray<SipHeader> = [],
  ): E.Either<SessionError, Promise<void>> {
    return E.chain((record: SessionRecord) => this.end(record, reason, headers))(this.table.require(sessionId));
  }

  /** Settles when every BYE and CANCEL sent so far has its answer (or gave up). */
  settled(): Promise<void> {
    return Promise.all([...this.outstanding]).then(() => undefined);
  }

  private track(signaling: Promise<void>): Promise<void> {
    if (signaling === SETTLED) return signaling;
    this.outstanding.add(signaling);
    void signaling.then(() => this.outstanding.delete(signaling));
    return signaling;
  }

  /**
   * Gives up on an outgoing call not yet answered (a wait for its answer timed
   * out): it ends for the user as `error` now; the INVITE is cancelled in the
   * background (§9.1), or left to its transaction timer when no provisional came.
   */
  abandon(record: SessionRecord, error: SessionError, reason: string): void {
    const outgoing = record.outgoing;
    if (outgoing === undefined || (record.call.tag !== 'Dialing' && record.call.tag !== 'Ringing')) return;
    this.lifecycle.notify(record, { tag: 'Failed', error, reason, nowMs: this.clock.nowMs() });
    outgoing.cancel();
  }

  /** A call the coordinator's stop could not end by signaling in time: ended now, as a failure of the stop. */
  shutDown(record: SessionRecord): void {
    const error: SessionError = { kind: 'Cancelled', message: 'the coordinator stopped' };
    this.lifecycle.notify(record, { tag: 'Failed', error, reason: 'Shutdown', nowMs: this.clock.nowMs() });
  }

  end(
    record: SessionRecord, reason: string, headers: ReadonlyArray<SipHeader> = [],
  ): E.Either<SessionError, Promise<void>> {
    const allowed = checkOperation(record.call.tag, 'terminate');
    if (E.isLeft(allowed)) return allowed;
    const dialog = record.dialog;
    if (dialog !== undefined) {
      const hangup = this.lifecycle.apply(record, { tag: 'Hangup', reason });
      if (E.isLeft(hangup)) return hangup;
      // §15.1.1: the session is over once the BYE is sent; the dialog's end moves the call to Terminated.
      return E.right(this.track(dialog.bye(headers).then(() => undefined)));
    }
    const outgoing = record.outgoing;
    if (outgoing !== undefined) {
      const cancelled = this.lifecycle.apply(
        record, { tag: 'Cancelled', reason: 'Cancelled', nowMs: this.clock.nowMs() },
      );
      if (E.isLeft(cancelled)) return cancelled;
      // §9.1: the CANCEL waits for a provisional response; a 2xx that crosses it is ACKed and ended with BYE.
      // Nothing to wait for when no CANCEL could go out (no provisional yet): the INVITE ends by its own timer.
      const sent = outgoing.cancel(headers);
      return E.right(
        E.isLeft(sent) || sent.right === 'deferred' ? SETTLED : this.track(outgoing.outcome.then(() => undefined)),
      );
    }
    record.incoming?.reject(603);
    const declined = this.lifecycle.apply(record, {
      tag: 'Rejected', status: 603, phrase: 'Decline', reason: 'Declined', nowMs: this.clock.nowMs(),
    });
    return E.isLeft(declined) ? declined : E.right(SETTLED);
  }
}
