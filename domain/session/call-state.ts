/**
 * The names of a call's states (what `getSession` and `StateChanged` report)
 * and which API operations each allows. The transitions themselves are the
 * call machine's (call-machine.ts).
 */
import * as E from 'fp-ts/lib/Either.js';
import { invalidState, type SessionError } from './session-error.js';

export type CallState =
  | 'Initializing' | 'Dialing' | 'Ringing' | 'Connected' | 'OnHold' | 'Transferring'
  | 'Terminating' | 'Terminated' | 'Cancelled' | 'Rejected' | 'Failed';

export const CALL_STATES: ReadonlyArray<CallState> = [
  'Initializing', 'Dialing', 'Ringing', 'Connected', 'OnHold', 'Transferring',
  'Terminating', 'Terminated', 'Cancelled', 'Rejected', 'Failed',
];

export const isFinal = (state: CallState): boolean =>
  state === 'Terminated' || state === 'Cancelled' || state === 'Rejected' || state === 'Failed';

/** API operations and the states that allow them (the rest answer InvalidState). */
export type SessionOperation =
  | 'accept' | 'earlyMedia' | 'reject' | 'terminate' | 'hold' | 'resume' | 'transfer' | 'sendDtmf' | 'media';

const ALLOWED: Readonly<Record<SessionOperation, ReadonlyArray<CallState>>> = {
  accept: ['Ringing'],
  earlyMedia: ['Ringing'],
  reject: ['Ringing'],
  terminate: ['Dialing', 'Ringing', 'Connected', 'OnHold', 'Transferring'],
  hold: ['Connected'],
  resume: ['OnHold'],
  transfer: ['Connected', 'OnHold'],
  sendDtmf: ['Connected'],
  media: ['Connected', 'OnHold'],
};

export const checkOperation = (state: CallState, operation: SessionOperation): E.Either<SessionError, CallState> =>
  ALLOWED[operation].includes(state) ? E.right(state) : E.left(invalidState(state, operation));
