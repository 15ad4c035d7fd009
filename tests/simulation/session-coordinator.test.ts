import test from 'ava';
import {
  AutoAnswerHandler, CompositeHandler, RejectAllHandler, type CallHandler,
} from '../../application/session/call-handler.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { right } from '../support/either.js';
import { simPeers, stopAll, stopAndExpectReleased } from '../support/coordinator-harness.js';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';

const settle = async (sim: Awaited<ReturnType<typeof simPeers>>, ms: number): Promise<void> => {
  await sim.clock.advanceBy(ms);
};

const rejectsWith = async (
  t: Parameters<typeof right>[0], promise: Promise<unknown>, kind: string,
): Promise<Record<string, unknown>> => {
  const error = (await promise.then(() => t.fail(`expected ${kind}`), (e: unknown) => e)) as Record<string, unknown>;
  t.is(error?.['kind'], kind);
  t.true((error as unknown) instanceof Error, 'rejections are Error objects carrying the SessionError fields');
  return error;
};

for (const [name, link] of [['clean', {}], ['30 % loss', { oneWayDelayMinMs: 5, oneWayDelayMeanMs: 5, lossRatio: 0.3 }]] as const) {
  test(`coordinators (${name}): a call is answered, carries audio and DTMF both ways, holds and resumes, and hangs up cleanly`, async (t) => {
    const dtmfAtB: string[] = [];
    const handlerB: CallHandler = { onIncomingCall: () => CallDecision.accept(), onDtmf: (_c, d) => dtmfAtB.push(d) };
    const sim = await simPeers(101, [new AutoAnswerHandler(), handlerB], link);
    const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
    const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
    const answered = a.coordinator.waitForAnswer(call.id, 60_000);
    await settle(sim, 40_000);
    t.is((await answered).state, 'Connected');
    const bId = b.coordinator.listActiveSessions()[0]!;
    t.is(b.coordinator.getSession(bId)?.state, 'Connected');
    a.coordinator.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [1000] });
    b.coordinator.setAudioSink(bId, { kind: 'record' });
    const digitsToB = a.coordinator.sendDtmf(call.id, '123');
    const dtmfAtA: string[] = [];
    a.coordinator.events.subscribe((e) => e.type === 'DtmfReceived' && dtmfAtA.push(e.digit));
    const digitsToA = b.coordinator.sendDtmf(bId, '9');
    await settle(sim, 3_000);
    await digitsToB;
    await digitsToA;
    if (name === 'clean') {
      t.deepEqual(dtmfAtB, ['1', '2', '3']);
      t.deepEqual(dtmfAtA, ['9']);
      t.like(
        dominantFrequency(b.coordinator.getRecording(bId).subarray(8000, 16000), [600, 1000, 1400]),
        { frequencyHz: 1000 },
      );
    }
    const hold = a.coordinator.holdSession(call.id);
    await settle(sim, 40_000);
    await hold;
    t.is(a.coordinator.getSession(call.id)?.state, 'OnHold');
    t.true(b.events.some((e) => e.type === 'HoldChanged' && e.onHold), 'the callee saw the hold');
    t.is(a.coordinator.getMediaInfo(call.id).direction, 'sendonly');
    t.is(b.coordinator.getMediaInfo(bId).direction, 'recvonly');
    const resume = a.coordinator.resumeSession(call.id);
    await settle(sim, 40_000);
    await resume;
    t.is(a.coordinator.getSession(call.id)?.state, 'Connected');
    t.is(b.coordinator.getMediaInfo(bId).direction, 'sendrecv');
    const stats = a.coordinator.getMediaStatistics(call.id);
    t.true(stats.packetsSent > 100 && stats.packetsReceived > 100);
    t.true(stats.mos !== undefined && stats.mos > 1);
    const hangup = a.coordinator.terminateSession(call.id);
    await settle(sim, 40_000);
    await hangup;
    t.true(a.events.some((e) => e.type === 'CallEnded' && e.sessionId === call.id));
    t.true(b.events.some((e) => e.type === 'CallEnded' && e.sessionId === bId));
    await stopAndExpectReleased(t, sim);
  });
}

