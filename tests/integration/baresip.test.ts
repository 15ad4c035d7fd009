/**
 * Interop with baresip, a real softphone, on loopback: calls both ways with
 * G.711 audio checked by ear (Goertzel on what each side recorded), RFC 4733
 * DTMF both ways, hold and resume, hang-up from either side, and nothing left
 * behind on our side; early media both ways (its 183 in early answer mode,
 * our ringback from examples/auto-answer.ts --early-media); then
 * examples/call.ts dialling baresip, and examples/b2bua.ts bridging two of them.
 */
import test, { type ExecutionContext } from 'ava';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import type { CallHandler, CallInfo } from '../../application/session/call-handler.js';
import type { SessionCoordinator } from '../../application/session/session-coordinator.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { heardTone, requireBaresip, startBaresip } from '../support/baresip.js';
import { runExample, startExample } from '../support/example-process.js';
import { freeUdpPort } from '../support/ports.js';
import { reached, waitFor } from '../support/wait.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a caller of `auto-answer --early-media` (answering after 2.5 s) records: the ringback (425 Hz)
 * from the early media, its cadence pause, then the 440 Hz tone after the answer. Read in half-second
 * blocks by content, not at fixed times: under load the dump may begin a little before the first packet.
 */
const expectRingbackThenTone = (t: ExecutionContext, heard: Int16Array): void => {
  const blocks: number[] = [];
  for (let at = 0; at + 4_000 <= heard.length; at += 4_000) {
    const block = heard.subarray(at, at + 4_000);
    let peak = 0;
    for (const sample of block) peak = Math.max(peak, Math.abs(sample));
    blocks.push(peak > 1_000 ? dominantFrequency(block, [425, 440, 1000]).frequencyHz : 0);
  }
  const firstLoud = blocks.find((hz) => hz !== 0);
  const lastRingback = blocks.lastIndexOf(425);
  const firstTone = blocks.indexOf(440);
  t.is(firstLoud, 425, `the ringback comes first (blocks ${blocks.join(' ')}, ${heard.length} samples)`);
  t.true(
    lastRingback !== -1 && firstTone > lastRingback + 1 && blocks.slice(lastRingback + 1, firstTone).includes(0),
    `a cadence pause, then the tone (blocks ${blocks.join(' ')})`,
  );
  t.is(blocks[blocks.length - 1], 440, 'the tone after the answer, to the end');
  t.false(blocks.includes(1000), 'never its own tone');
};

const expectReleased = async (t: ExecutionContext, us: SessionCoordinator): Promise<void> => {
  await us.stop();
  t.like(us.resources(), { sessions: 0, dialogs: 0, transactions: 0 });
};

/**
 * A started coordinator that answers every call and, once it is up, plays a
 * 1 kHz tone and records what it hears. `handler` adds callbacks.
 */
const answeringCoordinator = async (
  t: ExecutionContext, mediaPorts: readonly [number, number], handler: Partial<CallHandler> = {},
) => {
  let call: CallInfo | undefined;
  // The handler starts media on `us` once the call is up, after build() resolved.
  const us: SessionCoordinator = await new SessionManagerBuilder()
    .withLocalBindAddr('127.0.0.1:0')
    .withMediaPorts(...mediaPorts)
    .withHandler({
      ...handler,
      onIncomingCall: () => CallDecision.accept(),
      onCallEstablished: (established) => {
        call = established;
        us.startAudioTransmission(established.id, { kind: 'tone', frequenciesHz: [1000] });
        us.setAudioSink(established.id, { kind: 'record' });
      },
    })
    .build();
  // Stopped again at the end of a passing test (harmless); a failing one must not leave sockets open.
  t.teardown(() => us.stop());
  await us.start();
  return {
    us,
    /** The established call, once there is one. */
    established: async (): Promise<CallInfo> => {
      await waitFor(() => call !== undefined, 30_000, 'our CallEstablished');
      return call!;
    },
  };
};

