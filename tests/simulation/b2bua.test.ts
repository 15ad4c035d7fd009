import test from 'ava';
import { B2bua } from '../../application/session/b2bua.js';
import type { CallHandler } from '../../application/session/call-handler.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import { simPeers, stopAndExpectReleased } from '../support/coordinator-harness.js';

/** A caller, a B2BUA and a callee on the simulated network, with 10 % loss and jitter on every link. */
const setUp = async (seed: number) => {
  const heard: Record<'caller' | 'callee', string[]> = { caller: [], callee: [] };
  const phone = (who: 'caller' | 'callee'): CallHandler => ({
    onIncomingCall: () => CallDecision.accept(),
    onDtmf: (_call, digit) => heard[who].push(digit),
  });
  const b2bua = new B2bua(() => 'sip:service@10.0.0.3:5060');
  const sim = await simPeers(
    seed, [phone('caller'), b2bua, phone('callee')], { oneWayDelayMinMs: 5, oneWayDelayMeanMs: 10, lossRatio: 0.1 },
  );
  const [caller, middle, callee] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
  b2bua.attach(middle.coordinator);
  return { sim, caller, callee, heard };
};

test('B2BUA: audio crosses both legs, and DTMF keyed fast on either side reaches the other, each digit once, in order, with 10 % loss', async (t) => {
  const { sim, caller, callee, heard } = await setUp(401);
  const call = await caller.coordinator.createOutgoingCall(caller.uri, sim.peers[1]!.uri);
  const answered = caller.coordinator.waitForAnswer(call.id, 30_000);
  await sim.clock.advanceBy(10_000);
  await answered;
  const calleeId = callee.coordinator.listActiveSessions()[0]!;
  caller.coordinator.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [1000] });
  callee.coordinator.startAudioTransmission(calleeId, { kind: 'tone', frequenciesHz: [600] });
  callee.coordinator.setAudioSink(calleeId, { kind: 'record' });
  caller.coordinator.setAudioSink(call.id, { kind: 'record' });
  await sim.clock.advanceBy(2_000);

  // Keys pressed one by one, faster than an event lasts, on both sides at once.
  const sends: Array<Promise<void>> = [];
  for (const digit of '159#') {
    sends.push(caller.coordinator.sendDtmf(call.id, digit));
    await sim.clock.advanceBy(40);
  }
  sends.push(callee.coordinator.sendDtmf(calleeId, '*0'));
  await sim.clock.advanceBy(5_000);
  await Promise.all(sends);
  t.deepEqual(heard.callee, ['1', '5', '9', '#']);
  t.deepEqual(heard.caller, ['*', '0']);
  t.like(
    dominantFrequency(callee.coordinator.getRecording(calleeId).subarray(8_000, 16_000), [600, 1000]),
    { frequencyHz: 1000 },
  );
  t.like(
    dominantFrequency(caller.coordinator.getRecording(call.id).subarray(8_000, 16_000), [600, 1000]),
    { frequencyHz: 600 },
  );

  const hangup = caller.coordinator.terminateSession(call.id);
  await sim.clock.advanceBy(40_000);
  await hangup;
  await stopAndExpectReleased(t, sim);
});

test('B2BUA: early media on the B leg (a 183 with an announcement) reaches the caller while both legs ring; after the answer the call carries audio both ways', async (t) => {
  const b2bua = new B2bua(() => 'sip:service@10.0.0.3:5060');
  const callee: CallHandler = { onIncomingCall: () => CallDecision.defer() };
  const sim = await simPeers(
    402, [{ onIncomingCall: () => CallDecision.reject(486) }, b2bua, callee],
    { oneWayDelayMinMs: 5, oneWayDelayMeanMs: 10, lossRatio: 0.05 },
  );
  const [caller, middle, far] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
  b2bua.attach(middle.coordinator);
  const call = await caller.coordinator.createOutgoingCall(caller.uri, middle.uri);
  caller.coordinator.setAudioSink(call.id, { kind: 'record' });
  caller.coordinator.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [600] });
  const answered = caller.coordinator.waitForAnswer(call.id, 60_000);
  await sim.clock.advanceBy(2_000);
  const farId = far.coordinator.listActiveSessions()[0]!;
  await far.coordinator.sendEarlyMedia(farId);
  far.coordinator.startAudioTransmission(farId, { kind: 'tone', frequenciesHz: [1000] });
  far.coordinator.setAudioSink(farId, { kind: 'record' });
  await sim.clock.advanceBy(3_000);
  t.is(caller.coordinator.getSession(call.id)?.state, 'Ringing');
  t.true(
    caller.events.some((e) => e.type === 'EarlyMedia' && e.sessionId === call.id),
    'the B2BUA answered the caller in a 183',
  );
  t.is(middle.coordinator.listBridges().length, 1, 'the legs are bridged before the answer');
  t.like(
    dominantFrequency(caller.coordinator.getRecording(call.id).subarray(-8_000), [600, 1000]), { frequencyHz: 1000 },
  );
  t.is(far.coordinator.getMediaStatistics(farId).packetsReceived, 0, 'nothing reaches the callee before it answers');

  await far.coordinator.acceptIncomingCall(farId);
  await sim.clock.advanceBy(3_000);
  t.is((await answered).state, 'Connected');
  t.is(middle.coordinator.listBridges().length, 1, 'still the one bridge');
  t.is(b2bua.bridged(), 1);
  t.like(dominantFrequency(far.coordinator.getRecording(farId).subarray(-8_000), [600, 1000]), { frequencyHz: 600 });

  const hangup = caller.coordinator.terminateSession(call.id);
  await sim.clock.advanceBy(40_000);
  await hangup;
  await stopAndExpectReleased(t, sim);
});