test('coordinators: rejected, forwarded (302 with Contact), deferred-then-accepted, and limits (503 Retry-After)', async (t) => {
  let deferredId: string | undefined;
  const router: CallHandler = {
    onIncomingCall: (call) => {
      if (call.to.includes('busy')) return CallDecision.reject(486, 'Busy Here');
      if (call.to.includes('moved')) return CallDecision.forward('sip:elsewhere@10.0.0.9');
      deferredId = call.id;
      return CallDecision.defer();
    },
  };
  const sim = await simPeers(
    102, [new AutoAnswerHandler(), router], {}, (b, i) => (i === 1 ? b.withMaxSessions(1) : b),
  );
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const busy = await a.coordinator.createOutgoingCall(a.uri, 'sip:busy@10.0.0.2:5060');
  const busyAnswer = a.coordinator.waitForAnswer(busy.id, 10_000);
  await settle(sim, 1_000);
  const error = await rejectsWith(t, busyAnswer, 'Rejected');
  t.is(error['status'], 486);
  // Not followed here (redirects.test.ts follows them): the 302 itself is what is checked.
  const moved = await a.coordinator.createOutgoingCall(
    a.uri, 'sip:moved@10.0.0.2:5060', undefined, [], { followRedirects: false },
  );
  const movedAnswer = a.coordinator.waitForAnswer(moved.id, 10_000);
  await settle(sim, 1_000);
  t.is((await rejectsWith(t, movedAnswer, 'Rejected'))['status'], 302);
  const deferred = await a.coordinator.createOutgoingCall(a.uri, 'sip:queue@10.0.0.2:5060');
  await settle(sim, 5_000);
  t.is(a.coordinator.getSession(deferred.id)?.state, 'Ringing', 'still ringing while deferred');
  // A second call while the first occupies the only slot: 503.
  const full = await a.coordinator.createOutgoingCall(a.uri, 'sip:queue@10.0.0.2:5060');
  const fullAnswer = a.coordinator.waitForAnswer(full.id, 10_000);
  await settle(sim, 1_000);
  t.is((await rejectsWith(t, fullAnswer, 'Rejected'))['status'], 503);
  await b.coordinator.acceptIncomingCall(deferredId!);
  const accepted = a.coordinator.waitForAnswer(deferred.id, 10_000);
  await settle(sim, 1_000);
  t.is((await accepted).state, 'Connected');
  t.like(b.coordinator.getStats(), { active: 1 });
  t.true((a.coordinator.getStats().total) >= 4);
  await stopAll(sim);
  t.is(sim.clock.pendingTimers(), 0);
});

test('coordinators: an immediate answer goes out without 180; a handler that takes its time rings first (§13.3.1.1)', async (t) => {
  const slow: CallHandler = { onIncomingCall: async () => CallDecision.accept() };
  const sim = await simPeers(104, [new AutoAnswerHandler(), new AutoAnswerHandler(), slow]);
  const [a, quick, thinking] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
  const ringings = (): number =>
    sim.network.trace.lines.filter((l) => l.includes(' send ') && l.includes('180 Ringing')).length;
  const first = await a.coordinator.createOutgoingCall(a.uri, quick.uri);
  const firstAnswer = a.coordinator.waitForAnswer(first.id, 10_000);
  await settle(sim, 1_000);
  t.is((await firstAnswer).state, 'Connected');
  t.is(ringings(), 0, 'a synchronous Accept answers 200 straight away');
  const second = await a.coordinator.createOutgoingCall(a.uri, thinking.uri);
  const secondAnswer = a.coordinator.waitForAnswer(second.id, 10_000);
  await settle(sim, 1_000);
  t.is((await secondAnswer).state, 'Connected');
  t.is(ringings(), 1, 'an asynchronous decision is preceded by 180');
  await stopAll(sim);
  t.is(sim.clock.pendingTimers(), 0);
});

test('coordinators: a deferred call gets 480 after the defer timeout; cancel before answer sends CANCEL; no answer times out', async (t) => {
  const sim = await simPeers(
    103, [new AutoAnswerHandler(), { onIncomingCall: () => CallDecision.defer() }], {},
    (b, i) => (i === 0 ? b.withAnswerTimeout(8_000) : b.withDeferTimeout(3_000)),
  );
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const unanswered = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const result = a.coordinator.waitForAnswer(unanswered.id, 20_000);
  await settle(sim, 5_000);
  t.is((await rejectsWith(t, result, 'Rejected'))['status'], 480);
  const cancelled = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  await settle(sim, 500);
  const hangup = a.coordinator.terminateSession(cancelled.id);
  await settle(sim, 1_000);
  await hangup;
  t.is(a.coordinator.getSession(cancelled.id)?.state, 'Cancelled');
  t.true(sim.network.trace.lines.some((l) => l.includes('CANCEL sip:')), 'CANCEL, not BYE, before an answer');
  t.false(sim.network.trace.lines.some((l) => l.includes('BYE sip:')));
  await stopAll(sim);
  t.is(sim.clock.pendingTimers(), 0);
});

