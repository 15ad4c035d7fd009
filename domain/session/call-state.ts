/**
 * The call-session state machine. Every (state, event) pair is in the table;
 * what is missing is an InvalidState error.
 *
 *  Initializing ─Dial→ Dialing ─RemoteRinging→ Ringing ─Answered→ Connected ⇄ OnHold
 *       └─IncomingRing→ Ringing      │Cancel/Reject/Fail        │ Transfer → Transferring
 *                                    ▼                          │ Hangup → Terminating ─Ended→ Terminated
 *                       Cancelled · Rejected · Failed           └ Ended → Terminated
 */
import * as E from 'fp-ts/lib/Either.js';
import { invalidState, type SessionError } from './session-error.js';

export type CallState =
  | 'Initializing' | 'Dialing' | 'Ringing' | 'Connected' | 'OnHold' | 'Transferring'
  | 'Terminating' | 'Terminated' | 'Cancelled' | 'Rejected' | 'Failed';

export type CallEvent =
  | 'Dial' | 'IncomingRing' | 'RemoteRinging' | 'Answered' | 'Hold' | 'Resume' | 'Transfer' | 'TransferFailed'
  | 'Hangup' | 'Ended' | 'Cancel' | 'Reject' | 'Fail';

export const CALL_STATES: ReadonlyArray<CallState> = ['Initializing', 'Dialing', 'Ringing', 'Connected', 'OnHold', 'Transferring', 'Terminating', 'Terminated', 'Cancelled', 'Rejected', 'Failed'];
export const CALL_EVENTS: ReadonlyArray<CallEvent> = ['Dial', 'IncomingRing', 'RemoteRinging', 'Answered', 'Hold', 'Resume', 'Transfer', 'TransferFailed', 'Hangup', 'Ended', 'Cancel', 'Reject', 'Fail'];

const LIVE: ReadonlyArray<CallState> = ['Initializing', 'Dialing', 'Ringing', 'Connected', 'OnHold', 'Transferring', 'Terminating'];

const TABLE: Readonly<Record<CallEvent, Partial<Record<CallState, CallState>>>> = {
  Dial: { Initializing: 'Dialing' },
  IncomingRing: { Initializing: 'Ringing' },
  RemoteRinging: { Dialing: 'Ringing', Ringing: 'Ringing' },
  Answered: { Dialing: 'Connected', Ringing: 'Connected' },
  Hold: { Connected: 'OnHold' },
  Resume: { OnHold: 'Connected' },
  Transfer: { Connected: 'Transferring', OnHold: 'Transferring' },
  TransferFailed: { Transferring: 'Connected' },
  Hangup: { Connected: 'Terminating', OnHold: 'Terminating', Transferring: 'Terminating' },
  Ended: { Connected: 'Terminated', OnHold: 'Terminated', Transferring: 'Terminated', Terminating: 'Terminated' },
  Cancel: { Dialing: 'Cancelled', Ringing: 'Cancelled' },
  Reject: { Dialing: 'Rejected', Ringing: 'Rejected' },
  Fail: Object.fromEntries(LIVE.map((s) => [s, 'Failed'])) as Partial<Record<CallState, CallState>>,
};

export const transition = (state: CallState, event: CallEvent): E.Either<SessionError, CallState> => {
  const next = TABLE[event][state];
  return next === undefined ? E.left(invalidState(state, event)) : E.right(next);
};

export const isFinal = (state: CallState): boolean => state === 'Terminated' || state === 'Cancelled' || state === 'Rejected' || state === 'Failed';

/** API operations and the states that allow them (the rest answer InvalidState). */
export type SessionOperation = 'accept' | 'earlyMedia' | 'reject' | 'terminate' | 'hold' | 'resume' | 'transfer' | 'sendDtmf' | 'waitForAnswer' | 'media';

const ALLOWED: Readonly<Record<SessionOperation, ReadonlyArray<CallState>>> = {
  accept: ['Ringing'],
  earlyMedia: ['Ringing'],
  reject: ['Ringing'],
  terminate: ['Dialing', 'Ringing', 'Connected', 'OnHold', 'Transferring'],
  hold: ['Connected'],
  resume: ['OnHold'],
  transfer: ['Connected', 'OnHold'],
  sendDtmf: ['Connected'],
  waitForAnswer: ['Dialing', 'Ringing', 'Connected'],
  media: ['Connected', 'OnHold'],
};

export const checkOperation = (state: CallState, operation: SessionOperation): E.Either<SessionError, CallState> =>
  ALLOWED[operation].includes(state) ? E.right(state) : E.left(invalidState(state, operation));
