/**
 * A call's lifecycle as the application sees it, as a pure machine in the
 * manner of the transaction machines: `(call, event) → Either<refusal, step>`.
 *
 *   Initializing ─Dial→ Dialing ─Progress→ Ringing ─Answered→ Connected ⇄ Hold/Resume ⇄ OnHold
 *        └──Offered──────────────────→ Ringing                    │ TransferStarted → Transferring
 *   Dialing/Ringing ─Cancelled│Rejected│Failed→ (final)           │   ─TransferFailed→ Connected
 *   Connected/OnHold/Transferring ─Hangup→ Terminating ─Ended→ Terminated
 *   any live state ─Failed→ Failed                                 └ Ended → Terminated
 *
 * Two kinds of input: operations someone chose (Dial, Hold, Hangup, …) are
 * refused with InvalidState where the state does not allow them; protocol
 * news (a late 180, a BYE after our own, a 487 after the call ended) may
 * arrive after the fact and is absorbed with a Discarded effect. A final
 * state keeps the call's outcome, so it can be reported after the call ended.
 */
import * as E from 'fp-ts/lib/Either.js';
import { absurd } from 'fp-ts/lib/function.js';
import type { CallState } from './call-state.js';
import { invalidState, type SessionError } from './session-error.js';

/** How a call ended: the CallEnded reason, and what waiting for its answer reports. */
export interface CallOutcome {
  readonly reason: string;
  /** What `waitForAnswer` rejects with; undefined when the call was answered (and has since ended). */
  readonly error: SessionError | undefined;
  readonly endedAtMs: number;
  /** Connected time; 0 when never answered. */
  readonly durationMs: number;
}

type Live<Tag extends string, Extra = object> = { readonly tag: Tag } & Readonly<Extra>;
type Connected = { connectedAtMs: number };

export type Call =
  | Live<'Initializing'>
  | Live<'Dialing'>
  | Live<'Ringing'>
  | Live<'Connected', Connected>
  | Live<'OnHold', Connected>
  | Live<'Transferring', Connected & { target: string }>
  | Live<'Terminating', Connected & { reason: string }>
  | { readonly tag: 'Terminated' | 'Cancelled' | 'Rejected' | 'Failed'; readonly outcome: CallOutcome };

export type FinalCall = Extract<Call, { readonly outcome: CallOutcome }>;

export type CallEvent =
  | { readonly tag: 'Dial' }
  | { readonly tag: 'Offered' }
  | { readonly tag: 'Progress' }
  | { readonly tag: 'Answered'; readonly nowMs: number }
  | { readonly tag: 'Hold' }
  | { readonly tag: 'Resume' }
  | { readonly tag: 'TransferStarted'; readonly target: string }
  | { readonly tag: 'TransferFailed' }
  | { readonly tag: 'Hangup'; readonly reason: string }
  | { readonly tag: 'Ended'; readonly reason: string; readonly nowMs: number }
  | { readonly tag: 'Cancelled'; readonly reason: string; readonly nowMs: number }
  | {
    readonly tag: 'Rejected'; readonly status: number; readonly phrase: string; readonly reason: string;
    readonly nowMs: number;
  }
  | { readonly tag: 'Failed'; readonly error: SessionError; readonly reason: string; readonly nowMs: number };

export type CallEffect =
  | { readonly tag: 'StateChanged'; readonly from: CallState; readonly to: CallState }
  | { readonly tag: 'Established' }
  | { readonly tag: 'Ended'; readonly outcome: CallOutcome; readonly failed: boolean }
  | { readonly tag: 'Discarded'; readonly event: CallEvent['tag']; readonly state: CallState };

export type CallStep = E.Either<SessionError, { readonly call: Call; readonly effects: ReadonlyArray<CallEffect> }>;

export const initialCall: Call = { tag: 'Initializing' };

export const isFinalCall = (call: Call): call is FinalCall => 'outcome' in call;

const OPERATIONS: ReadonlySet<CallEvent['tag']> = new Set([
  'Dial', 'Offered', 'Hold', 'Resume', 'TransferStarted', 'Hangup',
]);

/** Refused for an operation, absorbed for protocol news that came late. */
const notHere = (call: Call, event: CallEvent): CallStep => (OPERATIONS.has(event.tag)
  ? E.left(invalidState(call.tag, event.tag))
  : E.right({ call, effects: [{ tag: 'Discarded', event: event.tag, state: call.tag }] }));

