/**
 * Operating it: examples/auto-answer.ts --http serves /metrics, /health and /ready. After SIPp places
 * 1,000 calls, some refused at the session limit, /metrics parses under Prometheus' rules and its counters
 * match what SIPp saw; a token guards the endpoint when given, and is required off loopback.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import test from 'ava';
import { runExample, startExample } from '../support/example-process.js';
import { parseExposition } from '../support/prometheus-text.js';
import { requireSipp, runSipp } from '../support/sipp.js';
import { underLoadLock } from '../support/load-lock.js';

const OPS = /operations on http:\/\/127\.0\.0\.1:(\d+)/;
const SIP = /listening on 127\.0\.0\.1:(\d+)/;

test('SIPp places 1,000 calls at auto-answer.ts --http, some refused at --max-sessions: /metrics parses and counts them right', (t) => underLoadLock(async () => {
  if (!requireSipp(t)) return;
  const server = await startExample('auto-answer', [
    '--port', '0', '--no-media', '--media-ports', '57000-57099', '--max-sessions', '20', '--http', '127.0.0.1:0',
    '--quiet',
  ], SIP); // printed after the operations line: both are there then
  t.teardown(() => server.child.kill('SIGKILL'));
  const sipPort = SIP.exec(server.output())![1]!;
  const base = `http://127.0.0.1:${OPS.exec(server.output())![1]}`;
  // 100 calls/s: the load of a real exporter test without starving whatever test shares the machine.
  const sipp = await runSipp(['-sn', 'uac', '-m', '1000', '-r', '100', '-d', '400', '-t', 'u1', '-i', '127.0.0.1',
    '-timeout', '60s', '-timeout_error', `127.0.0.1:${sipPort}`], 90_000);
  t.is(sipp.successful + sipp.failed, 1000, sipp.stdout.slice(-800));
  t.true(sipp.failed > 0, 'the limit refused some calls');
  const read = async () => parseExposition(await (await fetch(`${base}/metrics`)).text());
  // The last BYEs may still be in flight when SIPp exits: read until every answered call has ended.
  let exposition = await read();
  for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
    if (exposition.sum('sessioncore_calls_total', { outcome: 'answered' }) >= sipp.successful) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
    exposition = await read();
  }
  t.is(exposition.types.get('sessioncore_calls_total'), 'counter');
  t.is(exposition.sum('sessioncore_calls_total', { outcome: 'answered', status_class: '2xx' }), sipp.successful);
  t.is(exposition.sum('sessioncore_calls_refused', { limit: 'maxSessions' }), sipp.failed);
  t.is(exposition.sum('sessioncore_call_setup_seconds_count'), sipp.successful);
  t.true(exposition.sum('sessioncore_sip_messages_total', { direction: 'in', method: 'INVITE' }) >= 1000);
  t.true(exposition.sum('sessioncore_sip_messages_total', { direction: 'out', status_class: '5xx' }) >= sipp.failed);
  t.true(exposition.samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds'));
  t.true(exposition.samples.some((s) => s.name === 'nodejs_heap_size_used_bytes'));
  const health = await (await fetch(`${base}/health`)).json() as Record<string, unknown>;
  t.like(health, { status: 'ok', sip: { running: true } });
  t.true((health['total'] as number) >= sipp.successful);
  t.is((await fetch(`${base}/ready`)).status, 200);
  t.is((await fetch(`${base}/nothing`)).status, 404);
}));

test('--http with a token: requests without it get 401; off loopback, no token refuses to start', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ops-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'token'), 's3cret-token\n', { mode: 0o600 });
  const server = await startExample('auto-answer', [
    '--port', '0', '--no-media', '--http', '127.0.0.1:0', '--http-token-file', path.join(dir, 'token'),
  ], OPS);
  t.teardown(() => server.child.kill('SIGKILL'));
  const base = `http://127.0.0.1:${OPS.exec(server.output())![1]}`;
  t.is((await fetch(`${base}/health`)).status, 401);
  t.is((await fetch(`${base}/health`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
  t.is((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer s3cret-token' } })).status, 200);
  const open = await runExample('auto-answer', ['--port', '0', '--no-media', '--http', '0.0.0.0:0'], 30_000,
    { SESSION_CORE_HTTP_TOKEN: '' });
  t.is(open.code, 2);
  t.regex(open.output, /refusing to serve HTTP on 0\.0\.0\.0 without a token/);
});
