import test, { type ExecutionContext } from 'ava';
import { AutoAnswerHandler, type CallHandler } from '../../application/session/call-handler.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { simPeers, stopAndExpectReleased } from '../support/coordinator-harness.js';

/*
 * Early media (RFC 3960 gateway model) between two coordinators: the callee
 * answers the offer in a 183 and plays audio while the call still rings; the
 * caller listens (and does not send) until the 2xx, which repeats the answer.
 */

const deferring: CallHandler = { onIncomingCall: () => CallDecision.defer() };

const rejectsWith = async (t: ExecutionContext, promise: Promise<unknown>, kind: string): Promise<void> => {
  const error = (await promise.then(() => t.fail(`expected ${kind}`), (e: unknown) => e)) as Record<string, unknown>;
  t.is(error?.['kind'], kind, String(error?.['message']));
};

const toneOf = (samples: Int16Array): number => dominantFrequency(samples, [440, 1000]).frequencyHz;

type Peer = Awaited<ReturnType<typeof simPeers>>['peers'][number];

/** `caller` calls `callee` (whose handler defers) and waits `ms`: the call rings at the callee. */
const ringingCall = async (
  sim: Awaited<ReturnType<typeof simPeers>>, caller: Peer, callee: Peer, ms: number,
  prepare: (id: string) => void = () => undefined,
) => {
  const call = await caller.coordinator.createOutgoingCall(caller.uri, callee.uri);
  prepare(call.id);
  const answered = caller.coordinator.waitForAnswer(call.id, 60_000);
  await sim.clock.advanceBy(ms);
  return { call, answered, calleeId: callee.coordinator.listActiveSessions()[0]! };
};

for (const [name, link] of [['clean', {}], ['10 % loss', { oneWayDelayMinMs: 5, oneWayDelayMeanMs: 5, lossRatio: 0.1 }]] as const) {
  test(`early media (${name}): the caller hears the callee's announcement before the answer, then both talk; the 2xx repeats the 183's answer`, async (t) => {
    let remoteSdpAtA: string | undefined;
    const caller: CallHandler = {
      onIncomingCall: () => CallDecision.reject(486), onCallEstablished: (_c, _l, remote) => (remoteSdpAtA = remote),
    };
    const sim = await simPeers(301, [caller, deferring], link);
    const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
    const { call, answered, calleeId: bId } = await ringingCall(sim, a, b, 1_000, (id) => {
      a.coordinator.setAudioSink(id, { kind: 'record' });
      a.coordinator.startAudioTransmission(id, { kind: 'tone', frequenciesHz: [1000] });
    });
    await b.coordinator.sendEarlyMedia(bId);
    b.coordinator.setAudioSink(bId, { kind: 'record' });
    b.coordinator.startAudioTransmission(bId, { kind: 'tone', frequenciesHz: [440] });
    const answerIn183 = b.coordinator.generateSdpOffer(bId);
    await sim.clock.advanceBy(2_000);
    t.is(a.coordinator.getSession(call.id)?.state, 'Ringing');
    t.true(a.events.some((e) => e.type === 'EarlyMedia' && e.sessionId === call.id && e.status === 183));
    t.true(b.events.some((e) => e.type === 'EarlyMedia' && e.sessionId === bId));
    t.is(a.coordinator.getMediaInfo(call.id).direction, 'recvonly', 'the caller listens only before the answer');
    t.is(
      toneOf(a.coordinator.getRecording(call.id).subarray(-8_000)), 440,
      'the announcement reached the caller while ringing',
    );
    t.is(
      a.coordinator.getMediaStatistics(call.id).packetsSent, 0, "the caller's audio does not leave before the answer",
    );
    t.is(b.coordinator.getMediaStatistics(bId).packetsReceived, 0);

    await b.coordinator.acceptIncomingCall(bId);
    await sim.clock.advanceBy(2_000);
    t.is((await answered).state, 'Connected');
    t.is(a.coordinator.getMediaInfo(call.id).direction, 'sendrecv');
    t.is(remoteSdpAtA, answerIn183, 'the 2xx carried exactly the answer of the 183 (RFC 3261 §13.2.1)');
    t.is(toneOf(b.coordinator.getRecording(bId).subarray(-8_000)), 1000, 'after the answer the caller is heard');
    t.true(a.coordinator.getMediaStatistics(call.id).packetsSent > 50);

    const hangup = a.coordinator.terminateSession(call.id);
    await sim.clock.advanceBy(40_000);
    await hangup;
    await stopAndExpectReleased(t, sim);
  });
}

