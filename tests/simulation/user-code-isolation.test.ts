/**
 * The application's code is foreign code: every callback and subscriber that
 * throws or rejects is caught, reported as an Error event and counted, and
 * the call follows the documented policy — a failing onIncomingCall answers
 * 500, the other callbacks change nothing. The process (here: the test's
 * own process) never sees the exception.
 */
import test from 'ava';
import type { CallHandler } from '../../application/session/call-handler.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import type { SessionEvent } from '../../domain/session/session-event.js';
import { simPeers, stopAndExpectReleased } from '../support/coordinator-harness.js';

const boom = (): never => {
  throw new Error('boom from the application');
};
const errors = (events: ReadonlyArray<SessionEvent>): string[] =>
  events.flatMap((e) => (e.type === 'Error' ? [e.message] : []));

const FAILING_DECISIONS: ReadonlyArray<[string, CallHandler['onIncomingCall']]> = [
  ['throws', () => boom()],
  ['rejects', async () => boom()],
  ['returns no decision', () => undefined as unknown as CallDecision],
  ['rejects with a 200 "rejection"', () => CallDecision.reject(200)],
];

for (const [how, onIncomingCall] of FAILING_DECISIONS) {
  test(`user code: an onIncomingCall that ${how} → the caller gets 500, an Error event names it, the stack carries on`, async (t) => {
    const sim = await simPeers(501, [{ onIncomingCall: () => CallDecision.reject(486) }, { onIncomingCall }]);
    const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
    const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
    const answered = a.coordinator.waitForAnswer(call.id, 10_000).catch((e: unknown) => e);
    await sim.clock.advanceBy(5_000);
    t.like(await answered, { kind: 'Rejected', status: 500 });
    if (how !== 'rejects with a 200 "rejection"') {
      t.true(errors(b.events).some((m) => m.startsWith('onIncomingCall failed')), errors(b.events).join('; '));
      t.true(b.coordinator.getStats().callbackFailures >= 1);
    }
    await stopAndExpectReleased(t, sim);
  });
}

test('user code: onCallEstablished, onDtmf and onCallEnded that throw or reject change nothing about the call; each is reported', async (t) => {
  const heard: string[] = [];
  const handler: CallHandler = {
    onIncomingCall: () => CallDecision.accept(),
    onCallEstablished: () => boom(),
    onDtmf: async (_call, digit) => {
      heard.push(digit);
      return boom();
    },
    onCallEnded: () => boom(),
  };
  const sim = await simPeers(502, [{ onIncomingCall: () => CallDecision.reject(486) }, handler]);
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const answered = a.coordinator.waitForAnswer(call.id, 10_000);
  await sim.clock.advanceBy(2_000);
  t.is((await answered).state, 'Connected');
  const bId = b.coordinator.listActiveSessions()[0]!;
  t.is(b.coordinator.getSession(bId)?.state, 'Connected', 'the callee stays connected');
  const dtmf = a.coordinator.sendDtmf(call.id, '12');
  await sim.clock.advanceBy(3_000);
  await dtmf;
  t.deepEqual(heard, ['1', '2']);
  t.deepEqual(b.events.filter((e) => e.type === 'DtmfReceived').map((e) => (e as { digit: string }).digit), ['1', '2']);
  const hangup = a.coordinator.terminateSession(call.id);
  await sim.clock.advanceBy(2_000);
  await hangup;
  t.true(b.events.some((e) => e.type === 'CallEnded' && e.sessionId === bId), 'CallEnded still published');
  const messages = errors(b.events);
  t.true(messages.some((m) => m.includes('onCallEstablished failed: boom from the application')), messages.join('; '));
  t.is(messages.filter((m) => m.startsWith('onDtmf failed')).length, 2);
  t.true(messages.some((m) => m.startsWith('onCallEnded failed')));
  t.is(b.coordinator.getStats().callbackFailures, 4);
  await stopAndExpectReleased(t, sim);
});

test('user code: a subscriber that throws does not stop the others; its failure is an Error event; a failing Error subscriber does not loop', async (t) => {
  const sim = await simPeers(
    503, [{ onIncomingCall: () => CallDecision.accept() }, { onIncomingCall: () => CallDecision.accept() }],
  );
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  b.coordinator.events.subscribe(() => boom(), { types: ['IncomingCall'] });
  b.coordinator.events.subscribe(async () => boom(), { types: ['CallEstablished'] });
  b.coordinator.events.subscribe(() => boom(), { types: ['Error'] });
  const after: string[] = [];
  b.coordinator.events.subscribe((e) => after.push(e.type), { types: ['IncomingCall', 'CallEstablished'] });
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const answered = a.coordinator.waitForAnswer(call.id, 10_000);
  await sim.clock.advanceBy(2_000);
  await answered;
  t.deepEqual(after, ['IncomingCall', 'CallEstablished'], 'the later subscriber heard both');
  const messages = errors(b.events);
  t.true(messages.some((m) => m.startsWith('a subscriber of IncomingCall failed')), messages.join('; '));
  t.true(messages.some((m) => m.startsWith('a subscriber of CallEstablished failed')), messages.join('; '));
  t.false(
    messages.some((m) => m.startsWith('a subscriber of Error failed')), 'no Error event about an Error subscriber',
  );
  await a.coordinator.terminateSession(call.id);
  await sim.clock.advanceBy(2_000);
  await stopAndExpectReleased(t, sim);
});

