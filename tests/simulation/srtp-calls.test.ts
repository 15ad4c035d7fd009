/**
 * SRTP keyed by SDES between coordinators on the simulated network: the
 * policies of both ends meet as RFC 4568 says, and media is protected both
 * ways when they agree on it.
 */
import test from 'ava';
import { B2bua } from '../../application/session/b2bua.js';
import { AutoAnswerHandler, type CallHandler } from '../../application/session/call-handler.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { simPeers, stopAndExpectReleased } from '../support/coordinator-harness.js';

type Policy = 'off' | 'optional' | 'required';

const toneAnswer = (frequencyHz: number): CallHandler => {
  const handler: CallHandler = {
    onIncomingCall: () => CallDecision.accept(),
    onCallEstablished: (_call, _local, _remote, handle) => {
      handle.play({ kind: 'tone', frequenciesHz: [frequencyHz] });
      handle.setAudioSink({ kind: 'record' });
    },
  };
  return handler;
};

const pair = (seed: number, caller: Policy, callee: Policy, calleeHandler: CallHandler = new AutoAnswerHandler()) =>
  simPeers(seed, [new AutoAnswerHandler(), calleeHandler], {}, (b, i) => b.withMediaEncryption(i === 0 ? caller : callee));

test('SRTP required at both ends: the offer is RTP/SAVP with a=crypto, tones cross both ways encrypted, DTMF arrives, hold keeps the keys', async (t) => {
  const sim = await pair(201, 'required', 'required', toneAnswer(1000));
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const digits: string[] = [];
  b.coordinator.events.subscribe((e) => e.type === 'DtmfReceived' && digits.push(e.digit));
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const answered = a.coordinator.waitForAnswer(call.id, 5_000);
  await sim.clock.advanceBy(1_000);
  await answered;
  const offer = a.coordinator.generateSdpOffer(call.id);
  t.regex(offer, /^m=audio \d+ RTP\/SAVP /m);
  t.regex(offer, /^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}$/m);
  t.regex(offer, /^a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:[A-Za-z0-9+/]{40}$/m);
  a.coordinator.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [600] });
  a.coordinator.setAudioSink(call.id, { kind: 'record' });
  const bId = b.coordinator.listActiveSessions()[0]!;
  const sent = a.coordinator.sendDtmf(call.id, '59');
  await sim.clock.advanceBy(3_000);
  await sent;
  t.like(dominantFrequency(a.coordinator.getRecording(call.id).subarray(8000, 16000), [600, 1000]), { frequencyHz: 1000 });
  t.like(dominantFrequency(b.coordinator.getRecording(bId).subarray(8000, 16000), [600, 1000]), { frequencyHz: 600 });
  t.deepEqual(digits, ['5', '9']);
  const stats = a.coordinator.getMediaStatistics(call.id);
  t.true(stats.packetsReceived > 100);
  t.is(stats.srtpAuthFailures, 0);
  t.not(stats.rttMs, undefined, 'SRTCP reports crossed both ways: the round trip was measured');
  const hold = a.coordinator.holdSession(call.id);
  await sim.clock.advanceBy(1_000);
  await hold;
  const resume = a.coordinator.resumeSession(call.id);
  await sim.clock.advanceBy(1_000);
  await resume;
  const before = b.coordinator.getMediaStatistics(bId).packetsReceived;
  await sim.clock.advanceBy(1_000);
  t.true(b.coordinator.getMediaStatistics(bId).packetsReceived > before + 40, 'audio flows again after resume');
  t.is(b.coordinator.getMediaStatistics(bId).srtpAuthFailures, 0);
  const hangUp = a.coordinator.terminateSession(call.id);
  await sim.clock.advanceBy(1_000);
  await hangUp;
  await stopAndExpectReleased(t, sim);
});

test('SRTP policies meet: required → off and off → required are refused 488; optional ↔ off stays plain; optional ↔ required encrypt', async (t) => {
  const outcome = async (seed: number, caller: Policy, callee: Policy): Promise<string> => {
    const sim = await pair(seed, caller, callee);
    const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
    const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
    const answered = a.coordinator.waitForAnswer(call.id, 5_000).then(
      () => a.coordinator.getMediaInfo(call.id).srtp ?? 'plain',
      (e: { kind: string; status?: number }) => `${e.kind}${e.status === undefined ? '' : ` ${e.status}`}`,
    );
    await sim.clock.advanceBy(2_000);
    const result = await answered;
    if (!result.startsWith('Rejected')) {
      const bId = b.coordinator.listActiveSessions()[0]!;
      t.is(b.coordinator.getMediaInfo(bId).srtp ?? 'plain', result, `${caller} → ${callee}: both ends agree`);
      const hangUp = a.coordinator.terminateSession(call.id);
      await sim.clock.advanceBy(500);
      await hangUp;
    }
    await stopAndExpectReleased(t, sim);
    return result;
  };
  t.is(await outcome(211, 'required', 'off'), 'Rejected 488');
  t.is(await outcome(212, 'off', 'required'), 'Rejected 488');
  t.is(await outcome(213, 'optional', 'off'), 'plain');
  t.is(await outcome(214, 'off', 'optional'), 'plain');
  t.is(await outcome(215, 'optional', 'required'), 'AES_CM_128_HMAC_SHA1_80');
  t.is(await outcome(216, 'required', 'optional'), 'AES_CM_128_HMAC_SHA1_80');
  t.is(await outcome(217, 'optional', 'optional'), 'AES_CM_128_HMAC_SHA1_80');
});

