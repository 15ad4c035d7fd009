import test from 'ava';
import { AutoAnswerHandler } from '../../application/session/call-handler.js';
import type { SipTraceEntry } from '../../adapters/shared/tracing-transport.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { simPeers, stopAndExpectReleased } from '../support/coordinator-harness.js';

/** Delayed offer (RFC 3261 §13.2.2.4, §13.3.1.4): INVITE without SDP, offer in the 2xx, answer in the ACK. */

const rtpPayloadTypes = (lines: ReadonlyArray<string>, from: string): Set<string> =>
  new Set(
    lines.filter((l) => l.includes(` send ${from}:`) && l.includes('rtp pt=')).map((l) => /rtp pt=(\d+)/.exec(l)![1]!),
  );

for (const [name, link] of [['clean', {}], ['30 % loss', { oneWayDelayMinMs: 5, oneWayDelayMeanMs: 5, lossRatio: 0.3 }]] as const) {
  test(`delayed offer (${name}): the callee offers PCMA in its 200, the caller answers in the ACK, audio flows both ways, the call ends cleanly`, async (t) => {
    const trace: SipTraceEntry[] = [];
    const sim = await simPeers(301, [new AutoAnswerHandler(), new AutoAnswerHandler()], link,
      (b, i) => (i === 0 ? b.withSipTrace((e) => trace.push(e)) : b.withCodecs(['PCMA'])));
    const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
    const call = await a.coordinator.createOutgoingCall(a.uri, b.uri, undefined, [], { delayedOffer: true });
    const answered = a.coordinator.waitForAnswer(call.id, 60_000);
    await sim.clock.advanceBy(40_000);
    t.is((await answered).state, 'Connected');
    const bId = b.coordinator.listActiveSessions()[0]!;
    const sent = (summary: RegExp) => trace.filter((e) => e.direction === 'out' && summary.test(e.summary));
    const received = (summary: RegExp) => trace.filter((e) => e.direction === 'in' && summary.test(e.summary));
    t.true(sent(/^INVITE /).every((e) => e.bodyLength === 0), 'the INVITE carries no SDP');
    t.true(received(/^200 /).some((e) => e.bodyLength > 0), 'the 200 carries the offer');
    t.true(
      sent(/^ACK /).length > 0 && sent(/^ACK /).every((e) => e.bodyLength > 0),
      'every ACK (retransmissions too) carries the answer',
    );

    a.coordinator.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [1000] });
    b.coordinator.startAudioTransmission(bId, { kind: 'tone', frequenciesHz: [600] });
    a.coordinator.setAudioSink(call.id, { kind: 'record' });
    b.coordinator.setAudioSink(bId, { kind: 'record' });
    await sim.clock.advanceBy(3_000);
    t.like(
      a.coordinator.getMediaInfo(call.id),
      { codec: 'PCMA', direction: 'sendrecv', remoteRtpPort: b.coordinator.getMediaInfo(bId).localRtpPort },
    );
    t.like(
      b.coordinator.getMediaInfo(bId),
      { codec: 'PCMA', direction: 'sendrecv', remoteRtpPort: a.coordinator.getMediaInfo(call.id).localRtpPort },
    );
    t.like(
      dominantFrequency(b.coordinator.getRecording(bId).subarray(8000, 16000), [600, 1000]), { frequencyHz: 1000 },
    );
    t.like(
      dominantFrequency(a.coordinator.getRecording(call.id).subarray(8000, 16000), [600, 1000]), { frequencyHz: 600 },
    );
    t.deepEqual(rtpPayloadTypes(sim.network.trace.lines, '10.0.0.1'), new Set(['8']));
    t.deepEqual(rtpPayloadTypes(sim.network.trace.lines, '10.0.0.2'), new Set(['8']));

    const hangup = b.coordinator.terminateSession(bId);
    await sim.clock.advanceBy(40_000);
    await hangup;
    await stopAndExpectReleased(t, sim);
  });
}

test('delayed offer: an unusable offer in the 200 gets a refusing answer in the ACK, then BYE; both sides end with nothing left', async (t) => {
  const sim = await simPeers(302, [new AutoAnswerHandler(), new AutoAnswerHandler()], {},
    (b, i) => b.withCodecs(i === 0 ? ['PCMU'] : ['PCMA']));
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri, undefined, [], { delayedOffer: true });
  const answered = a.coordinator.waitForAnswer(call.id, 60_000).then(
    () => undefined, (e: unknown) => e as Record<string, unknown>,
  );
  await sim.clock.advanceBy(40_000);
  t.like(await answered, { kind: 'MediaError' });
  t.true(
    sim.network.trace.lines.some((l) => l.includes('send 10.0.0.1:5060') && l.includes(' BYE sip:')),
    'the caller hung up with BYE',
  );
  t.true(b.events.some((e) => e.type === 'CallEnded'));
  await stopAndExpectReleased(t, sim);
});

test('delayed offer misuse: an SDP together with delayedOffer is an InvalidArgument SessionError naming the sdp', async (t) => {
  const sim = await simPeers(303, [new AutoAnswerHandler(), new AutoAnswerHandler()]);
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const error = await a.coordinator.createOutgoingCall(a.uri, b.uri, 'v=0\r\n', [], { delayedOffer: true }).catch((e: unknown) => e);
  t.like(error, { kind: 'InvalidArgument', argument: 'sdp' });
  await stopAndExpectReleased(t, sim);
});
