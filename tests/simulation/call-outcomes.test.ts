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