test('SRTP through a B2BUA: an SRTP caller (required) and a plain callee (off) hear each other, the B2BUA decrypting one leg and encrypting the other', async (t) => {
  const b2bua = new B2bua(() => 'sip:service@10.0.0.3:5060');
  const policies: ReadonlyArray<Policy> = ['required', 'optional', 'off'];
  const sim = await simPeers(
    231, [new AutoAnswerHandler(), b2bua, new AutoAnswerHandler()], {},
    (builder, i) => builder.withMediaEncryption(policies[i]!),
  );
  const [caller, middle, callee] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
  b2bua.attach(middle.coordinator);
  const call = await caller.coordinator.createOutgoingCall(caller.uri, middle.uri);
  const answered = caller.coordinator.waitForAnswer(call.id, 10_000);
  await sim.clock.advanceBy(2_000);
  await answered;
  const calleeId = callee.coordinator.listActiveSessions()[0]!;
  t.is(caller.coordinator.getMediaInfo(call.id).srtp, 'AES_CM_128_HMAC_SHA1_80');
  t.is(callee.coordinator.getMediaInfo(calleeId).srtp, undefined);
  caller.coordinator.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [1000] });
  callee.coordinator.startAudioTransmission(calleeId, { kind: 'tone', frequenciesHz: [600] });
  caller.coordinator.setAudioSink(call.id, { kind: 'record' });
  callee.coordinator.setAudioSink(calleeId, { kind: 'record' });
  await sim.clock.advanceBy(2_000);
  t.like(dominantFrequency(callee.coordinator.getRecording(calleeId).subarray(8_000), [600, 1000]), { frequencyHz: 1000 });
  t.like(dominantFrequency(caller.coordinator.getRecording(call.id).subarray(8_000), [600, 1000]), { frequencyHz: 600 });
  t.is(caller.coordinator.getMediaStatistics(call.id).srtpAuthFailures, 0);
  const hangUp = caller.coordinator.terminateSession(call.id);
  await sim.clock.advanceBy(5_000);
  await hangUp;
  await stopAndExpectReleased(t, sim);
});

test('SRTP early media: the callee answers the encrypted offer in a 183 and plays a ringback the caller decrypts before the answer; the 2xx keeps the keys', async (t) => {
  let callee: { accept(): Promise<void> } | undefined;
  const ringing: CallHandler = {
    onIncomingCall: (_call, handle) => {
      callee = handle;
      void handle.sendEarlyMedia().then(() => handle.play({ kind: 'tone', frequenciesHz: [425] }));
      return CallDecision.defer();
    },
  };
  const sim = await pair(241, 'required', 'required', ringing);
  const [a] = sim.peers as [typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, sim.peers[1]!.uri);
  a.coordinator.setAudioSink(call.id, { kind: 'record' });
  await sim.clock.advanceBy(2_000);
  t.is(a.coordinator.getSession(call.id)?.state, 'Ringing');
  const early = a.coordinator.getMediaStatistics(call.id);
  t.true(early.packetsReceived > 50, `${early.packetsReceived} early packets decrypted`);
  t.is(early.srtpAuthFailures, 0);
  t.like(dominantFrequency(a.coordinator.getRecording(call.id).subarray(4_000), [425, 1000]), { frequencyHz: 425 });
  const accepted = callee!.accept();
  await sim.clock.advanceBy(1_000);
  await accepted;
  t.is(a.coordinator.getSession(call.id)?.state, 'Connected');
  const before = a.coordinator.getMediaStatistics(call.id).packetsReceived;
  await sim.clock.advanceBy(1_000);
  t.true(a.coordinator.getMediaStatistics(call.id).packetsReceived > before + 40, 'the answered call goes on under the same keys');
  t.is(a.coordinator.getMediaStatistics(call.id).srtpAuthFailures, 0);
  const hangUp = a.coordinator.terminateSession(call.id);
  await sim.clock.advanceBy(1_000);
  await hangUp;
  await stopAndExpectReleased(t, sim);
});
