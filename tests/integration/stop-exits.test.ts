/**
 * A graceful stop leaves nothing behind that keeps Node alive: a process
 * whose coordinators hold an answered call, a ringing one and one dialing a
 * silent peer stops them and exits on its own, promptly.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(root, 'tests/fixtures/processes/stop-with-live-calls.ts');

test('stop(): with calls answered, ringing and dialing a silent peer, stop() resolves within a second and the process then exits by itself', async (t) => {
  // The silent peer: it receives the INVITE and never answers.
  const silent = createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
  t.teardown(() => silent.close());
  let invites = 0;
  silent.on('message', () => invites++);
  const child = spawn(
    process.execPath, ['--import', 'tsx/esm', script, String(silent.address().port)],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  let stoppedAt = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (stoppedAt === 0 && /stopped in/.test(output)) stoppedAt = performance.now();
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const lingeredMs = performance.now() - stoppedAt;
  clearTimeout(killer);
  t.is(code, 0, output);
  t.regex(output, /calls Connected Ringing Dialing/);
  t.true(invites >= 1, 'the silent peer got the INVITE');
  const stopMs = Number(/stopped in (\d+) ms/.exec(output)?.[1]);
  t.true(stopMs < 1_000, `stop() took ${stopMs} ms`);
  t.true(lingeredMs < 1_000, `the process lived ${Math.round(lingeredMs)} ms after stop() resolved`);
});
