import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { isFinalCall, stepCall, type Call, type CallEvent } from '../../../domain/session/call-machine.js';
import type { CallState } from '../../../domain/session/call-state.js';

const outcome = { reason: 'x', error: undefined, endedAtMs: 0, durationMs: 0 };
/** One representative call in each state. */
const CALLS: Readonly<Record<CallState, Call>> = {
  Initializing: { tag: 'Initializing' }, Dialing: { tag: 'Dialing' }, Ringing: { tag: 'Ringing' },
  Connected: { tag: 'Connected', connectedAtMs: 1_000 }, OnHold: { tag: 'OnHold', connectedAtMs: 1_000 },
  Transferring: { tag: 'Transferring', connectedAtMs: 1_000, target: 'sip:c@h' },
  Terminating: { tag: 'Terminating', connectedAtMs: 1_000, reason: 'Local hangup' },
  Terminated: { tag: 'Terminated', outcome }, Cancelled: { tag: 'Cancelled', outcome },
  Rejected: { tag: 'Rejected', outcome }, Failed: { tag: 'Failed', outcome },
};

const EVENTS: ReadonlyArray<CallEvent> = [
  { tag: 'Dial' }, { tag: 'Offered' }, { tag: 'Progress' }, { tag: 'Answered', nowMs: 2_000 }, { tag: 'Hold' }, { tag: 'Resume' },
  { tag: 'TransferStarted', target: 'sip:c@h' }, { tag: 'TransferFailed' }, { tag: 'Hangup', reason: 'Local hangup' },
  { tag: 'Ended', reason: 'Remote hangup', nowMs: 5_000 }, { tag: 'Cancelled', reason: 'Cancelled', nowMs: 5_000 },
  { tag: 'Rejected', status: 486, phrase: 'Busy Here', reason: 'Rejected 486', nowMs: 5_000 },
  { tag: 'Failed', error: { kind: 'Timeout', message: 'no answer' }, reason: 'Timeout', nowMs: 5_000 },
];

/** The whole table: state → event → next state; '-' refused (InvalidState), '~' absorbed (Discarded). */
const EXPECTED: Readonly<Record<CallState, Readonly<Record<CallEvent['tag'], CallState | '-' | '~'>>>> = {
  Initializing: {
    Dial: 'Dialing', Offered: 'Ringing', Progress: '~', Answered: '~', Hold: '-', Resume: '-', TransferStarted: '-',
    TransferFailed: '~', Hangup: '-', Ended: '~', Cancelled: '~', Rejected: '~', Failed: 'Failed',
  },
  Dialing: {
    Dial: '-', Offered: '-', Progress: 'Ringing', Answered: 'Connected', Hold: '-', Resume: '-', TransferStarted: '-',
    TransferFailed: '~', Hangup: '-', Ended: '~', Cancelled: 'Cancelled', Rejected: 'Rejected', Failed: 'Failed',
  },
  Ringing: {
    Dial: '-', Offered: '-', Progress: 'Ringing', Answered: 'Connected', Hold: '-', Resume: '-', TransferStarted: '-',
    TransferFailed: '~', Hangup: '-', Ended: '~', Cancelled: 'Cancelled', Rejected: 'Rejected', Failed: 'Failed',
  },
  Connected: {
    Dial: '-', Offered: '-', Progress: '~', Answered: '~', Hold: 'OnHold', Resume: '-', TransferStarted: 'Transferring',
    TransferFailed: '~', Hangup: 'Terminating', Ended: 'Terminated', Cancelled: '~', Rejected: '~', Failed: 'Failed',
  },
  OnHold: {
    Dial: '-', Offered: '-', Progress: '~', Answered: '~', Hold: '-', Resume: 'Connected',
    TransferStarted: 'Transferring', TransferFailed: '~', Hangup: 'Terminating', Ended: 'Terminated', Cancelled: '~',
    Rejected: '~', Failed: 'Failed',
  },
  Transferring: {
    Dial: '-', Offered: '-', Progress: '~', Answered: '~', Hold: '-', Resume: '-', TransferStarted: '-',
    TransferFailed: 'Connected', Hangup: 'Terminating', Ended: 'Terminated', Cancelled: '~', Rejected: '~',
    Failed: 'Failed',
  },
  Terminating: {
    Dial: '-', Offered: '-', Progress: '~', Answered: '~', Hold: '-', Resume: '-', TransferStarted: '-',
    TransferFailed: '~', Hangup: '-', Ended: 'Terminated', Cancelled: '~', Rejected: '~', Failed: 'Failed',
  },
  Terminated: {
    Dial: '-', Offered: '-', Progress: '~', Answered: '~', Hold: '-', Resume: '-', TransferStarted: '-',
    TransferFailed: '~', Hangup: '-', Ended: '~', Cancelled: '~', Rejected: '~', Failed: '~',
  },
  Cancelled: {
    Dial: '-', Offered: '-', Progress: '~', Answered: '~', Hold: '-', Resume: '-', TransferStarted: '-',
    TransferFailed: '~', Hangup: '-', Ended: '~', Cancelled: '~', Rejected: '~', Failed: '~',
  },
  Rejected: {
    Dial: '-', Offered: '-', Progress: '~', Answered: '~', Hold: '-', Resume: '-', TransferStarted: '-',
    TransferFailed: '~', Hangup: '-', Ended: '~', Cancelled: '~', Rejected: '~', Failed: '~',
  },
  Failed: {
    Dial: '-', Offered: '-', Progress: '~', Answered: '~', Hold: '-', Resume: '-', TransferStarted: '-',
    TransferFailed: '~', Hangup: '-', Ended: '~', Cancelled: '~', Rejected: '~', Failed: '~',
  },
};

