/**
 * RFC 3261 §8.1.3.4 on the simulated network: our caller follows our callee's 302 (CallDecision.forward)
 * to a third party as one call; a redirect loop ends with the 3xx; `followRedirects: false` hands it back.
 */
import test from 'ava';
import type { CallHandler } from '../../application/session/call-handler.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import { simPeers, stopAndExpectReleased } from '../support/coordinator-harness.js';

const forwardTo = (uri: string): CallHandler => ({ onIncomingCall: () => CallDecision.forward(uri) });
const answering: CallHandler = { onIncomingCall: () => CallDecision.accept() };
const C = 'sip:user3@10.0.0.3:5060';
const B = 'sip:user2@10.0.0.2:5060';

for (const [name, link] of [['clean', {}], ['30 % loss', { lossRatio: 0.3, oneWayDelayMinMs: 5 }]] as const) {
  test(`redirect (${name}): B forwards with 302, A follows it to C; A sees one call, answered by C`, async (t) => {
    const sim = await simPeers(71, [answering, forwardTo(C), answering], link);
    const [a, b, c] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
    const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
    const answered = a.coordinator.waitForAnswer(call.id, 60_000);
    await sim.clock.advanceBy(40_000);
    t.like(await answered, { state: 'Connected' });
    t.is(a.events.filter((e) => e.type === 'SessionCreated').length, 1, 'the application saw one call');
    t.true(b.events.some((e) => e.type === 'CallEnded'), 'B refused it with its 302');
    t.is(c.coordinator.listActiveSessions().length, 1, 'C took the call');
    await a.coordinator.terminateSession(call.id);
    await sim.clock.advanceBy(40_000);
    await stopAndExpectReleased(t, sim);
  });
}

test('redirect: a loop (B → C → B) ends the call with the 3xx, having tried each URI once', async (t) => {
  const sim = await simPeers(72, [answering, forwardTo(C), forwardTo(B)]);
  const [a, b, c] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, B);
  const outcome = a.coordinator.waitForAnswer(call.id, 60_000).catch((e: unknown) => e);
  await sim.clock.advanceBy(5_000);
  t.like(await outcome, { kind: 'Rejected', status: 302 });
  t.is(b.events.filter((e) => e.type === 'IncomingCall').length, 1);
  t.is(c.events.filter((e) => e.type === 'IncomingCall').length, 1);
  await stopAndExpectReleased(t, sim);
});

test('redirect: followRedirects false hands the 302 back as Rejected; nobody else is called', async (t) => {
  const sim = await simPeers(73, [answering, forwardTo(C), answering]);
  const [a, b, c] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri, undefined, [], { followRedirects: false });
  const outcome = a.coordinator.waitForAnswer(call.id, 60_000).catch((e: unknown) => e);
  await sim.clock.advanceBy(5_000);
  t.like(await outcome, { kind: 'Rejected', status: 302 });
  t.is(c.events.filter((e) => e.type === 'IncomingCall').length, 0);
  await stopAndExpectReleased(t, sim);
});

test('redirect: both the first server and the one it redirects to challenge; A answers each (a new server, a new challenge)', async (t) => {
  const sim = await simPeers(74, [answering, forwardTo(C), answering], {}, (builder, i) => (i === 0
    ? builder.withCredentials('alice', 'secret')
    : builder.withAuthentication({ realm: `realm${i}`, users: { alice: 'secret' } })));
  const [a, , c] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, B);
  const answered = a.coordinator.waitForAnswer(call.id, 60_000);
  await sim.clock.advanceBy(5_000);
  t.like(await answered, { state: 'Connected' });
  t.is(c.coordinator.listActiveSessions().length, 1);
  await a.coordinator.terminateSession(call.id);
  await sim.clock.advanceBy(40_000);
  await stopAndExpectReleased(t, sim);
});
