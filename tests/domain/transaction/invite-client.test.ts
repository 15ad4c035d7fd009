import test from 'ava';
import {
  startInviteClient, stepInviteClient, type ClientConfig, type ClientEvent, type IctState,
} from '../../../domain/transaction/invite-client.js';
import { DEFAULT_TIMERS } from '../../../domain/transaction/timer-config.js';
import type { TransactionEffect } from '../../../domain/transaction/transaction-effect.js';
import { right } from '../../support/either.js';
import { request, response } from '../../support/sip-builders.js';

const udp: ClientConfig = { timers: DEFAULT_TIMERS, reliable: false };
const tcp: ClientConfig = { timers: DEFAULT_TIMERS, reliable: true };
const invite = request('INVITE');
const tags = (effects: ReadonlyArray<TransactionEffect>): string[] =>
  effects.map(
    (e) => (
      e.tag === 'StartTimer' ? `Start${e.timer}:${e.delayMs}` : e.tag === 'CancelTimer' ? `Cancel${e.timer}` : e.tag === 'Send' ? `Send:${e.message.kind === 'request' ? e.message.method : e.message.status}` : e.tag === 'PassUp' ? `PassUp:${e.message.kind === 'response' ? e.message.status : ''}` : e.tag === 'Terminated' ? `Terminated:${e.reason}` : e.tag
    ),
  );

const step = (t: Parameters<typeof right>[0], config: ClientConfig, state: IctState, event: ClientEvent) => right(
  t, stepInviteClient(config, state, event),
);

test('ICT start over UDP: sends INVITE, starts Timer B (64·T1) and Timer A (T1) (RFC 3261 17.1.1.2)', (t) => {
  const [state, effects] = startInviteClient(udp, invite);
  t.is(state.tag, 'Calling');
  t.deepEqual(tags(effects), ['Send:INVITE', 'StartB:32000', 'StartA:500']);
});

test('ICT start over TCP: no Timer A (17.1.1.2)', (t) => {
  t.deepEqual(tags(startInviteClient(tcp, invite)[1]), ['Send:INVITE', 'StartB:32000']);
});

test('ICT Calling: Timer A → resend and double the interval, without cap (17.1.1.2)', (t) => {
  let [state] = startInviteClient(udp, invite);
  const intervals: number[] = [];
  for (let i = 0; i < 7; i++) {
    const [next, effects] = step(t, udp, state, { tag: 'TimerFired', timer: 'A' });
    const start = effects.find((e) => e.tag === 'StartTimer');
    intervals.push(start?.tag === 'StartTimer' ? start.delayMs : -1);
    t.is(effects[0]?.tag, 'Send');
    state = next;
  }
  t.deepEqual(intervals, [1000, 2000, 4000, 8000, 16000, 32000, 64000]);
});

for (const status of [100, 180, 183]) {
  test(`ICT Calling: ${status} → Proceeding, passes it up, stops Timers A and B (17.1.1.2)`, (t) => {
    const [state] = startInviteClient(udp, invite);
    const [next, effects] = step(t, udp, state, { tag: 'ResponseReceived', response: response(invite, status) });
    t.is(next.tag, 'Proceeding');
    t.deepEqual(tags(effects), ['CancelA', 'CancelB', `PassUp:${status}`]);
  });
}

test('ICT Calling: 200 → Accepted, passes it up, starts Timer M (RFC 6026 8.4)', (t) => {
  const [state] = startInviteClient(udp, invite);
  const [next, effects] = step(t, udp, state, { tag: 'ResponseReceived', response: response(invite, 200) });
  t.is(next.tag, 'Accepted');
  t.deepEqual(tags(effects), ['CancelA', 'CancelB', 'PassUp:200', 'StartM:32000']);
});

for (const status of [300, 404, 486, 503, 603]) {
  test(`ICT Proceeding: ${status} → Completed, ACK sent, passed up, Timer D 32 s (17.1.1.2)`, (t) => {
    const [next, effects] = step(
      t, udp, { tag: 'Proceeding', request: invite }, { tag: 'ResponseReceived', response: response(invite, status) },
    );
    t.is(next.tag, 'Completed');
    t.deepEqual(tags(effects), ['Send:ACK', `PassUp:${status}`, 'StartD:32000']);
  });
}

test('ICT Completed: a retransmitted final response → the same ACK again, not passed up (17.1.1.2)', (t) => {
  const busy = response(invite, 486);
  const [completed, first] = step(
    t, udp, { tag: 'Proceeding', request: invite }, { tag: 'ResponseReceived', response: busy },
  );
  const [again, effects] = step(t, udp, completed, { tag: 'ResponseReceived', response: busy });
  t.is(again.tag, 'Completed');
  t.deepEqual(tags(effects), ['Send:ACK']);
  t.is(
    effects[0]?.tag === 'Send' ? effects[0].message : undefined,
    first[0]?.tag === 'Send' ? first[0].message : undefined,
  );
  t.deepEqual(tags(step(t, udp, again, { tag: 'TimerFired', timer: 'D' })[1]), ['Terminated:Done']);
});

test('ICT over TCP: a failure response terminates at once (Timer D = 0)', (t) => {
  const [next, effects] = step(
    t, tcp, { tag: 'Proceeding', request: invite }, { tag: 'ResponseReceived', response: response(invite, 486) },
  );
  t.is(next.tag, 'Terminated');
  t.deepEqual(tags(effects), ['Send:ACK', 'PassUp:486', 'Terminated:Done']);
});

test('ICT Accepted: further 2xx pass up for the TU to ACK; Timer M terminates (RFC 6026)', (t) => {
  const accepted: IctState = { tag: 'Accepted' };
  t.deepEqual(
    tags(step(t, udp, accepted, { tag: 'ResponseReceived', response: response(invite, 200, 'other-fork') })[1]),
    ['PassUp:200'],
  );
  t.deepEqual(
    tags(step(t, udp, accepted, { tag: 'ResponseReceived', response: response(invite, 180) })[1]), ['Discarded'],
  );
  t.deepEqual(tags(step(t, udp, accepted, { tag: 'TimerFired', timer: 'M' })[1]), ['Terminated:Done']);
});

test('ICT Calling: Timer B → timeout reported once and Terminated; transport error likewise', (t) => {
  const [state] = startInviteClient(udp, invite);
  const [timedOut, effects] = step(t, udp, state, { tag: 'TimerFired', timer: 'B' });
  t.is(timedOut.tag, 'Terminated');
  t.deepEqual(tags(effects), ['Timeout', 'Terminated:Timeout']);
  t.deepEqual(tags(step(t, udp, timedOut, { tag: 'TimerFired', timer: 'B' })[1]), ['Discarded']);
  t.deepEqual(
    tags(step(t, udp, state, { tag: 'TransportFailed' })[1]), ['TransportError', 'Terminated:TransportError'],
  );
  t.deepEqual(
    tags(step(t, udp, { tag: 'Proceeding', request: invite }, { tag: 'TransportFailed' })[1]),
    ['TransportError', 'Terminated:TransportError'],
  );
});

test('ICT: stray timers are discarded, never errors', (t) => {
  t.deepEqual(
    tags(step(t, udp, { tag: 'Proceeding', request: invite }, { tag: 'TimerFired', timer: 'A' })[1]), ['Discarded'],
  );
  const [calling] = startInviteClient(udp, invite);
  t.deepEqual(tags(step(t, udp, calling, { tag: 'TimerFired', timer: 'D' })[1]), ['Discarded']);
});
