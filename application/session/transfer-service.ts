import * as E from 'fp-ts/lib/Either.js';
import { checkOperation } from '../../domain/session/call-state.js';
import { parseTarget } from '../../domain/session/call-target.js';
import { invalidState, rejected, type SessionError } from '../../domain/session/session-error.js';
import { formatUri } from '../../domain/sip/format-uri.js';
import { getCSeq } from '../../domain/sip/core-headers.js';
import { headerValue, type SipRequest } from '../../domain/sip/message.js';
import { formatNameAddr } from '../../domain/sip/name-addr.js';
import { formatReplaces, getReferTo } from '../../domain/sip/typed-headers.js';
import type { Uri } from '../../domain/sip/uri.js';
import type { Clock } from '../../ports/clock.js';
import type { ReferNotifier, ReferReport } from '../events/refer-notifier.js';
import type { ReferWatcher } from '../events/refer-watcher.js';
import type { Answer } from '../ua/invite-session.js';
import type { CallLifecycle } from './call-lifecycle.js';
import type { EventBus } from './event-bus.js';
import type { OutgoingCalls } from './outgoing-calls.js';
import type { SessionRecord } from './session-record.js';
import type { SessionTable } from './session-table.js';

/**
 * Call transfer (RFC 3515, RFC 3891). As transferor: REFER the peer to a
 * target (blind), or to the party of another of our calls with Replaces
 * (attended), follow its NOTIFY progress and hang up once it succeeded. As
 * transferee: accept a REFER (202), place the new call and report its
 * progress by NOTIFY (message/sipfrag). The REFER's implicit subscription is
 * kept by the event services (ReferWatcher, ReferNotifier).
 */
export class TransferService {
  constructor(
    private readonly table: SessionTable,
    private readonly lifecycle: CallLifecycle,
    private readonly outgoing: OutgoingCalls,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly localAddress: string,
    private readonly answerTimeoutMs: number,
    private readonly watcher: ReferWatcher,
    private readonly notifier: ReferNotifier,
  ) {}

  /** Resolves with the final sipfrag status of the transfer; fails when the peer refuses or the new call fails. */
  async transfer(
    sessionId: string, target: string, replaces: string | undefined,
  ): Promise<E.Either<SessionError, number>> {
    const found = this.table.require(sessionId);
    if (E.isLeft(found)) return found;
    const record = found.right;
    const allowed = checkOperation(record.call.tag, 'transfer');
    if (E.isLeft(allowed)) return allowed;
    const targetAddr = parseTarget(target);
    if (E.isLeft(targetAddr)) return targetAddr;
    let referTo = formatNameAddr({ uri: targetAddr.right.uri, params: [] });
    if (replaces !== undefined) {
      const consult = this.table.require(replaces);
      if (E.isLeft(consult)) return consult;
      const dialog = consult.right.dialog?.dialog;
      if (dialog === undefined) return E.left(
        invalidState(consult.right.call.tag, 'transfer', 'the consultation call has no dialog'),
      );
      // The target sees our consultation dialog with its local tag as to-tag, ours as from-tag (RFC 3891 §3).
      const value = formatReplaces({
        callId: dialog.id.callId, toTag: dialog.id.remoteTag, fromTag: dialog.id.localTag, earlyOnly: false,
      });
      const uri = targetAddr.right.uri.kind === 'sip'
        ? { ...targetAddr.right.uri, headers: [{ name: 'Replaces', value }] }
        : targetAddr.right.uri;
      referTo = formatNameAddr({ uri, params: [] });
    }
    const dialog = record.dialog;
    if (dialog === undefined) return E.left(invalidState(record.call.tag, 'transfer', 'the call has no dialog'));
    const started = this.lifecycle.apply(record, { tag: 'TransferStarted', target });
    if (E.isLeft(started)) return started;
    // Settled into an Either at once: the final NOTIFY (or the call's end) may reject it before the REFER's
    // answer comes back, and a rejection nobody listens to yet would be an unhandled one.
    const done = new Promise<number>((resolve, reject) => (record.transfer = { resolve, reject, target }))
      .then((status) => E.right(status), (error: SessionError) => E.left(error));
    // The subscription is expected under the CSeq the REFER is about to take: its NOTIFY may beat its 2xx.
    const subscription = this.watcher.expect(record, dialog.dialog.localSeq + 1, target);
    const outcome = await dialog.sendRequest('REFER', { headers: [
      { name: 'Refer-To', value: referTo },
      { name: 'Referred-By', value: `<sip:session-core@${this.localAddress}>` },
    ] });
    if (outcome.kind !== 'Response' || outcome.response.status >= 300) {
      this.watcher.answered(subscription, undefined);
      this.ended(record, outcome.kind === 'Response' ? outcome.response.status : 408);
    } else {
      const cseq = getCSeq(outcome.response);
      this.watcher.answered(subscription, E.isRight(cseq) ? cseq.right.seq : dialog.dialog.localSeq);
    }
    return done;
  }