test('baresip calls us: answered, each side hears the other\'s tone, its RFC 4733 DTMF arrives, our BYE ends the call', async (t) => {
  if (!requireBaresip(t)) return;
  const digits: string[] = [];
  const ended: string[] = [];
  const { us, established } = await answeringCoordinator(t, [57000, 57499], {
    onDtmf: (_call, digit) => digits.push(digit),
    onCallEnded: (_call, reason) => ended.push(reason),
  });
  const phone = await startBaresip({ sipPort: 0, rtpPorts: [57500, 57999], answerMode: 'manual', toneHz: 440 });
  t.teardown(() => phone.stop());
  phone.keys(`/dial sip:service@127.0.0.1:${us.localEndpoint!.port}\n`);
  await phone.waitFor(/Call established/);
  const { id } = await established();
  t.is(us.getMediaInfo(id).codec, 'PCMU', 'baresip offered PCMU first');
  await reached(() => us.getMediaStatistics(id).packetsReceived, 75, 'packets from baresip');
  phone.keys('12#');
  await waitFor(() => digits.length === 3, 30_000, 'three DTMF digits');
  const stats = us.getMediaStatistics(id);
  t.log(
    `from baresip: ${stats.packetsReceived} packets, loss ${stats.lossPercent} %, jitter ${stats.jitterMs.toFixed(2)} ms, MOS ${stats.mos?.toFixed(2)}`,
  );
  t.true(stats.packetsReceived >= 60, `received ${stats.packetsReceived} RTP packets`);
  t.is(stats.packetsLost, 0);
  t.true(stats.mos !== undefined && stats.mos > 4, `MOS ${stats.mos}`);
  t.is(heardTone(us.getRecording(id)), 440, 'we heard baresip\'s 440 Hz');
  await us.terminateSession(id);
  await phone.waitFor(/terminated/);
  t.deepEqual(digits, ['1', '2', '#']);
  t.deepEqual(ended, ['Local hangup']);
  t.is(heardTone(await phone.decodedAudio()), 1000, 'baresip heard our 1 kHz');
  await expectReleased(t, us);
});

test('we call baresip: it answers, hears our tone and our RFC 4733 DTMF; hold stops its audio to us and resume brings it back; its BYE ends the call', async (t) => {
  if (!requireBaresip(t)) return;
  const ended: string[] = [];
  const us = await new SessionManagerBuilder()
    .withLocalBindAddr('127.0.0.1:0')
    .withMediaPorts(58000, 58499)
    .withHandler({ onIncomingCall: () => CallDecision.reject(486), onCallEnded: (_call, reason) => ended.push(reason) })
    .build();
  t.teardown(() => us.stop());
  await us.start();
  const sipPort = await freeUdpPort();
  const phone = await startBaresip({ sipPort, rtpPorts: [58500, 58999], answerMode: 'auto', toneHz: 440 });
  t.teardown(() => phone.stop());
  const call = await us.createOutgoingCall(
    `sip:caller@127.0.0.1:${us.localEndpoint!.port}`, `sip:phone@127.0.0.1:${sipPort}`,
  );
  await us.waitForAnswer(call.id, 30_000);
  us.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [1000] });
  us.setAudioSink(call.id, { kind: 'record' });
  await reached(() => us.getMediaStatistics(call.id).packetsReceived, 75, 'packets from baresip');
  await us.sendDtmf(call.id, '59*');
  await phone.waitFor(/received event: '\*' \(end=1\)/, 30_000);
  t.regex(phone.output(), /received event: '5' \(end=1\)[\s\S]*received event: '9' \(end=1\)/);

  // Time on hold is counted in our own 20 ms frames sent: a loaded machine stretches the wall clock, not them.
  const receivedNow = (): number => us.getMediaStatistics(call.id).packetsReceived;
  const sentNow = (): number => us.getMediaStatistics(call.id).packetsSent;
  await us.holdSession(call.id);
  t.is(us.getMediaInfo(call.id).direction, 'sendonly');
  await reached(sentNow, sentNow() + 10, 'frames sent on hold (packets already in flight arrive meanwhile)');
  const atHold = receivedNow();
  await reached(sentNow, sentNow() + 40, 'frames sent on hold');
  const duringHold = receivedNow() - atHold;
  await us.resumeSession(call.id);
  t.is(us.getMediaInfo(call.id).direction, 'sendrecv');
  const atResume = receivedNow();
  await reached(receivedNow, atResume + 20, 'packets from baresip after resume');
  t.log(`from baresip: ${duringHold} packets in 40 frames held; resumed`);
  t.true(duringHold <= 2, `${duringHold} packets from baresip while held (it should answer recvonly)`);

  t.is(heardTone(us.getRecording(call.id)), 440, 'we heard baresip\'s 440 Hz');
  phone.keys('b');
  await waitFor(() => ended.length === 1, 30_000, 'the call to end');
  t.deepEqual(ended, ['Remote hangup']);
  t.is(heardTone(await phone.decodedAudio()), 1000, 'baresip heard our 1 kHz');
  await expectReleased(t, us);
});

