import test from 'ava';
import type { ClientConfig } from '../../../domain/transaction/invite-client.js';
import {
  startNonInviteClient, stepNonInviteClient, type NictState,
} from '../../../domain/transaction/non-invite-client.js';
import { DEFAULT_TIMERS } from '../../../domain/transaction/timer-config.js';
import { right } from '../../support/either.js';
import { request, response } from '../../support/sip-builders.js';

const udp: ClientConfig = { timers: DEFAULT_TIMERS, reliable: false };
const tcp: ClientConfig = { timers: DEFAULT_TIMERS, reliable: true };
const bye = request('BYE');

test('NICT Trying: Timer E doubles up to T2 = 4 s (RFC 3261 17.1.2.2)', (t) => {
  let [state, effects] = startNonInviteClient(udp, bye);
  t.deepEqual(effects.map((e) => e.tag), ['Send', 'StartTimer', 'StartTimer']);
  const intervals: number[] = [];
  for (let i = 0; i < 6; i++) {
    const [next, fx] = right(t, stepNonInviteClient(udp, state, { tag: 'TimerFired', timer: 'E' }));
    const start = fx.find((e) => e.tag === 'StartTimer');
    intervals.push(start?.tag === 'StartTimer' ? start.delayMs : -1);
    state = next;
  }
  t.deepEqual(intervals, [1000, 2000, 4000, 4000, 4000, 4000]);
});

test('NICT Proceeding: Timer E retransmits every T2 (17.1.2.2)', (t) => {
  const [, fx] = right(
    t, stepNonInviteClient(udp, { tag: 'Proceeding', request: bye }, { tag: 'TimerFired', timer: 'E' }),
  );
  t.like(fx[1], { tag: 'StartTimer', timer: 'E', delayMs: 4000 });
});

test('NICT: 1xx → Proceeding; final → Completed with Timer K = T4, then absorbs retransmissions', (t) => {
  const [start] = startNonInviteClient(udp, bye);
  const [proceeding] = right(
    t, stepNonInviteClient(udp, start, { tag: 'ResponseReceived', response: response(bye, 100) }),
  );
  t.is(proceeding.tag, 'Proceeding');
  const [completed, fx] = right(
    t, stepNonInviteClient(udp, proceeding, { tag: 'ResponseReceived', response: response(bye, 200) }),
  );
  t.is(completed.tag, 'Completed');
  t.deepEqual(fx.map((e) => e.tag), ['CancelTimer', 'CancelTimer', 'PassUp', 'StartTimer']);
  t.like(fx[3], { timer: 'K', delayMs: 5000 });
  t.deepEqual(
    right(t, stepNonInviteClient(udp, completed, { tag: 'ResponseReceived', response: response(bye, 200) }))[1].map(
      (e) => e.tag,
    ),
    ['Discarded'],
  );
  t.is(right(t, stepNonInviteClient(udp, completed, { tag: 'TimerFired', timer: 'K' }))[0].tag, 'Terminated');
});

test('NICT over TCP: no Timer E, and a final response terminates at once (K = 0)', (t) => {
  const [state, effects] = startNonInviteClient(tcp, bye);
  t.deepEqual(effects.map((e) => (e.tag === 'StartTimer' ? e.timer : e.tag)), ['Send', 'F']);
  t.is(
    right(t, stepNonInviteClient(tcp, state, { tag: 'ResponseReceived', response: response(bye, 481) }))[0].tag,
    'Terminated',
  );
});

test('NICT: Timer F → one timeout, reported to the TU (RFC 4320: no 408 on the wire)', (t) => {
  const [state] = startNonInviteClient(udp, bye);
  const [next, fx] = right(t, stepNonInviteClient(udp, state, { tag: 'TimerFired', timer: 'F' }));
  t.is(next.tag, 'Terminated');
  t.deepEqual(fx.map((e) => e.tag), ['Timeout', 'Terminated']);
  t.false(fx.some((e) => e.tag === 'Send'));
  const after: NictState = next;
  t.deepEqual(
    right(t, stepNonInviteClient(udp, after, { tag: 'TimerFired', timer: 'F' }))[1].map((e) => e.tag), ['Discarded'],
  );
  t.deepEqual(
    right(t, stepNonInviteClient(udp, state, { tag: 'TransportFailed' }))[1].map((e) => e.tag),
    ['TransportError', 'Terminated'],
  );
});