  /** Transferor side: the transferee's NOTIFY with the new call's progress (RFC 3515 §2.4.5). */
  onNotify(record: SessionRecord, request: SipRequest): Answer {
    const { answer, status } = this.watcher.notified(record, request);
    if (status !== undefined && record.transfer !== undefined) {
      this.events.publish({
        type: 'TransferProgress', sessionId: record.id, status, role: 'transferor', target: record.transfer.target,
      });
      if (status >= 200) this.clock.schedule(0, () => this.ended(record, status));
    }
    return answer;
  }

  /** Transferee side (RFC 3515 §2.4): accept, place the new call, report progress by NOTIFY. */
  onRefer(record: SessionRecord, request: SipRequest): Answer {
    const referTo = getReferTo(request);
    if (E.isLeft(referTo) || referTo.right === undefined) return { status: 400 };
    const target = referTo.right.uri;
    const referredBy = headerValue(request, 'Referred-By');
    const accepted = this.notifier.accept(record, request);
    this.clock.schedule(0, () => void this.refer(record, target, referredBy, accepted.report));
    return accepted.answer;
  }

  private async refer(
    record: SessionRecord, target: Uri, referredBy: string | undefined, report: ReferReport,
  ): Promise<void> {
    const notify = (status: number, reason: string): void => {
      this.events.publish({
        type: 'TransferProgress', sessionId: record.id, status, role: 'transferee', target: formatUri(target),
      });
      report(status, reason);
    };
    notify(100, 'Trying');
    // A Replaces header in the Refer-To URI goes into the new INVITE (RFC 3891 attended transfer).
    const replaces = target.kind === 'sip'
      ? target.headers.find((h) => h.name.toLowerCase() === 'replaces')?.value
      : undefined;
    const plainTarget = target.kind === 'sip' ? formatUri({ ...target, headers: [] }) : formatUri(target);
    const headers = [
      ...(referredBy === undefined ? [] : [{ name: 'Referred-By', value: referredBy }]),
      ...(replaces === undefined ? [] : [{ name: 'Replaces', value: replaces }]),
    ];
    // The transferee calls as itself: the To of a call it received, the From of one it placed.
    const call = await this.outgoing.create(
      record.direction === 'incoming' ? record.to : record.from, plainTarget, undefined, headers, {},
    );
    const answered = E.isLeft(call) ? call : await this.outgoing.waitForAnswer(call.right.id, this.answerTimeoutMs);
    if (E.isRight(answered)) return notify(200, 'OK');
    const e = answered.left;
    notify(
      e.kind === 'Rejected' ? e.status : e.kind === 'Timeout' ? 408 : 503, e.kind === 'Rejected' ? e.reason : e.message,
    );
  }

  /** The transfer we started has a final status: success hangs up this call; failure returns it to Connected. */
  private ended(record: SessionRecord, status: number): void {
    const pending = record.transfer;
    if (pending === undefined) return;
    record.transfer = undefined;
    if (status >= 200 && status < 300) {
      pending.resolve(status);
      const dialog = record.dialog;
      if (record.call.tag === 'Transferring' && dialog !== undefined) {
        this.lifecycle.notify(record, { tag: 'Hangup', reason: 'Transferred' });
        void dialog.bye();
      }
      return;
    }
    if (record.call.tag === 'Transferring') this.lifecycle.notify(record, { tag: 'TransferFailed' });
    pending.reject(rejected(status, 'Transfer failed'));
  }

  /** A call that ends while its transfer is pending: the transfer fails with it. */
  callEnded(record: SessionRecord, reason: string): void {
    this.watcher.callEnded(record);
    this.notifier.callEnded(record);
    const pending = record.transfer;
    if (pending === undefined) return;
    record.transfer = undefined;
    pending.reject({ kind: 'Cancelled', message: `the call ended (${reason}) before the transfer completed` });
  }
}