test('early media: an announcement then a rejection — the caller heard it, the call ends Rejected, everything is released', async (t) => {
  const sim = await simPeers(302, [new AutoAnswerHandler(), deferring]);
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const { call, answered, calleeId: bId } = await ringingCall(
    sim, a, b, 500, (id) => a.coordinator.setAudioSink(id, { kind: 'record' }),
  );
  await b.coordinator.sendEarlyMedia(bId);
  b.coordinator.startAudioTransmission(bId, { kind: 'tone', frequenciesHz: [1000] });
  await sim.clock.advanceBy(1_500);
  await b.coordinator.rejectIncomingCall(bId, 404, 'Not Found');
  await sim.clock.advanceBy(1_000);
  await rejectsWith(t, answered, 'Rejected');
  t.is(a.coordinator.getSession(call.id)?.state, 'Rejected');
  t.is(toneOf(a.coordinator.getRecording(call.id)), 1000);
  await stopAndExpectReleased(t, sim);
});

test('early media: a repeated sendEarlyMedia resends the same 183; misuse is refused with InvalidState or MediaError', async (t) => {
  // The caller does not do 100rel: a 183 is never reliable, so it cannot carry an offer (RFC 3262 §5).
  const sim = await simPeers(303, [new AutoAnswerHandler(), deferring, deferring], {}, (builder, i) => (
    i === 0 ? builder.withReliableProvisionals('off') : builder
  ));
  const [a, b, c] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  await sim.clock.advanceBy(500);
  await rejectsWith(t, a.coordinator.sendEarlyMedia(call.id), 'InvalidState');
  const bId = b.coordinator.listActiveSessions()[0]!;
  await b.coordinator.sendEarlyMedia(bId);
  await b.coordinator.sendEarlyMedia(bId);
  await sim.clock.advanceBy(500);
  const sent183 = sim.network.trace.lines.filter((l) => l.includes(' send ') && l.includes('183 Session Progress'));
  t.is(sent183.length, 2);
  t.is(b.events.filter((e) => e.type === 'EarlyMedia').length, 1, 'one EarlyMedia event per call');
  t.is(a.events.filter((e) => e.type === 'EarlyMedia').length, 1, 'the same answer twice is not new early media');
  await b.coordinator.acceptIncomingCall(bId);
  await sim.clock.advanceBy(1_000);
  await rejectsWith(t, b.coordinator.sendEarlyMedia(bId), 'InvalidState');
  t.is(a.coordinator.getSession(call.id)?.state, 'Connected');

  // A delayed-offer INVITE has no offer to answer in a 183, and without 100rel ours cannot go in one.
  const offerless = await a.coordinator.createOutgoingCall(a.uri, c.uri, undefined, [], { delayedOffer: true });
  await sim.clock.advanceBy(500);
  const cId = c.coordinator.listActiveSessions()[0]!;
  await rejectsWith(t, c.coordinator.sendEarlyMedia(cId), 'MediaError');
  t.is(c.coordinator.getSession(cId)?.state, 'Ringing', 'the refusal leaves the call ringing');
  const hangups = Promise.all([a.coordinator.terminateSession(call.id), a.coordinator.terminateSession(offerless.id)]);
  await sim.clock.advanceBy(40_000);
  await hangups;
  await stopAndExpectReleased(t, sim);
});

test('accepting a call that is declined while its media ports open leaves no ports behind', async (t) => {
  const sim = await simPeers(304, [new AutoAnswerHandler(), deferring]);
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const { answered, calleeId: bId } = await ringingCall(sim, a, b, 500);
  // Both start in the same turn: the accept awaits its RTP ports, the decline ends the call meanwhile.
  const accepting = b.coordinator.acceptIncomingCall(bId);
  const early = b.coordinator.sendEarlyMedia(bId);
  await b.coordinator.terminateSession(bId);
  await rejectsWith(t, accepting, 'InvalidState');
  await rejectsWith(t, early, 'InvalidState');
  await sim.clock.advanceBy(1_000);
  await rejectsWith(t, answered, 'Rejected');
  await stopAndExpectReleased(t, sim);
});

test('sendEarlyMedia and acceptIncomingCall at once open one media session: the call works and nothing is left open', async (t) => {
  const sim = await simPeers(305, [new AutoAnswerHandler(), deferring]);
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const { call, answered, calleeId: bId } = await ringingCall(sim, a, b, 500);
  const opened = sim.network.openSockets();
  const both = Promise.allSettled([b.coordinator.sendEarlyMedia(bId), b.coordinator.acceptIncomingCall(bId)]);
  await sim.clock.advanceBy(1_000);
  await both;
  t.is((await answered).state, 'Connected');
  t.is(sim.network.openSockets(), opened + 2, 'one RTP/RTCP pair for the callee');
  const hangup = a.coordinator.terminateSession(call.id);
  await sim.clock.advanceBy(40_000);
  await hangup;
  await stopAndExpectReleased(t, sim);
});
