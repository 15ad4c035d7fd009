/**
 * WAV files on real calls (loopback): playFile streams PCM16 at 16 kHz (resampled) and G.711 A-law;
 * a recording of both directions reads back as stereo with each side's tone in its own channel; a missing
 * file, an unreadable format and a full disk are MediaErrors while the call goes on.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import { encodeALaw } from '../../domain/media/g711.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { wavHeader } from '../../domain/media/wav.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import { runExample, startExample } from '../support/example-process.js';
import { reached, waitFor } from '../support/wait.js';

const toneSamples = (hz: number, seconds: number, rate: number): Int16Array =>
  Int16Array.from({ length: seconds * rate }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate)));

const pcmWav = (samples: Int16Array, rate: number): Uint8Array => {
  const header = wavHeader(1, samples.length * 2, rate);
  const out = new Uint8Array(44 + samples.length * 2);
  out.set(header);
  for (let i = 0; i < samples.length; i++) new DataView(out.buffer).setInt16(44 + 2 * i, samples[i]!, true);
  return out;
};

/** A-law WAV: format tag 6, 8 bits, 8 kHz mono. */
const alawWav = (samples: Int16Array): Uint8Array => {
  const data = encodeALaw(samples);
  const out = new Uint8Array(44 + data.length);
  out.set(wavHeader(1, data.length));
  const view = new DataView(out.buffer);
  view.setUint16(20, 6, true);
  view.setUint32(28, 8000, true);
  view.setUint16(32, 1, true);
  view.setUint16(34, 8, true);
  out.set(data, 44);
  return out;
};

const pair = async (t: ExecutionContext, base: number) => {
  const build = (ports: [number, number]) => new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0')
    .withMediaPorts(...ports).withHandler({ onIncomingCall: () => CallDecision.accept() }).build();
  const alice = await build([base, base + 99]);
  const bob = await build([base + 100, base + 199]);
  t.teardown(async () => {
    await alice.stop();
    await bob.stop();
  });
  await alice.start();
  await bob.start();
  const call = await alice.createOutgoingCall('sip:alice@127.0.0.1', `sip:bob@127.0.0.1:${bob.localEndpoint!.port}`);
  await alice.waitForAnswer(call.id, 20_000);
  return { alice, bob, mine: call.id, theirs: bob.listActiveSessions()[0]! };
};

const tempDir = (t: ExecutionContext): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'files-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

for (const [name, hz, make] of [
  ['PCM16 at 16 kHz (resampled to 8 kHz)', 1000, () => pcmWav(toneSamples(1000, 3, 16000), 16000)],
  ['G.711 A-law at 8 kHz', 600, () => alawWav(toneSamples(600, 3, 8000))],
] as const) {
  test(`playFile streams a ${name} WAV into the call: the far end hears its tone`, async (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, 'prompt.wav');
    writeFileSync(file, make());
    const { alice, bob, mine, theirs } = await pair(t, hz === 1000 ? 49000 : 49200);
    bob.setAudioSink(theirs, { kind: 'record' });
    await alice.playFile(mine, file);
    const start = bob.getMediaStatistics(theirs).packetsReceived;
    await reached(() => bob.getMediaStatistics(theirs).packetsReceived, start + 60, 'frames of the file');
    const heard = bob.getRecording(theirs);
    t.like(dominantFrequency(heard.subarray(heard.length - 4000), [600, 1000, 1400]), { frequencyHz: hz });
  });
}

