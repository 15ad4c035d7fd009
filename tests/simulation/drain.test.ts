/**
 * Draining (what a worker does on SIGTERM behind a load balancer): new INVITEs and OPTIONS probes get 503 so
 * the balancer sends new calls elsewhere, while the calls in progress carry on to their normal end.
 */
import test from 'ava';
import { AutoAnswerHandler } from '../../application/session/call-handler.js';
import { rawClient, requestText } from '../support/raw-sip-client.js';
import { simPeers, stopAndExpectReleased } from '../support/coordinator-harness.js';

test('drain: OPTIONS and new INVITEs get 503; the call in progress carries on and ends normally', async (t) => {
  const sim = await simPeers(81, [new AutoAnswerHandler(), new AutoAnswerHandler()]);
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const answered = a.coordinator.waitForAnswer(call.id, 10_000);
  await sim.clock.advanceBy(1_000);
  await answered;
  const probe = rawClient(sim.network, sim.clock, '10.0.0.50');
  const before = await probe.ask(requestText('OPTIONS', 'sip:10.0.0.2', 'sip:ds@10.0.0.50', '10.0.0.50', 'p1'),
    { protocol: 'udp', host: '10.0.0.2', port: 5060 });
  t.like(before, { status: 200 });
  b.coordinator.drain();
  const after = await probe.ask(requestText('OPTIONS', 'sip:10.0.0.2', 'sip:ds@10.0.0.50', '10.0.0.50', 'p2'),
    { protocol: 'udp', host: '10.0.0.2', port: 5060 });
  t.like(after, { status: 503 });
  const refused = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const outcome = a.coordinator.waitForAnswer(refused.id, 10_000).catch((e: unknown) => e);
  await sim.clock.advanceBy(2_000);
  t.like(await outcome, { kind: 'Rejected', status: 503 });
  t.is(b.coordinator.getStats().refused.draining, 1);
  t.deepEqual(a.coordinator.listActiveSessions(), [call.id], 'the first call is still up');
  const hangup = a.coordinator.terminateSession(call.id);
  await sim.clock.advanceBy(2_000);
  await hangup;
  await probe.close();
  await stopAndExpectReleased(t, sim);
});