test('coordinators: graceful stop ends live calls with BYE and CANCEL, then releases everything', async (t) => {
  const sim = await simPeers(
    104,
    [
      new AutoAnswerHandler(),
      new CompositeHandler([{ onIncomingCall: () => CallDecision.defer() }, new AutoAnswerHandler()]),
      { onIncomingCall: () => CallDecision.defer() },
    ],
  );
  const [a, b, c] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
  const connected = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const ringing = await a.coordinator.createOutgoingCall(a.uri, c.uri);
  await settle(sim, 2_000);
  t.is(a.coordinator.getSession(connected.id)?.state, 'Connected');
  t.is(a.coordinator.getSession(ringing.id)?.state, 'Ringing');
  const stopping = a.coordinator.stop();
  await settle(sim, 10_000);
  await stopping;
  t.true(sim.network.trace.lines.some((l) => l.includes('BYE sip:')));
  t.true(sim.network.trace.lines.some((l) => l.includes('CANCEL sip:')));
  await stopAndExpectReleased(t, sim);
});

test('coordinator API misuse: SessionNotFound, InvalidState, InvalidUri, InvalidConfig', async (t) => {
  const sim = await simPeers(105, [new AutoAnswerHandler(), new RejectAllHandler()]);
  const [a] = sim.peers as [typeof sim.peers[0]];
  await rejectsWith(t, a.coordinator.terminateSession('sess-nope'), 'SessionNotFound');
  await rejectsWith(t, a.coordinator.createOutgoingCall(a.uri, 'not a uri'), 'InvalidUri');
  const call = await a.coordinator.createOutgoingCall(a.uri, 'sip:x@10.0.0.2:5060');
  await rejectsWith(t, a.coordinator.holdSession(call.id), 'InvalidState');
  await rejectsWith(t, a.coordinator.acceptIncomingCall(call.id), 'InvalidState');
  await settle(sim, 2_000);
  const bad = await new SessionManagerBuilder().withMediaPorts(5000, 4000).build().then(
    () => undefined, (e: unknown) => e as Record<string, unknown>,
  );
  t.like(bad, { kind: 'InvalidConfig', field: 'mediaPorts' });
  const badPort = await new SessionManagerBuilder().withSipPort(70000).build().then(
    () => undefined, (e: unknown) => e as Record<string, unknown>,
  );
  t.like(badPort, { kind: 'InvalidConfig', field: 'sipPort' });
  const badBind = await new SessionManagerBuilder().withLocalBindAddr('nonsense').build().then(
    () => undefined, (e: unknown) => e as Record<string, unknown>,
  );
  t.like(badBind, { kind: 'InvalidConfig', field: 'localBindAddr' });
  const noUser = await new SessionManagerBuilder().withCredentials('', 'pw').build().then(
    () => undefined, (e: unknown) => e as Record<string, unknown>,
  );
  t.like(noUser, { kind: 'InvalidConfig', field: 'credentials.username' });
  const badType = await new SessionManagerBuilder().withCredentials('alice', 42 as unknown as string).build().then(
    () => undefined, (e: unknown) => e as Record<string, unknown>,
  );
  t.like(badType, { kind: 'InvalidConfig', field: 'credentials.password' });
  await stopAll(sim);
});

test('coordinators: the per-user limit refuses a second call from the same user until the first ends; the session timeout hangs up long calls', async (t) => {
  const sim = await simPeers(
    106, [new AutoAnswerHandler(), new AutoAnswerHandler()], {},
    (b, i) => (i === 0 ? b.withMaxSessionsPerUser(1).withSessionTimeout(5_000) : b),
  );
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const first = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  await rejectsWith(t, a.coordinator.createOutgoingCall(a.uri, b.uri), 'ResourceExhausted');
  t.like(a.coordinator.getStats().perUser, { user1: 1 });
  await settle(sim, 1_000);
  t.is(a.coordinator.getSession(first.id)?.state, 'Connected');
  await settle(sim, 6_000);
  t.true(
    a.events.some((e) => e.type === 'CallEnded' && e.sessionId === first.id && e.reason === 'Local hangup'),
    'hung up by the session timeout',
  );
  t.deepEqual(b.coordinator.listActiveSessions(), []);
  // The ended call no longer counts: the same user may call again, and is limited again.
  const again = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  await rejectsWith(t, a.coordinator.createOutgoingCall(a.uri, b.uri), 'ResourceExhausted');
  const hangUp = a.coordinator.terminateSession(again.id).catch(() => undefined);
  await settle(sim, 1_000);
  await hangUp;
  await stopAll(sim);
});

