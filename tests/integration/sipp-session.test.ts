import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { runExample, startExample } from '../support/example-process.js';
import { freeUdpPort } from '../support/ports.js';
import { listeningSipp, requireSipp, runSipp } from '../support/sipp.js';
import { RejectAllHandler, SessionManagerBuilder, type SessionEvent } from '../../adapters/composition/index.js';
import { encodeMuLaw } from '../../domain/media/g711.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { nextToneFrame, tone } from '../../domain/media/tone.js';
import { underLoadLock } from '../support/load-lock.js';

const scenarios = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sipp');

for (const transport of ['udp', 'tcp'] as const) {
  test(`SIPp uac: 1,000 calls at 100 calls/s to examples/auto-answer.ts over ${transport}, none failed; SIGTERM stops it gracefully`, (t) => underLoadLock(async () => {
    if (!requireSipp(t)) return;
    const server = await startExample(
      'auto-answer',
      [
        '--port', '0', '--transport', transport, '--quiet', '--media-ports',
        transport === 'udp' ? '44000-45999' : '46000-47999',
      ],
      /listening on 127\.0\.0\.1:(\d+)/,
    );
    t.teardown(() => server.child.kill('SIGKILL'));
    const port = /listening on 127\.0\.0\.1:(\d+)/.exec(server.output())![1]!;
    const result = await runSipp(['-sn', 'uac', '-m', '1000', '-r', '100', '-l', '300', '-t', transport === 'udp' ? 'u1' : 't1', '-i', '127.0.0.1',
      '-timeout', '100s', '-timeout_error', `127.0.0.1:${port}`], 150_000);
    t.log(`successful ${result.successful}, failed ${result.failed}`);
    t.is(result.failed, 0, result.stdout.slice(-1500));
    t.is(result.successful, 1000);
    server.child.kill('SIGTERM');
    t.is(await server.exited, 0);
    t.regex(server.output(), /stopping/);
  }));
}

test('examples/call.ts completes against SIPp uas and exits 0; a refused call exits 1 with a message', async (t) => {
  if (!requireSipp(t)) return;
  const { port, done: sipp } = await listeningSipp(() => ['-sn', 'uas', '-m', '1', '-t', 'u1', '-i', '127.0.0.1', '-timeout', '30s'], 40_000);
  const call = await runExample('call', [`sip:service@127.0.0.1:${port}`, '--duration', '500']);
  t.is(call.code, 0, call.output);
  t.regex(call.output, /answered[\s\S]*hung up/);
  const result = await sipp;
  t.is(result.successful, 1, result.stdout.slice(-1000));
  const refused = await runExample('call', [`sip:nobody@127.0.0.1:${port}`, '--timeout', '3000']);
  t.is(refused.code, 1);
  t.regex(refused.output, /call failed: (Timeout|TransportError|Rejected)/);
  const help = await runExample('call', ['--help']);
  t.is(help.code, 0);
  t.regex(help.output, /--duration/);
});

test('examples/call.ts --proxy: the INVITE for an unroutable target goes to SIPp as the outbound proxy, which answers; the call completes', async (t) => {
  if (!requireSipp(t)) return;
  const { port, done: sipp } = await listeningSipp(
    () => ['-sf', path.join(scenarios, 'uas-answers.xml'), '-m', '1', '-t', 'u1', '-i', '127.0.0.1', '-timeout', '30s'], 40_000,
  );
  // 192.0.2.1 (TEST-NET-1) is never reachable: only the proxy route can have carried the call.
  const call = await runExample(
    'call', ['sip:service@192.0.2.1:5060', '--duration', '300', '--proxy', `sip:127.0.0.1:${port}`],
  );
  t.is(call.code, 0, call.output);
  t.regex(call.output, /answered[\s\S]*hung up/);
  const result = await sipp;
  t.is(result.successful, 1, `${result.stdout.slice(-1000)}\n${result.errors}`);
});

test('examples/call.ts against a PBX-like callee that answers in a 183 with SDP and streams early media, then 200 with the same SDP: it listens before the answer, the call completes, exit 0', async (t) => {
  if (!requireSipp(t)) return;
  const { port, done: sipp } = await earlyMediaCallee('uas-early-media.xml');
  const call = await runExample('call', [`sip:service@127.0.0.1:${port}`, '--duration', '500']);
  t.is(call.code, 0, call.output);
  t.regex(call.output, /early media \(183\)[\s\S]*answered[\s\S]*hung up/);
  // 1.5 s of stream before the 200: some 75 packets of 20 ms (fewer when the machine is loaded).
  const early = Number(/after (\d+) RTP packets of early media/.exec(call.output)?.[1] ?? 0);
  t.true(early >= 25, call.output);
  const result = await sipp;
  t.is(result.successful, 1, `${result.stdout.slice(-1000)}\n${result.errors}`);
});

test('early media from SIPp: the caller hears the 1 kHz stream of the 183 before the answer; a 200 without SDP keeps the 183\'s answer', async (t) => {
  if (!requireSipp(t)) return;
  const { port, done: sipp } = await earlyMediaCallee('uas-early-media-bare-200.xml');
  const coordinator = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMediaPorts(48000, 48999).withHandler(new RejectAllHandler()).build();
  t.teardown(() => coordinator.stop());
  await coordinator.start();
  const events: SessionEvent[] = [];
  coordinator.events.subscribe((e) => events.push(e));
  const call = await coordinator.createOutgoingCall(
    `sip:caller@127.0.0.1:${coordinator.localEndpoint!.port}`, `sip:service@127.0.0.1:${port}`,
  );
  coordinator.setAudioSink(call.id, { kind: 'record' });
  await coordinator.waitForAnswer(call.id, 30_000);
  t.true(events.some((e) => e.type === 'EarlyMedia' && e.status === 183));
  const heard = coordinator.getRecording(call.id);
  t.true(heard.length >= 8_000, `${heard.length} samples before the answer`);
  t.like(dominantFrequency(heard.subarray(-4_000), [440, 1000]), { frequencyHz: 1000 });
  const media = coordinator.getMediaInfo(call.id);
  t.is(media.direction, 'sendrecv', 'the answer of the 183 now carries both ways');
  t.is(media.remoteAddress, '127.0.0.1');
  await coordinator.terminateSession(call.id);
  const result = await sipp;
  t.is(result.successful, 1, `${result.stdout.slice(-1000)}\n${result.errors}`);
});

/** SIPp answering one call with a 183 that streams a 1 kHz tone (then a 200, as `scenario` says). */
/** SIPp streaming early media; its media port is its own free one too (concurrent SIPps would share 6000). */
const earlyMediaCallee = async (scenario: string) => {
  const mediaPort = await freeUdpPort();
  return listeningSipp(() => [
    '-sf', path.join(scenarios, scenario), '-m', '1', '-t', 'u1', '-i', '127.0.0.1', '-mi', '127.0.0.1',
    '-mp', String(mediaPort), '-timeout', '30s',
  ], 40_000, { 'tone.ulaw': toneUlaw(1000, 3) });
};

/** `seconds` of a tone as raw PCMU, the form SIPp's rtp_stream plays. */
const toneUlaw = (hz: number, seconds: number): Uint8Array => {
  const pcm = new Int16Array(8000 * seconds);
  nextToneFrame(tone(hz, 8000), pcm);
  return encodeMuLaw(pcm);
};