for (const [state, call] of Object.entries(CALLS) as Array<[CallState, Call]>) {
  for (const event of EVENTS) {
    const expected = EXPECTED[state][event.tag];
    const label = expected === '-' ? 'InvalidState' : expected === '~' ? 'absorbed (Discarded)' : expected;
    test(`call machine ${state} + ${event.tag} → ${label}`, (t) => {
      const step = stepCall(call, event);
      if (expected === '-') {
        t.like(step, { _tag: 'Left', left: { kind: 'InvalidState', state, operation: event.tag } });
        return;
      }
      if (E.isLeft(step)) return t.fail(step.left.message);
      if (expected === '~') {
        t.is(step.right.call, call);
        t.deepEqual(step.right.effects, [{ tag: 'Discarded', event: event.tag, state }]);
        return;
      }
      t.is(step.right.call.tag, expected);
      // Ringing + Progress stays without news; every other move says so first.
      if (state === expected) t.deepEqual(step.right.effects, []);
      else t.deepEqual(step.right.effects[0], { tag: 'StateChanged', from: state, to: expected });
    });
  }
}

test('call machine: Answered → Connected records when, and says Established (the handler and waiters hear it)', (t) => {
  const step = stepCall({ tag: 'Ringing' }, { tag: 'Answered', nowMs: 1_234 });
  t.deepEqual(step, E.right({ call: { tag: 'Connected', connectedAtMs: 1_234 }, effects: [
    { tag: 'StateChanged', from: 'Ringing', to: 'Connected' }, { tag: 'Established' },
  ] }));
});

test('call machine: a rejection keeps its status in the outcome, for waitForAnswer after the fact', (t) => {
  const step = stepCall(
    { tag: 'Dialing' }, { tag: 'Rejected', status: 486, phrase: 'Busy Here', reason: 'Rejected 486', nowMs: 9 },
  );
  if (E.isLeft(step)) return t.fail();
  const call = step.right.call;
  t.true(isFinalCall(call));
  t.like(
    call,
    {
      tag: 'Rejected',
      outcome: {
        reason: 'Rejected 486', durationMs: 0, endedAtMs: 9,
        error: { kind: 'Rejected', status: 486, reason: 'Busy Here' },
      },
    },
  );
  t.like(step.right.effects[1], { tag: 'Ended', failed: false });
});

test('call machine: a hang-up ends with its own reason and the connected duration, whatever ended the dialog', (t) => {
  const step = stepCall(
    { tag: 'Terminating', connectedAtMs: 1_000, reason: 'Transferred' },
    { tag: 'Ended', reason: 'LocalBye', nowMs: 4_500 },
  );
  t.like(
    step,
    {
      _tag: 'Right',
      right: { call: { tag: 'Terminated', outcome: { reason: 'Transferred', durationMs: 3_500, error: undefined } } },
    },
  );
});

test('call machine: a failure is flagged as failed (the failed counter) and carries its error', (t) => {
  const step = stepCall(
    { tag: 'Connected', connectedAtMs: 0 },
    { tag: 'Failed', error: { kind: 'MediaError', message: 'm' }, reason: 'MediaError', nowMs: 10 },
  );
  t.like(
    step,
    {
      _tag: 'Right',
      right: {
        effects: [
          { tag: 'StateChanged' },
          { tag: 'Ended', failed: true, outcome: { error: { kind: 'MediaError' }, durationMs: 10 } },
        ],
      },
    },
  );
});
