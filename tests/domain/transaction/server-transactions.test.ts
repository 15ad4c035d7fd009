import test from 'ava';
import { startInviteServer, stepInviteServer, type IstState } from '../../../domain/transaction/invite-server.js';
import {
  startNonInviteServer, stepNonInviteServer, type NistState,
} from '../../../domain/transaction/non-invite-server.js';
import type { ServerConfig } from '../../../domain/transaction/server-event.js';
import { DEFAULT_TIMERS } from '../../../domain/transaction/timer-config.js';
import { left, right } from '../../support/either.js';
import { request, response } from '../../support/sip-builders.js';

const udp: ServerConfig = { timers: DEFAULT_TIMERS, reliable: false };
const tcp: ServerConfig = { timers: DEFAULT_TIMERS, reliable: true };
const invite = request('INVITE');
const ack = request('ACK');
const options = request('OPTIONS');

test('IST start: passes the INVITE up and arms the 200 ms Trying timer (RFC 3261 17.2.1)', (t) => {
  const [state, effects] = startInviteServer(invite);
  t.is(state.tag, 'Proceeding');
  t.deepEqual(effects.map((e) => e.tag), ['PassUp', 'StartTimer']);
  t.like(effects[1], { timer: 'Trying', delayMs: 200 });
});

test('IST Proceeding: a silent TU → 100 Trying after 200 ms; INVITE retransmissions get it again', (t) => {
  const [state] = startInviteServer(invite);
  const [withTrying, fx] = right(t, stepInviteServer(udp, state, { tag: 'TimerFired', timer: 'Trying' }));
  t.like(fx[0], { tag: 'Send', message: { status: 100 } });
  const [, again] = right(t, stepInviteServer(udp, withTrying, { tag: 'RequestReceived', request: invite }));
  t.like(again[0], { tag: 'Send', message: { status: 100 } });
  t.deepEqual(
    right(t, stepInviteServer(udp, state, { tag: 'RequestReceived', request: invite }))[1].map((e) => e.tag),
    ['Discarded'],
  );
});

test('IST Proceeding: TU 180 stops the Trying timer and is resent on retransmissions', (t) => {
  const [state] = startInviteServer(invite);
  const [ringing, fx] = right(t, stepInviteServer(udp, state, { tag: 'TuResponse', response: response(invite, 180) }));
  t.deepEqual(fx.map((e) => e.tag), ['CancelTimer', 'Send']);
  t.like(
    right(t, stepInviteServer(udp, ringing, { tag: 'RequestReceived', request: invite }))[1][0],
    { tag: 'Send', message: { status: 180 } },
  );
  t.deepEqual(
    right(t, stepInviteServer(udp, ringing, { tag: 'TimerFired', timer: 'Trying' }))[1].map((e) => e.tag),
    ['Discarded'],
  );
});

test('IST Proceeding: TU 2xx → Accepted with Timer L; retransmitted INVITEs absorbed; the TU may resend its 2xx (RFC 6026)', (t) => {
  const [state] = startInviteServer(invite);
  const ok = response(invite, 200);
  const [accepted, fx] = right(t, stepInviteServer(udp, state, { tag: 'TuResponse', response: ok }));
  t.is(accepted.tag, 'Accepted');
  t.like(fx[2], { tag: 'StartTimer', timer: 'L', delayMs: 32000 });
  t.deepEqual(
    right(t, stepInviteServer(udp, accepted, { tag: 'RequestReceived', request: invite }))[1].map((e) => e.tag),
    ['Discarded'],
  );
  t.deepEqual(
    right(t, stepInviteServer(udp, accepted, { tag: 'TuResponse', response: ok }))[1].map((e) => e.tag), ['Send'],
  );
  t.deepEqual(
    right(t, stepInviteServer(udp, accepted, { tag: 'RequestReceived', request: ack }))[1].map((e) => e.tag),
    ['PassUp'],
  );
  t.is(
    left(t, stepInviteServer(udp, accepted, { tag: 'TuResponse', response: response(invite, 486) })).reason,
    'ResponseAfterFinal',
  );
  t.is(right(t, stepInviteServer(udp, accepted, { tag: 'TimerFired', timer: 'L' }))[0].tag, 'Terminated');
});

