import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import {
  CALL_STATES, checkOperation, isFinal, type CallState, type SessionOperation,
} from '../../../domain/session/call-state.js';

const OPERATIONS: Readonly<Record<SessionOperation, ReadonlyArray<CallState>>> = {
  accept: ['Ringing'], earlyMedia: ['Ringing'], reject: ['Ringing'], terminate: ['Dialing', 'Ringing', 'Connected', 'OnHold', 'Transferring'],
  hold: ['Connected'], resume: ['OnHold'], transfer: ['Connected', 'OnHold'], sendDtmf: ['Connected'], media: ['Connected', 'OnHold'],
};

for (const [operation, allowed] of Object.entries(OPERATIONS) as Array<[SessionOperation, ReadonlyArray<CallState>]>) {
  test(`operation ${operation}: allowed exactly in ${allowed.join(', ')}`, (t) => {
    for (const state of CALL_STATES) t.is(
      E.isRight(checkOperation(state, operation)), allowed.includes(state), `${operation} in ${state}`,
    );
  });
}

test('operation refused: InvalidState names the state and the operation', (t) => {
  t.like(
    checkOperation('Ringing', 'hold'),
    { _tag: 'Left', left: { kind: 'InvalidState', state: 'Ringing', operation: 'hold' } },
  );
});

test('final states are Terminated, Cancelled, Rejected and Failed', (t) => {
  t.deepEqual(CALL_STATES.filter(isFinal), ['Terminated', 'Cancelled', 'Rejected', 'Failed']);
});
