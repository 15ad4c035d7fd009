/**
 * A real browser: headless Chromium loads the softphone page auto-answer.ts serves with --transport wss,
 * registers over WSS, calls it with WebRTC (ICE with our ICE-lite, DTLS-SRTP), hears its 440 Hz tone
 * (WebAudio analyser on the remote track) while it records the page's 1000 Hz microphone (a WAV made for
 * the run); DTMF from the keypad arrives, hold and resume change directions, hang-up ends both sides.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { requireChromium } from '../support/chromium.js';
import { startExample } from '../support/example-process.js';
import { openSoftphone } from '../support/softphone-browser.js';
import { waitFor } from '../support/wait.js';

const PAGE = /softphone page on (https:\/\/127\.0\.0\.1:(\d+)\/)/;
const OPS = /operations on (http:\/\/127\.0\.0\.1:\d+)/;

test('Chromium ⇄ auto-answer over WSS + WebRTC: tones both ways, DTMF, hold/resume, hang-up', async (t) => {
  if (!requireChromium(t)) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'webrtc-chromium-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const server = await startExample('auto-answer', [
    '--transport', 'wss', '--port', '0', '--media-ports', '45100-45199', '--record', dir, '--http', '127.0.0.1:0',
  ], PAGE);
  t.teardown(() => server.child.kill('SIGKILL'));
  const [, url, port] = PAGE.exec(server.output())!;
  const phone = await openSoftphone(
    t, dir, `${url}?user=alice&register&target=${encodeURIComponent(`sip:tone@127.0.0.1:${port}`)}`, 1000,
  );
  const inPage = phone.evaluate;
  const until = phone.until;
  await until('window.softphone?.state.registered === true');
  await inPage('window.softphone.call()');
  await until(`window.softphone.state.status === 'in call'`);
  const answered = /answered (\S+)/;
  await waitFor(() => answered.test(server.output()), 30_000, 'auto-answer answered');
  const id = answered.exec(server.output())![1]!;
  await until('Math.abs(window.softphone.heardHz() - 440) < 12', 30_000);
  t.log(`the page hears ${await inPage<number>('window.softphone.heardHz()')} Hz`);
  await inPage(`window.softphone.dtmf('5')`);
  await waitFor(() => server.output().includes(`dtmf ${id}: 5`), 30_000, 'the digit at auto-answer');
  await inPage('window.softphone.hold()');
  await waitFor(() => server.output().includes(`held ${id}`), 30_000, 'held');
  await until('window.softphone.state.held === true');
  await inPage('window.softphone.unhold()');
  await waitFor(() => server.output().includes(`resumed ${id}`), 30_000, 'resumed');
  await until('window.softphone.state.held === false');
  // Three seconds of audio each way after the resume (the page counts what it receives), then hang up.
  const received = await inPage<number>('window.softphone.quality.packetsReceived ?? 0');
  await until(`window.softphone.quality.packetsReceived > ${received + 150}`, 30_000);
  await until('window.softphone.quality.mos > 3.5', 30_000);
  t.log(`page quality: ${JSON.stringify(await inPage('window.softphone.quality'))}`);
  await inPage('window.softphone.hangup()');
  await waitFor(() => server.output().includes(`ended ${id}`), 30_000, 'the call ended at auto-answer');
  await until(`window.softphone.state.status === 'call ended'`);
  const ops = OPS.exec(server.output())![1]!;
  const stats = await (await fetch(`${ops}/stats`)).json() as { active: number };
  t.is(stats.active, 0, 'nothing left live');
  // What auto-answer heard: the left channel of its recording (the caller), after the first second.
  const file = readdirSync(dir).find((f) => f.startsWith(id) && f.endsWith('.wav'));
  await waitFor(() => file !== undefined, 10_000, 'the recording');
  const bytes = readFileSync(path.join(dir, file!));
  const data = bytes.indexOf('data') + 8;
  const pcm = new Int16Array(bytes.buffer.slice(bytes.byteOffset + data, bytes.byteOffset + bytes.length));
  const left = pcm.filter((_, i) => i % 2 === 0).subarray(4000);
  t.like(dominantFrequency(left, [440, 1000]), { frequencyHz: 1000 });
  t.deepEqual(phone.problems, []);
});