const moveTo = (from: Call, to: Call, ...more: ReadonlyArray<CallEffect>): CallStep =>
  E.right({ call: to, effects: [{ tag: 'StateChanged', from: from.tag, to: to.tag }, ...more] });

const connectedAt = (call: Call): number => ('connectedAtMs' in call ? call.connectedAtMs : -1);

/** Ends the call in `tag` with its outcome; a call that was never answered lasted 0 ms. */
const end = (
  call: Call, tag: FinalCall['tag'], reason: string, error: SessionError | undefined, nowMs: number,
): CallStep => {
  const since = connectedAt(call);
  const outcome: CallOutcome = { reason, error, endedAtMs: nowMs, durationMs: since < 0 ? 0 : nowMs - since };
  return moveTo(call, { tag, outcome }, { tag: 'Ended', outcome, failed: tag === 'Failed' });
};

export const stepCall = (call: Call, event: CallEvent): CallStep => {
  switch (call.tag) {
    case 'Initializing': return onInitializing(call, event);
    case 'Dialing':
    case 'Ringing': return onAlerting(call, event);
    case 'Connected':
    case 'OnHold':
    case 'Transferring': return onConnected(call, event);
    case 'Terminating': return onTerminating(call, event);
    case 'Terminated':
    case 'Cancelled':
    case 'Rejected':
    case 'Failed': return notHere(call, event);
    default: return absurd(call);
  }
};

const onInitializing = (call: Call, event: CallEvent): CallStep => {
  switch (event.tag) {
    case 'Dial': return moveTo(call, { tag: 'Dialing' });
    case 'Offered': return moveTo(call, { tag: 'Ringing' });
    case 'Failed': return end(call, 'Failed', event.reason, event.error, event.nowMs);
    default: return notHere(call, event);
  }
};

/** Dialing (our INVITE is out) and Ringing (a 1xx came, or an incoming INVITE waits for us). */
const onAlerting = (call: In<'Dialing' | 'Ringing'>, event: CallEvent): CallStep => {
  switch (event.tag) {
    case 'Progress':
      return call.tag === 'Dialing' ? moveTo(call, { tag: 'Ringing' }) : E.right({ call, effects: [] });
    case 'Answered':
      return moveTo(call, { tag: 'Connected', connectedAtMs: event.nowMs }, { tag: 'Established' });
    case 'Cancelled':
      return end(
        call, 'Cancelled', event.reason, { kind: 'Cancelled', message: `the call ended: ${event.reason}` }, event.nowMs,
      );
    case 'Rejected': {
      const error: SessionError = {
        kind: 'Rejected', status: event.status, reason: event.phrase,
        message: `rejected with ${event.status} ${event.phrase}`,
      };
      return end(call, 'Rejected', event.reason, error, event.nowMs);
    }
    case 'Failed': return end(call, 'Failed', event.reason, event.error, event.nowMs);
    default: return notHere(call, event);
  }
};

type In<Tag extends Call['tag']> = Extract<Call, { readonly tag: Tag }>;

const onConnected = (call: In<'Connected' | 'OnHold' | 'Transferring'>, event: CallEvent): CallStep => {
  const { connectedAtMs } = call;
  switch (event.tag) {
    case 'Hold':
      return call.tag === 'Connected' ? moveTo(call, { tag: 'OnHold', connectedAtMs }) : notHere(call, event);
    case 'Resume':
      return call.tag === 'OnHold' ? moveTo(call, { tag: 'Connected', connectedAtMs }) : notHere(call, event);
    case 'TransferStarted':
      return call.tag === 'Transferring' ? notHere(call, event)
        : moveTo(call, { tag: 'Transferring', connectedAtMs, target: event.target });
    case 'TransferFailed':
      return call.tag === 'Transferring' ? moveTo(call, { tag: 'Connected', connectedAtMs }) : notHere(call, event);
    case 'Hangup': return moveTo(call, { tag: 'Terminating', connectedAtMs, reason: event.reason });
    case 'Ended': return end(call, 'Terminated', event.reason, undefined, event.nowMs);
    case 'Failed': return end(call, 'Failed', event.reason, event.error, event.nowMs);
    default: return notHere(call, event);
  }
};

/** Our BYE is out: the dialog's end is the reason we gave, whatever ended it. */
const onTerminating = (call: In<'Terminating'>, event: CallEvent): CallStep => {
  switch (event.tag) {
    case 'Ended': return end(call, 'Terminated', call.reason, undefined, event.nowMs);
    case 'Failed': return end(call, 'Failed', event.reason, event.error, event.nowMs);
    default: return notHere(call, event);
  }
};
