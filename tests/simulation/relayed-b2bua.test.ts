/**
 * A B2BUA whose media is anchored in a relay (the MediaRelay port; rtpengine in production, its simulated
 * double here): both phones are pointed at the relay, this process only signals, a relay failure refuses the
 * call cleanly (503) and never leaves a leg half set up, and the relay's ports are freed when the call ends.
 */
import test from 'ava';
import { SimulatedMediaRelay } from '../../adapters/sim/simulated-media-relay.js';
import { AutoAnswerHandler, type CallHandler } from '../../application/session/call-handler.js';
import { RelayedB2bua } from '../../application/session/relayed-b2bua.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import { simPeers, stopAndExpectReleased } from '../support/coordinator-harness.js';

const RELAY = '10.0.0.9';
const deferring: CallHandler = { onIncomingCall: () => CallDecision.defer() };

/** A (10.0.0.1) calls through the relayed B2BUA (10.0.0.2) to C (10.0.0.3, answering with `callee`). */
const setUp = async (seed: number, callee: CallHandler) => {
  let relay: SimulatedMediaRelay | undefined;
  const b2bua = new RelayedB2bua(() => 'sip:carol@10.0.0.3:5060');
  const sim = await simPeers(seed, [new AutoAnswerHandler(), b2bua, callee], {}, (builder, i, network) => {
    if (i !== 1) return builder;
    // The relay's round trips and timeouts run on the network's virtual clock.
    return builder.withMedia(false).withMediaRelay((relay = new SimulatedMediaRelay(network.clock, RELAY)));
  });
  const [a, b, c] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
  b2bua.attach(b.coordinator);
  return { sim, a, b, c, b2bua, relay: relay! };
};

test('relayed B2BUA: each phone is pointed at the relay, the B2BUA opens no media, the relay lets the ports go at the end', async (t) => {
  const { sim, a, b, c, b2bua, relay } = await setUp(351, new AutoAnswerHandler());
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const answered = a.coordinator.waitForAnswer(call.id, 30_000);
  await sim.clock.advanceBy(3_000);
  t.is((await answered).state, 'Connected');
  t.is(b2bua.bridged(), 1);
  t.like(a.coordinator.getMediaInfo(call.id), { remoteAddress: RELAY, remoteRtpPort: 40_002 });
  const atC = c.coordinator.listActiveSessions()[0]!;
  t.like(c.coordinator.getMediaInfo(atC), { remoteAddress: RELAY, remoteRtpPort: 40_000 });
  t.false(sim.network.trace.lines.some((l) => l.includes('send 10.0.0.2:') && l.includes(' rtp')),
    'the B2BUA carries no RTP itself');
  t.is(relay.held, 1);
  const hangup = a.coordinator.terminateSession(call.id);
  await sim.clock.advanceBy(5_000);
  await hangup;
  t.deepEqual(c.coordinator.listActiveSessions(), [], 'the BYE went through to the target');
  t.is(relay.held, 0, 'the relay freed the call');
  t.is(relay.commands['delete'], 1);
  t.is(b2bua.anchoredPairs(), 0);
  await stopAndExpectReleased(t, sim);
});

test('relayed B2BUA: a relay that does not answer refuses new calls 503 and never rings the target', async (t) => {
  const { sim, a, b, c, b2bua, relay } = await setUp(352, new AutoAnswerHandler());
  relay.stop();
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const answered = a.coordinator.waitForAnswer(call.id, 30_000).catch((e: unknown) => e);
  await sim.clock.advanceBy(10_000);
  t.like(await answered, { kind: 'Rejected', status: 503 });
  t.is(b2bua.refusedByRelay(), 1);
  t.is(c.events.filter((e) => e.type === 'IncomingCall').length, 0);
  t.deepEqual(b.coordinator.listActiveSessions(), []);
  await stopAndExpectReleased(t, sim);
});

test('relayed B2BUA: a relay lost between offer and answer hangs up the answered target and refuses the caller — never half set up', async (t) => {
  const { sim, a, b, c, b2bua, relay } = await setUp(353, deferring);
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const answered = a.coordinator.waitForAnswer(call.id, 30_000).catch((e: unknown) => e);
  await sim.clock.advanceBy(2_000);
  const atC = c.coordinator.listActiveSessions()[0]!;
  relay.stop();
  await c.coordinator.acceptIncomingCall(atC);
  await sim.clock.advanceBy(10_000);
  t.like(await answered, { kind: 'Rejected', status: 503 });
  t.true(c.events.some((e) => e.type === 'CallEnded' && e.sessionId === atC), 'the answered target got its BYE');
  t.deepEqual(b.coordinator.listActiveSessions(), []);
  t.is(b2bua.refusedByRelay(), 1);
  await stopAndExpectReleased(t, sim);
});