test('coordinators: signaling-only sessions (withMedia(false)) connect without SDP or ports; DTMF falls back to SIP INFO', async (t) => {
  const digits: string[] = [];
  const sim = await simPeers(
    107, [new AutoAnswerHandler(), { onIncomingCall: () => CallDecision.accept(), onDtmf: (_c, d) => digits.push(d) }],
    {}, (b) => b.withMedia(false),
  );
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const answered = a.coordinator.waitForAnswer(call.id, 5_000);
  await settle(sim, 1_000);
  t.is((await answered).state, 'Connected');
  t.false(sim.network.trace.lines.some((l) => l.includes('rtp ')), 'no RTP at all');
  const sent = a.coordinator.sendDtmf(call.id, '7#');
  await settle(sim, 1_000);
  await sent;
  t.deepEqual(digits, ['7', '#']);
  t.true(sim.network.trace.lines.some((l) => l.includes('INFO sip:')));
  t.like(
    t.throws(() => a.coordinator.getMediaStatistics(call.id)),
    { kind: 'MediaError', message: 'no media session', name: 'SessionError' },
  );
  await stopAll(sim);
});

test('coordinators: SDP-only sessions (withMedia(\'sdp-only\')) offer, answer and hold in SDP naming the first media port, open no RTP socket, and send DTMF as SIP INFO', async (t) => {
  const digits: string[] = [];
  const sim = await simPeers(
    108, [new AutoAnswerHandler(), { onIncomingCall: () => CallDecision.accept(), onDtmf: (_c, d) => digits.push(d) }],
    {}, (b) => b.withMedia('sdp-only'),
  );
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const socketsBefore = sim.network.openSockets();
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const answered = a.coordinator.waitForAnswer(call.id, 5_000);
  await settle(sim, 1_000);
  t.is((await answered).state, 'Connected');
  t.is(sim.network.openSockets(), socketsBefore, 'no RTP or RTCP socket was opened');
  const bId = b.coordinator.listActiveSessions()[0]!;
  t.like(a.coordinator.getMediaInfo(call.id), {
    localRtpPort: 20000, remoteAddress: '10.0.0.2', remoteRtpPort: 20000, codec: 'PCMU', direction: 'sendrecv',
  });
  t.like(b.coordinator.getMediaInfo(bId), { remoteAddress: '10.0.0.1', remoteRtpPort: 20000, codec: 'PCMU' });
  const hold = a.coordinator.holdSession(call.id);
  await settle(sim, 1_000);
  await hold;
  t.is(a.coordinator.getMediaInfo(call.id).direction, 'sendonly');
  t.is(b.coordinator.getMediaInfo(bId).direction, 'recvonly');
  t.true(b.events.some((e) => e.type === 'HoldChanged' && e.onHold), 'the callee saw the hold in the SDP');
  const resume = a.coordinator.resumeSession(call.id);
  await settle(sim, 1_000);
  await resume;
  t.is(b.coordinator.getMediaInfo(bId).direction, 'sendrecv');
  const sent = a.coordinator.sendDtmf(call.id, '5');
  await settle(sim, 1_000);
  await sent;
  t.deepEqual(digits, ['5']);
  t.false(sim.network.trace.lines.some((l) => l.includes('rtp ')), 'no RTP at all');
  t.like(t.throws(() => a.coordinator.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [440] })), {
    kind: 'MediaError',
  });
  const hangUp = a.coordinator.terminateSession(call.id);
  await settle(sim, 1_000);
  await hangUp;
  await stopAndExpectReleased(t, sim);
});

test('coordinators: an hour-long call stays up through its RFC 4028 refreshes (UPDATE every ~900 s), then hangs up cleanly', async (t) => {
  const sim = await simPeers(106, [new AutoAnswerHandler(), new AutoAnswerHandler()], {}, (b) => b.withMedia(false));
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const answered = a.coordinator.waitForAnswer(call.id, 10_000);
  await settle(sim, 1_000);
  t.is((await answered).state, 'Connected');
  await settle(sim, 3_600_000);
  t.is(a.coordinator.getSession(call.id)?.state, 'Connected');
  t.is(b.coordinator.listActiveSessions().length, 1);
  t.is(sim.network.trace.lines.filter((l) => l.includes(' send ') && l.includes('UPDATE sip:')).length, 3);
  const hangup = a.coordinator.terminateSession(call.id);
  await settle(sim, 1_000);
  await hangup;
  await stopAndExpectReleased(t, sim);
});
