/**
 * Nothing outlives its call, and outcomes are kept: a wait for an answer
 * that times out gives the call up, a hang-up resolves at once whoever is on
 * the other end, and an ended call's outcome can be read until it is
 * forgotten (the retention, lingerMs), then SessionNotFound.
 */
import test from 'ava';
import { CallDecision } from '../../domain/session/call-decision.js';
import { simPeers, stopAndExpectReleased } from '../support/coordinator-harness.js';

const SILENT = 'sip:nobody@10.0.0.99:5060';

test('outcomes: waitForAnswer that times out on a silent peer ends the call as Timeout (state Failed, CallEnded Timeout)', async (t) => {
  const sim = await simPeers(601, [{ onIncomingCall: () => CallDecision.reject(486) }]);
  const [a] = sim.peers as [typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, SILENT);
  const waited = a.coordinator.waitForAnswer(call.id, 2_000).catch((e: unknown) => e);
  await sim.clock.advanceBy(2_001);
  t.like(await waited, { kind: 'Timeout' });
  t.like(a.coordinator.getSession(call.id), { state: 'Failed', endReason: 'Timeout' });
  t.deepEqual(a.coordinator.listActiveSessions(), []);
  t.true(a.events.some((e) => e.type === 'CallEnded' && e.sessionId === call.id && e.reason === 'Timeout'));
  // The INVITE transaction still runs to Timer B in the background; stopping releases it.
  await stopAndExpectReleased(t, sim);
});

test('outcomes: terminateSession on a call dialing a silent peer resolves at once (Cancelled), without waiting for anything', async (t) => {
  const sim = await simPeers(602, [{ onIncomingCall: () => CallDecision.reject(486) }]);
  const [a] = sim.peers as [typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, SILENT);
  await sim.clock.advanceBy(100);
  let done = false;
  const hangup = a.coordinator.terminateSession(call.id).then(() => (done = true));
  await Promise.resolve();
  await hangup;
  t.true(done, 'resolved with no virtual time passing');
  t.like(a.coordinator.getSession(call.id), { state: 'Cancelled', endReason: 'Cancelled' });
  await stopAndExpectReleased(t, sim);
});

test('outcomes: waitForAnswer after the callee answered 486 rejects with Rejected 486; getSession says Rejected with the status; after the retention, SessionNotFound', async (t) => {
  const sim = await simPeers(603, [
    { onIncomingCall: () => CallDecision.reject(486) }, { onIncomingCall: () => CallDecision.reject(486) },
  ],
    {}, (b) => b.withEndedSessionRetention(10_000));
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  await sim.clock.advanceBy(1_300);
  t.like(a.coordinator.getSession(call.id), { state: 'Rejected', status: 486, endReason: 'Rejected 486' });
  const late = await a.coordinator.waitForAnswer(call.id, 1_000).catch((e: unknown) => e);
  t.like(late, { kind: 'Rejected', status: 486, reason: 'Busy Here' });
  await sim.clock.advanceBy(10_000);
  t.is(a.coordinator.getSession(call.id), undefined);
  t.like(await a.coordinator.waitForAnswer(call.id, 1_000).catch((e: unknown) => e), { kind: 'SessionNotFound' });
  await stopAndExpectReleased(t, sim);
});

test('outcomes: a call answered and hung up before anyone waited still reports it was answered', async (t) => {
  const sim = await simPeers(
    604, [{ onIncomingCall: () => CallDecision.reject(486) }, { onIncomingCall: () => CallDecision.accept() }],
  );
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  await sim.clock.advanceBy(500);
  await a.coordinator.terminateSession(call.id);
  await sim.clock.advanceBy(500);
  t.like(await a.coordinator.waitForAnswer(call.id, 1_000), { state: 'Terminated', endReason: 'Local hangup' });
  await stopAndExpectReleased(t, sim);
});

