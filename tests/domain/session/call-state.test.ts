import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { CALL_EVENTS, CALL_STATES, checkOperation, isFinal, transition, type CallEvent, type CallState, type SessionOperation } from '../../../domain/session/call-state.js';

/** The whole matrix, written out: state → event → next state ('-' = InvalidState). */
const EXPECTED: Readonly<Record<CallState, Partial<Record<CallEvent, CallState>>>> = {
  Initializing: { Dial: 'Dialing', IncomingRing: 'Ringing', Fail: 'Failed' },
  Dialing: { RemoteRinging: 'Ringing', Answered: 'Connected', Cancel: 'Cancelled', Reject: 'Rejected', Fail: 'Failed' },
  Ringing: { RemoteRinging: 'Ringing', Answered: 'Connected', Cancel: 'Cancelled', Reject: 'Rejected', Fail: 'Failed' },
  Connected: { Hold: 'OnHold', Transfer: 'Transferring', Hangup: 'Terminating', Ended: 'Terminated', Fail: 'Failed' },
  OnHold: { Resume: 'Connected', Transfer: 'Transferring', Hangup: 'Terminating', Ended: 'Terminated', Fail: 'Failed' },
  Transferring: { TransferFailed: 'Connected', Hangup: 'Terminating', Ended: 'Terminated', Fail: 'Failed' },
  Terminating: { Ended: 'Terminated', Fail: 'Failed' },
  Terminated: {},
  Cancelled: {},
  Rejected: {},
  Failed: {},
};

for (const state of CALL_STATES) {
  for (const event of CALL_EVENTS) {
    const expected = EXPECTED[state][event];
    test(`call state ${state} + ${event} → ${expected ?? 'InvalidState'}`, (t) => {
      const result = transition(state, event);
      if (expected === undefined) t.like(result, { _tag: 'Left', left: { kind: 'InvalidState', state, operation: event } });
      else t.deepEqual(result, E.right(expected));
    });
  }
}

const OPERATIONS: Readonly<Record<SessionOperation, ReadonlyArray<CallState>>> = {
  accept: ['Ringing'], earlyMedia: ['Ringing'], reject: ['Ringing'], terminate: ['Dialing', 'Ringing', 'Connected', 'OnHold', 'Transferring'],
  hold: ['Connected'], resume: ['OnHold'], transfer: ['Connected', 'OnHold'], sendDtmf: ['Connected'],
  waitForAnswer: ['Dialing', 'Ringing', 'Connected'], media: ['Connected', 'OnHold'],
};

for (const [operation, allowed] of Object.entries(OPERATIONS) as Array<[SessionOperation, ReadonlyArray<CallState>]>) {
  test(`operation ${operation}: allowed exactly in ${allowed.join(', ')}`, (t) => {
    for (const state of CALL_STATES) t.is(E.isRight(checkOperation(state, operation)), allowed.includes(state), `${operation} in ${state}`);
  });
}

test('final states are Terminated, Cancelled, Rejected and Failed', (t) => {
  t.deepEqual(CALL_STATES.filter(isFinal), ['Terminated', 'Cancelled', 'Rejected', 'Failed']);
});