test('IST Completed: G doubles to T2, INVITE retransmission resends the final, ACK → Confirmed with Timer I (17.2.1)', (
  t,
) => {
  const [state] = startInviteServer(invite);
  const [completed, fx] = right(
    t, stepInviteServer(udp, state, { tag: 'TuResponse', response: response(invite, 486) }),
  );
  t.deepEqual(
    fx.map((e) => (e.tag === 'StartTimer' ? `${e.timer}:${e.delayMs}` : e.tag)),
    ['CancelTimer', 'Send', 'H:32000', 'G:500'],
  );
  let current: IstState = completed;
  const intervals: number[] = [];
  for (let i = 0; i < 5; i++) {
    const [next, g] = right(t, stepInviteServer(udp, current, { tag: 'TimerFired', timer: 'G' }));
    intervals.push(g[1]?.tag === 'StartTimer' ? g[1].delayMs : -1);
    current = next;
  }
  t.deepEqual(intervals, [1000, 2000, 4000, 4000, 4000]);
  t.like(
    right(t, stepInviteServer(udp, current, { tag: 'RequestReceived', request: invite }))[1][0],
    { tag: 'Send', message: { status: 486 } },
  );
  const [confirmed, acked] = right(t, stepInviteServer(udp, current, { tag: 'RequestReceived', request: ack }));
  t.is(confirmed.tag, 'Confirmed');
  t.deepEqual(
    acked.map((e) => (e.tag === 'StartTimer' ? `${e.timer}:${e.delayMs}` : e.tag)),
    ['CancelTimer', 'CancelTimer', 'I:5000'],
  );
  t.deepEqual(
    right(t, stepInviteServer(udp, confirmed, { tag: 'RequestReceived', request: ack }))[1].map((e) => e.tag),
    ['Discarded'],
  );
  t.is(right(t, stepInviteServer(udp, confirmed, { tag: 'TimerFired', timer: 'I' }))[0].tag, 'Terminated');
});

test('IST Completed: Timer H (no ACK) → timeout once, Terminated; over TCP the ACK ends it at once', (t) => {
  const [state] = startInviteServer(invite);
  const [completed] = right(t, stepInviteServer(udp, state, { tag: 'TuResponse', response: response(invite, 603) }));
  const [ended, fx] = right(t, stepInviteServer(udp, completed, { tag: 'TimerFired', timer: 'H' }));
  t.is(ended.tag, 'Terminated');
  t.deepEqual(fx.map((e) => e.tag), ['CancelTimer', 'Timeout', 'Terminated']);
  const [tcpCompleted, tcpFx] = right(
    t, stepInviteServer(tcp, startInviteServer(invite)[0], { tag: 'TuResponse', response: response(invite, 603) }),
  );
  t.false(tcpFx.some((e) => e.tag === 'StartTimer' && e.timer === 'G'));
  t.is(right(t, stepInviteServer(tcp, tcpCompleted, { tag: 'RequestReceived', request: ack }))[0].tag, 'Terminated');
  t.is(
    left(t, stepInviteServer(udp, completed, { tag: 'TuResponse', response: response(invite, 200) })).reason,
    'ResponseAfterFinal',
  );
});

test('NIST: retransmissions absorbed in Trying, last response resent after; Timer J = 64·T1 (17.2.2)', (t) => {
  const [trying, start] = startNonInviteServer(options);
  t.deepEqual(start.map((e) => e.tag), ['PassUp']);
  t.deepEqual(
    right(t, stepNonInviteServer(udp, trying, { tag: 'RequestReceived', request: options }))[1].map((e) => e.tag),
    ['Discarded'],
  );
  const [proceeding] = right(
    t, stepNonInviteServer(udp, trying, { tag: 'TuResponse', response: response(options, 100) }),
  );
  t.like(
    right(t, stepNonInviteServer(udp, proceeding, { tag: 'RequestReceived', request: options }))[1][0],
    { tag: 'Send', message: { status: 100 } },
  );
  const [completed, fx] = right(
    t, stepNonInviteServer(udp, proceeding, { tag: 'TuResponse', response: response(options, 200) }),
  );
  t.like(fx[1], { tag: 'StartTimer', timer: 'J', delayMs: 32000 });
  t.like(
    right(t, stepNonInviteServer(udp, completed, { tag: 'RequestReceived', request: options }))[1][0],
    { tag: 'Send', message: { status: 200 } },
  );
  t.is(
    left(t, stepNonInviteServer(udp, completed, { tag: 'TuResponse', response: response(options, 500) })).reason,
    'ResponseAfterFinal',
  );
  const after: NistState = right(t, stepNonInviteServer(udp, completed, { tag: 'TimerFired', timer: 'J' }))[0];
  t.is(after.tag, 'Terminated');
});

test('NIST: RFC 4320 forbids 408 and provisional responses other than 100 to non-INVITE', (t) => {
  const [trying] = startNonInviteServer(options);
  t.is(
    left(t, stepNonInviteServer(udp, trying, { tag: 'TuResponse', response: response(options, 408) })).reason,
    'NotAllowed408',
  );
  t.is(
    left(t, stepNonInviteServer(udp, trying, { tag: 'TuResponse', response: response(options, 180) })).reason,
    'BadProvisional',
  );
  t.is(
    right(t, stepNonInviteServer(tcp, trying, { tag: 'TuResponse', response: response(options, 200) }))[0].tag,
    'Terminated', 'Timer J = 0 on TCP',
  );
});