test('a recording of both directions reads back as stereo: left what we heard, right what we sent', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'call.wav');
  const { alice, bob, mine, theirs } = await pair(t, 49400);
  alice.startAudioTransmission(mine, { kind: 'tone', frequenciesHz: [1000] });
  bob.startAudioTransmission(theirs, { kind: 'tone', frequenciesHz: [600] });
  await alice.startRecording(mine, file, { direction: 'both' });
  const start = alice.getMediaStatistics(mine).packetsReceived;
  await reached(() => alice.getMediaStatistics(mine).packetsReceived, start + 75, 'frames recorded');
  const result = await alice.stopRecording(mine);
  t.true(result.frames >= 60, `${result.frames} frames`);
  t.is(result.dropped, 0);
  const bytes = readFileSync(file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  t.is(view.getUint16(22, true), 2, 'two channels');
  t.is(view.getUint32(24, true), 8000);
  t.is(view.getUint32(40, true), bytes.length - 44, 'the header counts the data written');
  const frames = (bytes.length - 44) / 4;
  const left = new Int16Array(frames);
  const right = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    left[i] = view.getInt16(44 + 4 * i, true);
    right[i] = view.getInt16(46 + 4 * i, true);
  }
  t.like(dominantFrequency(left.subarray(frames - 4000), [600, 1000]), { frequencyHz: 600 });
  t.like(dominantFrequency(right.subarray(frames - 4000), [600, 1000]), { frequencyHz: 1000 });
});

test('a missing file, an unreadable format and a full disk are MediaErrors; the call goes on', async (t) => {
  const dir = tempDir(t);
  const text = path.join(dir, 'notes.wav');
  writeFileSync(text, 'not audio at all');
  const { alice, mine } = await pair(t, 49600);
  const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e);
  t.like(await failure(alice.playFile(mine, path.join(dir, 'missing.wav'))), { kind: 'MediaError' });
  const unreadable = await failure(alice.playFile(mine, text));
  t.like(unreadable, { kind: 'MediaError' });
  t.regex((unreadable as Error).message, /not a RIFF\/WAVE file/);
  t.like(await failure(alice.startRecording(mine, path.join(dir, 'no', 'such', 'dir.wav'))), { kind: 'MediaError' });
  // /dev/full: every write fails with ENOSPC, as on a full disk.
  const full = await failure(alice.startRecording(mine, '/dev/full', { direction: 'in' }));
  t.like(full, { kind: 'MediaError' });
  t.regex((full as Error).message, /ENOSPC|no space/i);
  t.is(alice.getSession(mine)?.state, 'Connected');
});

test('examples/auto-answer.ts --wav FILE --record DIR: the caller gets the file, the call is recorded as stereo', async (t) => {
  const dir = tempDir(t);
  const wav = path.join(dir, 'greeting.wav');
  writeFileSync(wav, pcmWav(toneSamples(1000, 2, 16000), 16000));
  const records = mkdtempSync(path.join(dir, 'records-'));
  const server = await startExample('auto-answer', [
    '--port', '0', '--media-ports', '49800-49899', '--wav', wav, '--record', records,
  ], /listening on 127\.0\.0\.1:(\d+)/);
  t.teardown(() => server.child.kill('SIGKILL'));
  const port = /listening on 127\.0\.0\.1:(\d+)/.exec(server.output())![1];
  const call = await runExample('call', [`sip:x@127.0.0.1:${port}`, '--duration', '1500']);
  t.is(call.code, 0, call.output);
  await waitFor(() => / ended /.test(server.output()), 20_000, 'the call ended at auto-answer');
  const file = /recording \S+ to (\S+)/.exec(server.output())?.[1];
  t.truthy(file, server.output());
  // The header is completed once the recording is closed, just after the call ended.
  await waitFor(() => readFileSync(file!).readUInt32LE(40) > 0, 20_000, 'the recording completed');
  const bytes = readFileSync(file!);
  const frames = (bytes.length - 44) / 4;
  t.true(frames > 4000, `${frames} stereo samples`);
  const channel = (offset: number): Int16Array =>
    Int16Array.from({ length: frames }, (_, i) => bytes.readInt16LE(44 + 4 * i + offset));
  t.like(dominantFrequency(channel(0).subarray(frames - 4000), [440, 1000]), { frequencyHz: 440 });
  t.like(dominantFrequency(channel(2).subarray(frames - 4000), [440, 1000]), { frequencyHz: 1000 });
  const bad = await runExample('auto-answer', ['--port', '0', '--wav', path.join(dir, 'missing.wav')]);
  t.is(bad.code, 2);
  t.regex(bad.output, /cannot open/);
});