test('examples/b2bua.ts between two baresips: the call goes through, each phone hears the other\'s tone, DTMF crosses, and a BYE from the caller ends both legs', async (t) => {
  if (!requireBaresip(t)) return;
  const calleePort = await freeUdpPort();
  const callee = await startBaresip({
    sipPort: calleePort, rtpPorts: [59000, 59499], answerMode: 'auto', toneHz: 1000,
  });
  t.teardown(() => callee.stop());
  const b2bua = await startExample(
    'b2bua', ['--port', '0', '--target', `sip:phone@127.0.0.1:${calleePort}`, '--media-ports', '38000-38999'],
    /listening on 127\.0\.0\.1:(\d+)/,
  );
  t.teardown(() => b2bua.child.kill('SIGKILL'));
  const b2buaPort = /listening on 127\.0\.0\.1:(\d+)/.exec(b2bua.output())![1]!;
  const caller = await startBaresip({ sipPort: 0, rtpPorts: [59500, 59999], answerMode: 'manual', toneHz: 440 });
  t.teardown(() => caller.stop());

  caller.keys(`/dial sip:service@127.0.0.1:${b2buaPort}\n`);
  await caller.waitFor(/Call established/);
  await callee.waitFor(/Call established/);
  await sleep(1_500);
  caller.keys('73');
  await callee.waitFor(/received event: '3' \(end=1\)/, 30_000);
  t.regex(callee.output(), /received event: '7' \(end=1\)[\s\S]*received event: '3' \(end=1\)/);
  await sleep(500);
  caller.keys('b');
  await caller.waitFor(/terminated/);
  await callee.waitFor(/terminated/);
  t.is(heardTone(await callee.decodedAudio()), 440, 'the callee heard the caller through the bridge');
  t.is(heardTone(await caller.decodedAudio()), 1000, 'the caller heard the callee through the bridge');
  b2bua.child.kill('SIGTERM');
  t.is(await b2bua.exited, 0);
  t.regex(b2bua.output(), /after 1 bridged calls/);
});

test('baresip → examples/b2bua.ts → examples/auto-answer.ts --early-media: the ringback of the far end crosses the B2BUA before the answer, then the tone', async (t) => {
  if (!requireBaresip(t)) return;
  const far = await startExample(
    'auto-answer', ['--port', '0', '--answer-after', '2500', '--early-media', '--media-ports', '53000-53499'],
    /listening on 127\.0\.0\.1:(\d+)/,
  );
  t.teardown(() => far.child.kill('SIGKILL'));
  const farPort = /listening on 127\.0\.0\.1:(\d+)/.exec(far.output())![1]!;
  const b2bua = await startExample(
    'b2bua', ['--port', '0', '--target', `sip:service@127.0.0.1:${farPort}`, '--media-ports', '53500-53999'],
    /listening on 127\.0\.0\.1:(\d+)/,
  );
  t.teardown(() => b2bua.child.kill('SIGKILL'));
  const b2buaPort = /listening on 127\.0\.0\.1:(\d+)/.exec(b2bua.output())![1]!;
  const phone = await startBaresip({ sipPort: 0, rtpPorts: [54000, 54499], answerMode: 'manual', toneHz: 1000 });
  t.teardown(() => phone.stop());
  phone.keys(`/dial sip:service@127.0.0.1:${b2buaPort}\n`);
  await phone.waitFor(/183 Session Progress \(application\/sdp\)/);
  await phone.waitFor(/Call established/, 30_000);
  await sleep(1_000);
  phone.keys('b');
  await waitFor(() => /ended \S+: Remote hangup/.test(far.output()), 30_000, 'the BYE through the B2BUA');
  // Its dump is complete once the call is over on its side.
  await phone.waitFor(/terminated/);
  expectRingbackThenTone(t, await phone.decodedAudio());
  b2bua.child.kill('SIGTERM');
  t.is(await b2bua.exited, 0);
  t.regex(b2bua.output(), /after 1 bridged calls/);
  far.child.kill('SIGTERM');
  t.is(await far.exited, 0);
});

