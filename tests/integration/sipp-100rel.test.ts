/**
 * Reliable provisionals (RFC 3262) with SIPp: its caller requires 100rel of examples/auto-answer.ts, whose
 * 180 goes reliably and whose 2xx waits for the PRACK (SIPp sends it after the answer is ready).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { startExample } from '../support/example-process.js';
import { requireSipp, runSipp } from '../support/sipp.js';

const scenarios = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sipp');
const SIP = /listening on 127\.0\.0\.1:(\d+)/;

test('SIPp requires 100rel of auto-answer.ts: 100 calls with a reliable 180, PRACK, the 2xx held until it, none failed', async (t) => {
  if (!requireSipp(t)) return;
  const server = await startExample('auto-answer', [
    '--port', '0', '--no-media', '--answer-after', '100', '--quiet',
  ], SIP);
  t.teardown(() => server.child.kill('SIGKILL'));
  const port = SIP.exec(server.output())![1]!;
  const result = await runSipp(['-sf', path.join(scenarios, 'uac-100rel.xml'), '-s', 'reliable', '-m', '100',
    '-r', '50', '-l', '100', '-i', '127.0.0.1', '-timeout', '60s', '-timeout_error', `127.0.0.1:${port}`], 90_000);
  t.is(result.failed, 0, result.errors || result.stdout.slice(-1500));
  t.is(result.successful, 100);
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0, server.output().slice(-1000));
});
