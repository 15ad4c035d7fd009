/**
 * SIP over TLS between two coordinators on real loopback: a sips call with
 * verified certificates from a private authority made for the run.
 */
import test, { type ExecutionContext } from 'ava';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import type { SipTraceEntry } from '../../adapters/shared/tracing-transport.js';
import type { SessionCoordinator } from '../../application/session/session-coordinator.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { createAuthority, selfSigned, type Issued } from '../../examples/support/certificates.js';
import { serializeMessage } from '../../domain/sip/serialize-message.js';
import { decodeUtf8 } from '../../domain/sip/text-codec.js';
import { reached, waitFor } from '../support/wait.js';

const ca = createAuthority();
const certificate = (): Issued => ca.issue({ commonName: 'localhost', names: ['localhost', '127.0.0.1'] });

interface Party {
  readonly coordinator: SessionCoordinator;
  readonly trace: SipTraceEntry[];
  readonly uri: (user: string) => string;
}

const party = async (
  t: ExecutionContext, mediaPorts: readonly [number, number], tone: number,
  tls: { cert: string; key: string; ca?: string; verifyPeer?: boolean } = { ...certificate(), ca: ca.cert },
): Promise<Party> => {
  const trace: SipTraceEntry[] = [];
  let coordinator!: SessionCoordinator;
  coordinator = await new SessionManagerBuilder()
    .withLocalBindAddr('127.0.0.1:0')
    .withTransports(['tls'])
    .withTls(tls)
    .withMediaEncryption('required')
    .withMediaPorts(...mediaPorts)
    .withSipTrace((entry) => trace.push(entry))
    .withHandler({
      onIncomingCall: () => CallDecision.accept(),
      onCallEstablished: (call) => {
        coordinator.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [tone] });
        coordinator.setAudioSink(call.id, { kind: 'record' });
      },
    })
    .build();
  t.teardown(() => coordinator.stop());
  await coordinator.start();
  const port = coordinator.localEndpointFor('tls')!.port;
  return { coordinator, trace, uri: (user) => `sips:${user}@127.0.0.1:${port}` };
};

/** The messages a party sent, as text (stamped as they left, Via included). */
const sent = (trace: ReadonlyArray<SipTraceEntry>): string[] =>
  trace.filter((e) => e.direction === 'out').map((e) => decodeUtf8(serializeMessage(e.message)));

test('TLS and SRTP on loopback: a sips call between two coordinators with SRTP required is answered, carries tones both ways encrypted, DTMF, holds, resumes and hangs up; every message says TLS and sips', async (t) => {
  const alice = await party(t, [43000, 43099], 600);
  const bob = await party(t, [43100, 43199], 1000);
  const call = await alice.coordinator.createOutgoingCall(alice.uri('alice'), bob.uri('bob'));
  await alice.coordinator.waitForAnswer(call.id, 30_000);
  await waitFor(() => bob.coordinator.listActiveSessions().length === 1, 30_000, 'bob\'s call');
  const bobId = bob.coordinator.listActiveSessions()[0]!;
  await reached(() => alice.coordinator.getRecording(call.id).length, 8_000, 'audio at alice');
  await reached(() => bob.coordinator.getRecording(bobId).length, 8_000, 'audio at bob');
  t.like(dominantFrequency(alice.coordinator.getRecording(call.id).subarray(1600), [600, 1000]), { frequencyHz: 1000 });
  t.like(dominantFrequency(bob.coordinator.getRecording(bobId).subarray(1600), [600, 1000]), { frequencyHz: 600 });
  t.is(alice.coordinator.getMediaInfo(call.id).srtp, 'AES_CM_128_HMAC_SHA1_80');
  t.is(bob.coordinator.getMediaInfo(bobId).srtp, 'AES_CM_128_HMAC_SHA1_80');
  const digits: string[] = [];
  bob.coordinator.events.subscribe((e) => e.type === 'DtmfReceived' && digits.push(e.digit));
  await alice.coordinator.sendDtmf(call.id, '7#');
  await waitFor(() => digits.length === 2, 30_000, 'the digits at bob');
  t.deepEqual(digits, ['7', '#']);
  await alice.coordinator.holdSession(call.id);
  t.is(alice.coordinator.getSession(call.id)?.state, 'OnHold');
  await alice.coordinator.resumeSession(call.id);
  t.is(bob.coordinator.getMediaStatistics(bobId).srtpAuthFailures, 0);
  await alice.coordinator.terminateSession(call.id);
  await waitFor(() => bob.coordinator.listActiveSessions().length === 0, 30_000, 'bob\'s side ended');
  const invite = sent(alice.trace).find((text) => text.startsWith('INVITE '))!;
  t.regex(invite, /^INVITE sips:bob@127\.0\.0\.1:\d+ SIP\/2\.0\r\n/);
  t.regex(invite, /\r\nVia: SIP\/2\.0\/TLS 127\.0\.0\.1:\d+;/);
  t.regex(invite, /\r\nContact: <sips:[^>]+>/, 'a sips request carries a sips Contact (§8.1.1.8)');
  t.regex(invite, /\r\nm=audio \d+ RTP\/SAVP /);
  t.regex(invite, /\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:/);
  const ok = sent(bob.trace).find((text) => text.startsWith('SIP/2.0 200') && text.includes('INVITE'))!;
  t.regex(ok, /\r\nContact: <sips:[^>]+>/, 'and so does the 2xx (§12.1.1)');
  t.true(sent(alice.trace).some((text) => text.startsWith('BYE sips:')));
  for (const p of [alice, bob]) t.is(p.coordinator.getStats().active, 0);
});

test('TLS on loopback: calling a peer whose certificate is self-signed fails with a TransportError that says why; with verifyPeer false it connects', async (t) => {
  const lab = await party(t, [43200, 43299], 1000, selfSigned({ commonName: 'lab', names: ['127.0.0.1'] }));
  const careful = await party(t, [43300, 43399], 600);
  const refused = await careful.coordinator.createOutgoingCall(careful.uri('me'), lab.uri('pbx'))
    .then(() => careful.coordinator.waitForAnswer(careful.coordinator.listActiveSessions()[0] ?? '', 30_000))
    .then(() => undefined, (error: unknown) => error as { kind: string; message: string });
  t.is(refused?.kind, 'TransportError');
  t.regex(refused?.message ?? '', /self[- ]signed/i);
  const trusting = await party(t, [43400, 43499], 600, { ...certificate(), verifyPeer: false });
  const call = await trusting.coordinator.createOutgoingCall(trusting.uri('me'), lab.uri('pbx'));
  t.is((await trusting.coordinator.waitForAnswer(call.id, 30_000)).state, 'Connected');
  await trusting.coordinator.terminateSession(call.id);
});
