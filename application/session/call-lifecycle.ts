import * as E from 'fp-ts/lib/Either.js';
import {
  isFinalCall, stepCall, type CallEffect, type CallEvent, type CallOutcome,
} from '../../domain/session/call-machine.js';
import type { SessionError } from '../../domain/session/session-error.js';
import { sdpText } from './sdp-text.js';
import { localDescription, remoteDescription } from '../../domain/session/negotiation.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { CallHandler } from './call-handler.js';
import type { CallHandles } from './call-handle.js';
import type { EventBus } from './event-bus.js';
import { callInfo, type CallInfo, type SessionRecord } from './session-record.js';
import type { SessionTable } from './session-table.js';
import type { UserCode } from './user-code.js';

/** What must happen to a call's other resources when it ends (its bridge, its media), beyond the table. */
export type ReleaseCall = (record: SessionRecord, reason: string) => void;

type AnswerWaiter = (result: E.Either<SessionError, CallInfo>) => void;

/**
 * Moves calls through the call machine (domain/session/call-machine.ts) and
 * carries out what each step says: state events, the application's
 * callbacks, answer waiters, and on the end the release of everything the
 * call held. Every service changes a call's state through here.
 */
export class CallLifecycle {
  /** Only calls somebody waits on have an entry: a held call costs nothing here. */
  private readonly waiters = new Map<string, AnswerWaiter[]>();
  private readonly releasers: ReleaseCall[] = [];
  private readonly establishers: Array<(record: SessionRecord) => void> = [];

  constructor(
    private readonly table: SessionTable,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly handler: CallHandler,
    private readonly userCode: UserCode,
    private readonly handles: CallHandles,
    private readonly logger: Logger | undefined,
  ) {}

  /** Something else to release when a call ends (bridges, …); registered at composition. */
  onRelease(release: ReleaseCall): void {
    this.releasers.push(release);
  }

  /** One step of the machine; a Left is an operation the call's state does not allow (InvalidState). */
  apply(record: SessionRecord, event: CallEvent): E.Either<SessionError, void> {
    const step = stepCall(record.call, event);
    if (E.isLeft(step)) return step;
    record.call = step.right.call;
    for (const effect of step.right.effects) this.carryOut(record, effect);
    return E.right(undefined);
  }

  /** Something else to do when a call is answered (the dialog store's first write); registered at composition. */
  onEstablished(listener: (record: SessionRecord) => void): void {
    this.establishers.push(listener);
  }

  /** For protocol news (a 180, a BYE, a 487): never refused, only absorbed when late. */
  notify(record: SessionRecord, event: CallEvent): void {
    const applied = this.apply(record, event);
    if (E.isLeft(applied)) this.logger?.warn(
      'call event refused', { session: record.id, event: event.tag, detail: applied.left.message },
    );
  }

  now(): number {
    return this.clock.nowMs();
  }

  /**
   * Settles once the call is answered (Right), or with its outcome when it
   * ends unanswered (Left). A call answered before, or ended and still
   * retained, settles at once. `cancelled` lets a waiter that gives up leave.
   */
  waitForAnswer(record: SessionRecord): {
    readonly result: Promise<E.Either<SessionError, CallInfo>>; readonly cancel: () => void;
  } {
    const call = record.call;
    if (isFinalCall(call)) {
      const error = call.outcome.error;
      return {
        result: Promise.resolve(error === undefined ? E.right(callInfo(record)) : E.left(error)),
        cancel: () => undefined,
      };
    }
    if (call.tag !== 'Initializing' && call.tag !== 'Dialing' && call.tag !== 'Ringing') {
      return { result: Promise.resolve(E.right(callInfo(record))), cancel: () => undefined };
    }
    let waiter!: AnswerWaiter;
    const result = new Promise<E.Either<SessionError, CallInfo>>((resolve) => (waiter = resolve));
    const list = this.waiters.get(record.id);
    if (list === undefined) this.waiters.set(record.id, [waiter]);
    else list.push(waiter);
    return { result, cancel: () => this.stopWaiting(record.id, waiter) };
  }

  private stopWaiting(sessionId: string, waiter: AnswerWaiter): void {
    const rest = (this.waiters.get(sessionId) ?? []).filter((w) => w !== waiter);
    if (rest.length === 0) this.waiters.delete(sessionId);
    else this.waiters.set(sessionId, rest);
  }

  private carryOut(record: SessionRecord, effect: CallEffect): void {
    switch (effect.tag) {
      case 'StateChanged':
        this.events.publish({ type: 'StateChanged', sessionId: record.id, from: effect.from, to: effect.to });
        return;
      case 'Established': return this.established(record);
      case 'Ended': return this.ended(record, effect.outcome, effect.failed);
      case 'Discarded':
        this.logger?.debug(
          'late call event absorbed', { session: record.id, event: effect.event, state: effect.state },
        );
        return;
    }
  }

  private established(record: SessionRecord): void {
    for (const listener of this.establishers) listener(record);
    this.events.publish({ type: 'CallEstablished', sessionId: record.id });
    const established = this.handler.onCallEstablished;
    if (established !== undefined) {
      const text = (d: ReturnType<typeof localDescription>): string | undefined => (
        d === undefined ? undefined : sdpText(d)
      );
      const local = text(localDescription(record.negotiation));
      const remote = text(remoteDescription(record.negotiation));
      this.userCode.call('onCallEstablished', record.id,
        () => established.call(this.handler, callInfo(record), local, remote, this.handles.handle(record.id)));
    }
    this.settleWaiters(record, undefined);
  }

  /** The call is over: release what it held, retain its outcome, tell everyone. */
  private ended(record: SessionRecord, outcome: CallOutcome, failed: boolean): void {
    this.table.cancelTimers(record);
    for (const release of this.releasers) release(record, outcome.reason);
    void record.media?.close();
    // Protocol handles are done with; a retained record keeps only its outcome and media statistics.
    record.incoming = undefined;
    record.outgoing = undefined;
    record.dialog = undefined;
    this.table.retire(record, failed, true);
    this.events.publish({
      type: 'CallEnded', sessionId: record.id, reason: outcome.reason, durationMs: outcome.durationMs,
    });
    const onEnded = this.handler.onCallEnded;
    if (onEnded !== undefined) {
      this.userCode.call(
        'onCallEnded', record.id,
        () => onEnded.call(this.handler, callInfo(record), outcome.reason, this.handles.handle(record.id)),
      );
    }
    this.settleWaiters(record, outcome.error);
  }

  private settleWaiters(record: SessionRecord, error: SessionError | undefined): void {
    const list = this.waiters.get(record.id);
    if (list === undefined) return;
    this.waiters.delete(record.id);
    const result = error === undefined ? E.right(callInfo(record)) : E.left(error);
    for (const waiter of list) waiter(result);
  }
}