test('user code: an async subscriber gets events one at a time; beyond its queue the oldest are dropped and counted', async (t) => {
  const sim = await simPeers(504, [{ onIncomingCall: () => CallDecision.accept() }]);
  const [a] = sim.peers as [typeof sim.peers[0]];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const seen: string[] = [];
  let running = 0;
  let overlapped = false;
  const slow = a.coordinator.events.subscribe(async (e) => {
    running++;
    overlapped ||= running > 1;
    seen.push(e.type);
    await gate;
    running--;
  }, {}, 2);
  a.coordinator.createBridge();
  for (let i = 0; i < 5; i++) await a.coordinator.createOutgoingCall(a.uri, `sip:nobody${i}@10.9.9.9:5060`).catch(() => undefined);
  t.true(slow.dropped > 0, `dropped ${slow.dropped}`);
  release();
  await sim.clock.advanceBy(100);
  t.false(overlapped, 'never two at once');
  t.true(seen.length >= 3);
  slow.unsubscribe();
  for (const id of a.coordinator.listActiveSessions()) await a.coordinator.terminateSession(id);
  await stopAndExpectReleased(t, sim);
});

test('user code: an audio callback that throws every frame is reported a few times (1st, 10th, 100th), never more, and the call goes on', async (t) => {
  const sim = await simPeers(
    505, [{ onIncomingCall: () => CallDecision.reject(486) }, { onIncomingCall: () => CallDecision.accept() }],
  );
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const answered = a.coordinator.waitForAnswer(call.id, 10_000);
  await sim.clock.advanceBy(1_000);
  await answered;
  a.coordinator.startAudioTransmission(call.id, { kind: 'callback', fill: () => boom() });
  await sim.clock.advanceBy(3_000);
  t.is(a.coordinator.getSession(call.id)?.state, 'Connected');
  t.deepEqual(
    errors(a.events).filter((m) => m.startsWith('an audio source callback')).length, 3,
    'the 1st, 10th and 100th of ~150',
  );
  t.true(a.coordinator.getStats().callbackFailures >= 140);
  t.true(a.coordinator.getMediaStatistics(call.id).packetsSent > 100, 'silence went out instead');
  await a.coordinator.terminateSession(call.id);
  await sim.clock.advanceBy(2_000);
  await stopAndExpectReleased(t, sim);
});

test('handlers: one handler object serving two coordinators acts on each call through its own handle (no outer variable, no "accept failed")', async (t) => {
  const answered: string[] = [];
  const shared: CallHandler = {
    onIncomingCall: (_call, handle) => {
      // Answers a moment later through the handle, as an application deciding asynchronously would.
      void Promise.resolve().then(() => handle.accept());
      return CallDecision.defer();
    },
    onCallEstablished: (call, _l, _r, handle) => {
      answered.push(call.id);
      handle.play({ kind: 'tone', frequenciesHz: [700] });
    },
  };
  const sim = await simPeers(506, [{ onIncomingCall: () => CallDecision.reject(486) }, shared, shared]);
  const [a, b, c] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
  const toB = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const toC = await a.coordinator.createOutgoingCall(a.uri, c.uri);
  const both = Promise.all([a.coordinator.waitForAnswer(toB.id, 10_000), a.coordinator.waitForAnswer(toC.id, 10_000)]);
  await sim.clock.advanceBy(2_000);
  t.deepEqual((await both).map((call) => call.state), ['Connected', 'Connected']);
  t.is(answered.length, 2);
  t.deepEqual(errors([...b.events, ...c.events]), []);
  t.true(b.coordinator.getMediaStatistics(b.coordinator.listActiveSessions()[0]!).packetsSent > 0, 'b plays its tone');
  t.true(c.coordinator.getMediaStatistics(c.coordinator.listActiveSessions()[0]!).packetsSent > 0, 'c plays its tone');
  for (const id of [toB.id, toC.id]) await a.coordinator.terminateSession(id);
  await sim.clock.advanceBy(2_000);
  await stopAndExpectReleased(t, sim);
});
