/**
 * `npm start`: two coordinators on real loopback UDP place a call, exchange
 * G.711 audio both ways (a 1 kHz tone one way, 600 Hz the other), send DTMF,
 * hold and resume, hang up, and print the SIP ladder and measured media
 * statistics. Exits 0 when everything worked.
 */
import {
  CallDecision, dominantFrequency, ladder, SessionManagerBuilder,
  type CallHandler, type SipTraceEntry, type SessionCoordinator,
} from '../adapters/composition/index.js';
import { createAuthority } from './support/certificates.js';
import { commandLine } from './support/command-line.js';

const HELP = `Usage: npm start  (or: npx tsx examples/main-demo.ts [options])

Two coordinators on loopback UDP place a call to each other: G.711 audio both
ways (a 1 kHz tone one way, 600 Hz the other), RFC 4733 DTMF, hold and resume
by re-INVITE, hang-up; then it prints the SIP ladder, each side's measured media
statistics (packets, loss, jitter, RTT, MOS) and what each side heard.
Exits 0 only when all of that checked out.

Options:
  --secure             the same call over TLS (sips:, certificates from an
                       authority made for the run, verified) with SRTP media
                       (RTP/SAVP, SDES keys): npm start -- --secure
  --help               show this help`;

const { values } = commandLine('main-demo', HELP, {
  options: { secure: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
});
const secure = values.secure;
/** With --secure: a private authority for the run, and a certificate from it for each side. */
const authority = secure ? createAuthority('session-core demo CA') : undefined;

const trace: SipTraceEntry[] = [];
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const dtmfHeard: string[] = [];
const problems: string[] = [];

const bobHandler: CallHandler = {
  // Bob's phone rings for a moment (a 180 in the ladder), then he picks up.
  onIncomingCall: async () => {
    await sleep(300);
    return CallDecision.accept();
  },
  onDtmf: (_call, digit) => dtmfHeard.push(digit),
};

const build = (name: string, ports: [number, number], handler: CallHandler): Promise<SessionCoordinator> => {
  const builder = new SessionManagerBuilder()
    .withLocalBindAddr('127.0.0.1:0')
    .withMediaPorts(...ports)
    .withHandler(handler)
    .withUserAgent(`session-core demo (${name})`)
    .withSipTrace((entry) => trace.push(entry));
  if (authority !== undefined) {
    const own = authority.issue({ commonName: 'localhost', names: ['localhost', '127.0.0.1'] });
    builder.withTransports(['tls']).withTls({ ...own, ca: authority.cert }).withMediaEncryption('required');
  }
  return builder.build();
};

const main = async (): Promise<number> => {
  const started = performance.now();
  const alice = await build('alice', [30000, 30999], { onIncomingCall: () => CallDecision.reject(486) });
  const bob = await build('bob', [31000, 31999], bobHandler);
  await alice.start();
  await bob.start();
  const aliceAt = alice.localEndpoint!;
  const bobAt = bob.localEndpoint!;
  const scheme = secure ? 'sips' : 'sip';
  const aliceUri = `${scheme}:alice@127.0.0.1:${aliceAt.port}`;
  const bobUri = `${scheme}:bob@127.0.0.1:${bobAt.port}`;
  console.log(`alice ${aliceUri}  ⇄  bob ${bobUri}\n`);
  if (secure) console.log('secure: SIP over TLS (certificates verified) and SRTP media (RTP/SAVP, SDES keys)\n');

  const call = await alice.createOutgoingCall(aliceUri, bobUri);
  await alice.waitForAnswer(call.id, 5_000);
  const bobId = bob.listActiveSessions()[0]!;
  alice.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [1000] });
  bob.startAudioTransmission(bobId, { kind: 'tone', frequenciesHz: [600] });
  alice.setAudioSink(call.id, { kind: 'record' });
  bob.setAudioSink(bobId, { kind: 'record' });
  await sleep(1_500);
  await alice.sendDtmf(call.id, '1234#');
  await sleep(300);
  await alice.holdSession(call.id);
  const heldDirection = bob.getMediaInfo(bobId).direction;
  await sleep(500);
  await alice.resumeSession(call.id);
  await sleep(1_500);
  // RTCP measures the round trip once each side's report has been answered by the other's (a few seconds in).
  const rttKnown = (): boolean =>
    alice.getMediaStatistics(call.id).rttMs !== undefined && bob.getMediaStatistics(bobId).rttMs !== undefined;
  for (let waited = 0; waited < 10_000 && !rttKnown(); waited += 100) await sleep(100);

  const aliceStats = alice.getMediaStatistics(call.id);
  const bobStats = bob.getMediaStatistics(bobId);
  const bobHeard = dominantFrequency(bob.getRecording(bobId).subarray(4_000, 12_000), [600, 1000]);
  const aliceHeard = dominantFrequency(alice.getRecording(call.id).subarray(4_000, 12_000), [600, 1000]);
  await alice.terminateSession(call.id);
  await sleep(100);

  console.log(
    ladder(
      trace, { label: `alice :${aliceAt.port}`, address: `127.0.0.1:${aliceAt.port}` },
      { label: `bob :${bobAt.port}`, address: `127.0.0.1:${bobAt.port}` },
    ),
  );
  const row = (name: string, s: typeof aliceStats): string => [
    `${name.padEnd(6)} sent ${String(s.packetsSent).padStart(4)} pkts`,
    `received ${String(s.packetsReceived).padStart(4)}`,
    `loss ${s.lossPercent.toFixed(2)} %`,
    `jitter ${s.jitterMs.toFixed(2)} ms`,
    `RTT ${s.rttMs === undefined ? 'n/a' : `${s.rttMs.toFixed(2)} ms`}`,
    `MOS ${s.mos?.toFixed(2) ?? 'n/a'}`,
  ].join('  ');
  const suite = alice.getMediaInfo(call.id).srtp;
  const protection = suite === undefined ? 'plain RTP' : `SRTP ${suite}`;
  console.log(`\nmedia (G.711 ${alice.getMediaInfo(call.id).codec}, 20 ms frames, ${protection}):`);
  console.log(row('alice', aliceStats));
  console.log(row('bob', bobStats));
  console.log(`bob heard ${bobHeard.frequencyHz} Hz, alice heard ${aliceHeard.frequencyHz} Hz; `
    + `DTMF at bob: ${dtmfHeard.join('') || '(none)'}; on hold bob's media was ${heldDirection}`);

  if (bobHeard.frequencyHz !== 1000) problems.push('bob did not hear the 1 kHz tone');
  if (aliceHeard.frequencyHz !== 600) problems.push('alice did not hear the 600 Hz tone');
  if (dtmfHeard.join('') !== '1234#') problems.push(`DTMF arrived as "${dtmfHeard.join('')}"`);
  if (heldDirection !== 'recvonly') problems.push(`hold left bob's media ${heldDirection}`);
  if (bob.listActiveSessions().length !== 0) problems.push('bob still has a session after the hang-up');
  if (aliceStats.rttMs === undefined || bobStats.rttMs === undefined) problems.push('RTT not measured on both sides');
  if (secure && suite === undefined) problems.push('the media was not encrypted');
  if (secure && aliceStats.srtpAuthFailures + bobStats.srtpAuthFailures > 0) problems.push('SRTP packets were refused');
  await alice.stop();
  await bob.stop();
  const verdict = problems.length === 0 ? 'OK' : `FAILED: ${problems.join('; ')}`;
  console.log(`\n${verdict} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return problems.length === 0 ? 0 : 1;
};

main().then((code) => process.exit(code), (error: unknown) => {
  console.error('demo failed:', error);
  process.exit(1);
});