test('outcomes: stop() on the simulated network resolves within its grace even with a silent peer', async (t) => {
  const sim = await simPeers(605, [{ onIncomingCall: () => CallDecision.reject(486) }]);
  const [a] = sim.peers as [typeof sim.peers[0]];
  await a.coordinator.createOutgoingCall(a.uri, SILENT);
  await sim.clock.advanceBy(100);
  const startedAt = sim.clock.nowMs();
  let stoppedAt = -1;
  const stopping = a.coordinator.stop().then(() => (stoppedAt = sim.clock.nowMs()));
  await sim.clock.advanceBy(1_000);
  await stopping;
  t.true(stoppedAt - startedAt <= 500, `stopped after ${stoppedAt - startedAt} virtual ms`);
  await sim.clock.runUntilIdle();
  t.is(sim.clock.pendingTimers(), 0);
  t.is(sim.network.openSockets(), 0);
});

test('outcomes: a 2xx that arrives after our INVITE timed out (Timer B) is ACKed and ended with BYE at once', async (t) => {
  let answerAtMs = 0;
  const sim = await simPeers(603, [{ onIncomingCall: () => CallDecision.reject(486) }, {
    onIncomingCall: (_call, handle) => {
      // The callee answers a second after the INVITE finally reached it: after the caller's Timer B.
      setAnswer(() => handle.accept());
      return CallDecision.defer();
    },
  }]);
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const setAnswer = (accept: () => Promise<void>): void => void sim.clock.schedule(1000, () => {
    answerAtMs = sim.clock.nowMs();
    void accept();
  });
  const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
  // Every INVITE but the last retransmission (31.5 s) is lost, and so is every provisional response.
  sim.network.tap({
    send: (p) => ((text(p.bytes).startsWith('INVITE ') && p.atMs < 31_000)
      || /^SIP\/2\.0 1\d\d /.test(text(p.bytes)) ? 'drop' : undefined),
  });
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const waited = a.coordinator.waitForAnswer(call.id, 60_000).catch((e: unknown) => e);
  await sim.clock.advanceBy(40_000);
  t.like(await waited, { kind: 'Timeout' });
  t.true(answerAtMs > 32_000, 'the 2xx left after Timer B');
  t.true(b.events.some((e) => e.type === 'CallEstablished'));
  t.true(b.events.some((e) => e.type === 'CallEnded'), 'the callee\'s call ended');
  const bye = sim.network.trace.lines.find((l) => l.includes('send 10.0.0.1:5060 > 10.0.0.2:5060 BYE'));
  const ack = sim.network.trace.lines.find((l) => l.includes('send 10.0.0.1:5060 > 10.0.0.2:5060 ACK'));
  t.truthy(ack, 'the 2xx was acknowledged');
  t.truthy(bye, 'and the call hung up');
  t.true(Number(bye!.split(' ')[0]) < answerAtMs + 1000, 'at once, not after the callee gave up waiting for an ACK');
  await stopAndExpectReleased(t, sim);
});

test('outcomes: a re-INVITE nobody answers (Timer B) ends the call with a BYE, so a peer that is still there hangs up too', async (t) => {
  const sim = await simPeers(604, [{ onIncomingCall: () => CallDecision.reject(486) }, {
    onIncomingCall: () => CallDecision.accept(),
  }]);
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const answered = a.coordinator.waitForAnswer(call.id, 10_000);
  await sim.clock.advanceBy(1_000);
  await answered;
  // From now on every INVITE from A is lost: the hold's re-INVITE never arrives.
  sim.network.tap({
    send: (p) => (p.from.host === '10.0.0.1' && Buffer.from(p.bytes.subarray(0, 7)).toString('latin1') === 'INVITE '
      ? 'drop' : undefined),
  });
  const hold = a.coordinator.holdSession(call.id).catch((e: unknown) => e);
  await sim.clock.advanceBy(35_000);
  await hold;
  t.deepEqual(a.coordinator.listActiveSessions(), []);
  t.deepEqual(b.coordinator.listActiveSessions(), [], 'B got our BYE and hung up too');
  t.true(b.events.some((e) => e.type === 'CallEnded'));
  await stopAndExpectReleased(t, sim);
});