test('examples/call.ts calls baresip: answered, baresip hears the 440 Hz tone and the DTMF, the call ends cleanly with exit 0', async (t) => {
  if (!requireBaresip(t)) return;
  const sipPort = await freeUdpPort();
  const phone = await startBaresip({ sipPort, rtpPorts: [41000, 41999], answerMode: 'auto', toneHz: 1000 });
  t.teardown(() => phone.stop());
  const call = await runExample('call', [`sip:phone@127.0.0.1:${sipPort}`, '--duration', '2500', '--dtmf', '42']);
  t.is(call.code, 0, call.output);
  t.regex(call.output, /answered[\s\S]*hung up/);
  await phone.waitFor(/terminated/);
  t.regex(phone.output(), /received event: '4' \(end=1\)[\s\S]*received event: '2' \(end=1\)/);
  t.is(heardTone(await phone.decodedAudio()), 440);
});

test('baresip calls us over TCP, puts us on hold and resumes: we answer recvonly then sendrecv and report both changes; its BYE ends the call', async (t) => {
  if (!requireBaresip(t)) return;
  let call: CallInfo | undefined;
  const holds: boolean[] = [];
  const us = await new SessionManagerBuilder()
    .withLocalBindAddr('127.0.0.1:0')
    .withTransports(['tcp']) // TCP only: the call cannot fall back to UDP
    .withMediaPorts(43000, 43499)
    .withHandler({
      onIncomingCall: () => CallDecision.accept(), onCallEstablished: (established) => (call = established),
    })
    .build();
  us.events.subscribe((event) => {
    if (event.type === 'HoldChanged') holds.push(event.onHold);
  });
  t.teardown(() => us.stop());
  await us.start();
  const phone = await startBaresip({ sipPort: 0, rtpPorts: [43500, 43999], answerMode: 'manual', toneHz: 440 });
  t.teardown(() => phone.stop());
  phone.keys(`/dial sip:service@127.0.0.1:${us.localEndpoint!.port};transport=tcp\n`);
  await phone.waitFor(/Call established/);
  await waitFor(() => call !== undefined, 30_000, 'our CallEstablished');
  const id = call!.id;
  t.is(us.getMediaInfo(id).direction, 'sendrecv');
  phone.keys('x');
  await waitFor(() => holds.length === 1, 30_000, 'the hold');
  t.is(us.getMediaInfo(id).direction, 'recvonly', 'answered its sendonly with recvonly (RFC 6337)');
  phone.keys('X');
  await waitFor(() => holds.length === 2, 30_000, 'the resume');
  t.is(us.getMediaInfo(id).direction, 'sendrecv');
  t.deepEqual(holds, [true, false]);
  phone.keys('b');
  await waitFor(() => us.listActiveSessions().length === 0, 30_000, 'the call to end');
  t.true(us.getStats().total >= 1);
  await expectReleased(t, us);
});

test('baresip and examples/auto-answer.ts --answer-after: a call hung up while ringing is cancelled; the next rings, is answered, and baresip hears the 440 Hz tone', async (t) => {
  if (!requireBaresip(t)) return;
  const server = await startExample(
    'auto-answer', ['--port', '0', '--answer-after', '1000', '--media-ports', '39000-39999'],
    /listening on 127\.0\.0\.1:(\d+)/,
  );
  t.teardown(() => server.child.kill('SIGKILL'));
  const port = /listening on 127\.0\.0\.1:(\d+)/.exec(server.output())![1]!;
  const phone = await startBaresip({ sipPort: 0, rtpPorts: [40500, 40999], answerMode: 'manual', toneHz: 1000 });
  t.teardown(() => phone.stop());

  phone.keys(`/dial sip:service@127.0.0.1:${port}\n`);
  await phone.waitFor(/180 Ringing/);
  phone.keys('b');
  await waitFor(() => /ended \S+: Cancelled/.test(server.output()), 30_000, 'the CANCEL');

  phone.keys(`/dial sip:service@127.0.0.1:${port}\n`);
  await phone.waitFor(/Call established/, 30_000);
  await sleep(1_500);
  phone.keys('b');
  await waitFor(() => /ended \S+: Remote hangup/.test(server.output()), 30_000, 'the BYE');
  t.is(heardTone(await phone.decodedAudio()), 440);
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0);
});

