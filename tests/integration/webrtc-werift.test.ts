/**
 * WebRTC media with a browser's stack in Node (SIP.js over WebSocket, werift's RTCPeerConnection: full ICE,
 * DTLS-SRTP): our ICE-lite agent answers its checks, DTLS keys our SRTP, the tones cross both ways.
 */
import test, { type ExecutionContext } from 'ava';
import { SessionState } from 'sip.js';
import { SessionManagerBuilder } from '../../adapters/composition/index.js';
import type { SessionCoordinator } from '../../application/session/session-coordinator.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import type { SessionEvent } from '../../domain/session/session-event.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { sipJsClient } from '../support/sipjs.js';
import { WebRtcPeer } from '../support/webrtc-peer.js';
import { reached, waitFor } from '../support/wait.js';

const gateway = async (
  t: ExecutionContext, ports: readonly [number, number], timeoutMs = 10_000,
): Promise<{ coordinator: SessionCoordinator; url: string; events: SessionEvent[] }> => {
  let coordinator!: SessionCoordinator;
  coordinator = await new SessionManagerBuilder()
    .withLocalBindAddr('127.0.0.1:0').withTransports(['ws']).withWebRtc({ connectTimeoutMs: timeoutMs })
    .withMediaPorts(...ports)
    .withHandler({
      onIncomingCall: () => CallDecision.accept(),
      onCallEstablished: (call) => {
        coordinator.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [440] });
        coordinator.setAudioSink(call.id, { kind: 'record' });
      },
    })
    .build();
  t.teardown(() => coordinator.stop());
  await coordinator.start();
  const events: SessionEvent[] = [];
  coordinator.events.subscribe((e) => events.push(e));
  return { coordinator, events, url: `ws://127.0.0.1:${coordinator.localEndpointFor('ws')!.port}/` };
};

test('WebRTC: a browser stack calls us over WSS signaling; ICE-lite + DTLS-SRTP carry the tones both ways', async (t) => {
  const g = await gateway(t, [44800, 44899]);
  const peer = new WebRtcPeer({ toneHz: 1000 });
  t.teardown(() => peer.close());
  const client = await sipJsClient(t, g.url, 'web', '127.0.0.1', { media: () => peer });
  const session = await client.call(`sip:tone@${g.url.slice(5, -1)};transport=ws`);
  t.is(session.state, SessionState.Established);
  const [id] = g.coordinator.listActiveSessions();
  await waitFor(() => peer.dominantHeard() === 440, 30_000, 'the browser hears our 440 Hz');
  await reached(() => g.coordinator.getRecording(id!).length, 8_000, 'audio from the browser');
  t.like(dominantFrequency(g.coordinator.getRecording(id!).subarray(1600), [440, 1000]), { frequencyHz: 1000 });
  const stats = g.coordinator.getMediaStatistics(id!);
  t.is(stats.srtpAuthFailures, 0);
  t.is(g.coordinator.getMediaInfo(id!).srtp, 'AES_CM_128_HMAC_SHA1_80');
  await session.bye();
  await waitFor(() => g.coordinator.listActiveSessions().length === 0, 20_000, 'the call ended');
  t.is(g.coordinator.resources().sessions, 0);
  await waitFor(() => g.coordinator.resources().mediaPorts === 0, 20_000, 'the WebRTC port pair released');
});

test('WebRTC: a fingerprint that does not match the certificate fails the call with a MediaError', async (t) => {
  const g = await gateway(t, [44900, 44999]);
  const peer = new WebRtcPeer({
    mangle: (sdp) => sdp.replace(/a=fingerprint:sha-256 ([0-9A-F:]+)/, (_m, value: string) =>
      `a=fingerprint:sha-256 ${value.startsWith('00') ? 'FF' : '00'}${value.slice(2)}`),
  });
  t.teardown(() => peer.close());
  const client = await sipJsClient(t, g.url, 'web', '127.0.0.1', { media: () => peer });
  const session = await client.call(`sip:tone@${g.url.slice(5, -1)};transport=ws`);
  await waitFor(() => session.state === SessionState.Terminated, 30_000, 'the call ended');
  const error = g.events.find((e) => e.type === 'Error');
  t.regex(error?.type === 'Error' ? error.message : '', /MediaError: WebRTC DTLS: FingerprintMismatch/);
  t.true(g.events.some((e) => e.type === 'CallEnded' && e.reason === 'Media failure'));
  await waitFor(() => g.coordinator.resources().mediaPorts === 0, 20_000, 'the failed call\'s ports released');
});
