/**
 * Two session-core coordinators over WebSocket with WebRTC media on loopback: both are ICE-lite, so nobody
 * runs checks and each takes the other's candidate (RFC 8445 §6.1.1); DTLS keys SRTP; the tones cross; the
 * call holds, resumes and ends with every port released.
 */
import test, { type ExecutionContext } from 'ava';
import { SessionManagerBuilder } from '../../adapters/composition/index.js';
import type { SessionCoordinator } from '../../application/session/session-coordinator.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { runExample, startExample } from '../support/example-process.js';
import { reached, waitFor } from '../support/wait.js';

const party = async (t: ExecutionContext, ports: readonly [number, number], toneHz: number) => {
  let coordinator!: SessionCoordinator;
  coordinator = await new SessionManagerBuilder()
    .withLocalBindAddr('127.0.0.1:0').withTransports(['ws']).withWebRtc().withMediaPorts(...ports)
    .withHandler({
      onIncomingCall: () => CallDecision.accept(),
      onCallEstablished: (call) => {
        coordinator.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [toneHz] });
        coordinator.setAudioSink(call.id, { kind: 'record' });
      },
    })
    .build();
  t.teardown(() => coordinator.stop());
  await coordinator.start();
  return coordinator;
};

test('WebRTC between two ICE-lite coordinators over WS: DTLS-SRTP, tones both ways, hold/resume, ports released',
  async (t) => {
    const alice = await party(t, [45700, 45749], 1000);
    const bob = await party(t, [45750, 45799], 440);
    const call = await alice.createOutgoingCall('sip:alice@127.0.0.1',
      `sip:bob@127.0.0.1:${bob.localEndpointFor('ws')!.port};transport=ws`);
    await alice.waitForAnswer(call.id, 30_000);
    const [bobId] = bob.listActiveSessions();
    await reached(() => alice.getRecording(call.id).length, 8_000, 'audio at alice');
    await reached(() => bob.getRecording(bobId!).length, 8_000, 'audio at bob');
    t.like(dominantFrequency(alice.getRecording(call.id).subarray(1600), [440, 1000]), { frequencyHz: 440 });
    t.like(dominantFrequency(bob.getRecording(bobId!).subarray(1600), [440, 1000]), { frequencyHz: 1000 });
    t.is(alice.getMediaInfo(call.id).srtp, 'AES_CM_128_HMAC_SHA1_80');
    await alice.holdSession(call.id);
    await alice.resumeSession(call.id);
    t.is(bob.getMediaStatistics(bobId!).srtpAuthFailures, 0);
    await alice.terminateSession(call.id);
    await waitFor(() => bob.listActiveSessions().length === 0, 30_000, 'bob\'s side ended');
    await waitFor(() => alice.resources().mediaPorts === 0 && bob.resources().mediaPorts === 0, 30_000,
      'every port pair released');
    t.pass();
  });

test('examples: call.ts --transport ws reaches auto-answer.ts --transport ws with WebRTC media, keyed by DTLS',
  async (t) => {
    const READY = /auto-answer listening on 127\.0\.0\.1:(\d+) \(ws\)/;
    const server = await startExample('auto-answer', ['--transport', 'ws', '--port', '0', '--media-ports',
      '45850-45899'], READY);
    t.teardown(() => server.child.kill('SIGKILL'));
    const port = READY.exec(server.output())![1]!;
    const { code, output } = await runExample('call', [`sip:tone@127.0.0.1:${port};transport=ws`, '--transport', 'ws',
      '--duration', '2000']);
    t.is(code, 0, output);
    t.regex(output, /media: WebRTC, DTLS-SRTP AES_CM_128_HMAC_SHA1_80/);
    t.regex(output, /received [1-9]\d+, loss 0\.00 %/);
  });