test('baresip calls examples/auto-answer.ts --early-media: it hears the ringback (425 Hz, 1 s on, then silence) from the 183 before the answer, then the 440 Hz tone', async (t) => {
  if (!requireBaresip(t)) return;
  const server = await startExample(
    'auto-answer', ['--port', '0', '--answer-after', '2500', '--early-media', '--media-ports', '51500-51999'],
    /listening on 127\.0\.0\.1:(\d+)/,
  );
  t.teardown(() => server.child.kill('SIGKILL'));
  const port = /listening on 127\.0\.0\.1:(\d+)/.exec(server.output())![1]!;
  const phone = await startBaresip({ sipPort: 0, rtpPorts: [42000, 42499], answerMode: 'manual', toneHz: 1000 });
  t.teardown(() => phone.stop());
  phone.keys(`/dial sip:service@127.0.0.1:${port}\n`);
  await phone.waitFor(/183 Session Progress \(application\/sdp\)/);
  await phone.waitFor(/Call established/, 30_000);
  await sleep(1_000);
  phone.keys('b');
  await waitFor(() => /ended \S+: Remote hangup/.test(server.output()), 30_000, 'the BYE');
  t.regex(server.output(), /early media sess-/);
  await phone.waitFor(/terminated/);
  expectRingbackThenTone(t, await phone.decodedAudio());
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0);
});

test('we call baresip in early answer mode: its 183 with SDP is early media while it rings; answered, the call carries audio both ways', async (t) => {
  if (!requireBaresip(t)) return;
  const us = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMediaPorts(50000, 50999)
    .withHandler({ onIncomingCall: () => CallDecision.reject(486) }).build();
  t.teardown(() => us.stop());
  await us.start();
  const early: number[] = [];
  us.events.subscribe((e) => e.type === 'EarlyMedia' && early.push(e.status));
  const sipPort = await freeUdpPort();
  const phone = await startBaresip({ sipPort, rtpPorts: [51000, 51499], answerMode: 'early', toneHz: 1000 });
  t.teardown(() => phone.stop());
  const call = await us.createOutgoingCall(
    `sip:caller@127.0.0.1:${us.localEndpoint!.port}`, `sip:phone@127.0.0.1:${sipPort}`,
  );
  await waitFor(() => early.length > 0, 30_000, 'the early media');
  t.deepEqual(early, [183]);
  t.is(us.getSession(call.id)?.state, 'Ringing');
  t.is(us.getMediaInfo(call.id).direction, 'recvonly', 'we listen only until the answer');
  phone.keys('a');
  await us.waitForAnswer(call.id, 30_000);
  t.is(us.getMediaInfo(call.id).direction, 'sendrecv');
  us.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [440] });
  us.setAudioSink(call.id, { kind: 'record' });
  await reached(() => us.getRecording(call.id).length, 12_000, 'samples heard from baresip');
  t.is(heardTone(us.getRecording(call.id)), 1000);
  await us.terminateSession(call.id);
  await phone.waitFor(/terminated/);
  t.is(heardTone(await phone.decodedAudio()), 440);
  await expectReleased(t, us);
});

test('baresip offering only PCMA calls us: we answer PCMA, and each side hears the other', async (t) => {
  if (!requireBaresip(t)) return;
  const { us, established } = await answeringCoordinator(t, [37000, 37499]);
  const phone = await startBaresip({
    sipPort: 0, rtpPorts: [37500, 37999], answerMode: 'manual', toneHz: 440, codecs: ['PCMA'],
  });
  t.teardown(() => phone.stop());
  phone.keys(`/dial sip:service@127.0.0.1:${us.localEndpoint!.port}\n`);
  await phone.waitFor(/Set audio encoder: PCMA/);
  const { id } = await established();
  t.is(us.getMediaInfo(id).codec, 'PCMA');
  await reached(() => us.getRecording(id).length, 12_000, 'samples heard from baresip');
  t.is(heardTone(us.getRecording(id)), 440);
  phone.keys('b');
  await waitFor(() => us.listActiveSessions().length === 0, 30_000, 'the call to end');
  t.is(heardTone(await phone.decodedAudio()), 1000);
  await expectReleased(t, us);
});
