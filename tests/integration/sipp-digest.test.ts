import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { runExample, startExample } from '../support/example-process.js';
import { listeningSipp, requireSipp, runSipp } from '../support/sipp.js';

const scenarios = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sipp');

/** SIPp as a callee that challenges with 401 (Digest MD5, qop=auth) and checks the answer with its own verifyauth. */
const challengingCallee = (calls = 1): Promise<{ port: number; done: ReturnType<typeof runSipp> }> => listeningSipp(
  () => ['-sf', path.join(scenarios, 'uas-digest.xml'), '-m', String(calls), '-t', 'u1', '-i', '127.0.0.1', '-timeout', '30s'],
  40_000,
);

test('examples/call.ts --user/--password answers SIPp\'s 401 with Digest credentials SIPp accepts; a wrong password ends in 403, exit 1', async (t) => {
  if (!requireSipp(t)) return;
  const good = await challengingCallee();
  const call = await runExample(
    'call', [`sip:service@127.0.0.1:${good.port}`, '--duration', '300', '--user', 'alice', '--password', 'secret'],
  );
  t.is(call.code, 0, call.output);
  t.regex(call.output, /answered[\s\S]*hung up/);
  const accepted = await good.done;
  t.is(accepted.successful, 1, `${accepted.stdout.slice(-1000)}\n${accepted.errors}`);

  const bad = await challengingCallee();
  const refused = await runExample(
    'call', [`sip:service@127.0.0.1:${bad.port}`, '--user', 'alice', '--timeout', '5000'], 20_000,
    { SESSION_CORE_PASSWORD: 'guess' },
  );
  t.is(refused.code, 1, refused.output);
  t.regex(refused.output, /call failed: Rejected: rejected with 403/);
  t.is((await bad.done).failed, 1, 'SIPp saw the wrong answer');
});

test('examples/b2bua.ts --user/--password: the outgoing leg answers the callee\'s 401; 20 SIPp calls through it, none failed', async (t) => {
  if (!requireSipp(t)) return;
  const callee = await challengingCallee(20);
  const b2bua = await startExample('b2bua', [
    '--port', '0', '--target', `sip:service@127.0.0.1:${callee.port}`, '--media-ports', '56000-56999', '--user',
    'alice',
  ],
    /listening on 127\.0\.0\.1:(\d+)/, 20_000, { SESSION_CORE_PASSWORD: 'secret' });
  t.teardown(() => b2bua.child.kill('SIGKILL'));
  const port = /listening on 127\.0\.0\.1:(\d+)/.exec(b2bua.output())![1]!;
  const caller = await runSipp(
    [
      '-sn', 'uac', '-m', '20', '-r', '10', '-t', 'u1', '-i', '127.0.0.1', '-timeout', '30s', '-timeout_error',
      `127.0.0.1:${port}`,
    ],
    40_000,
  );
  const called = await callee.done;
  t.is(caller.successful, 20, caller.errors || caller.stdout.slice(-1000));
  t.is(called.successful, 20, called.errors || called.stdout.slice(-1000));
  b2bua.child.kill('SIGTERM');
  t.is(await b2bua.exited, 0);
});

/** Resolves once `pattern` has matched `count` times in the growing output (or rejects after `ms`). */
const seen = (output: () => string, pattern: RegExp, count: number, ms: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if ((output().match(new RegExp(pattern.source, 'g')) ?? []).length >= count) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > ms) {
        clearInterval(poll);
        reject(new Error(`not seen ${count}× ${pattern}: ${output()}`));
      }
    }, 20);
  });

test('examples/auto-answer.ts --register: SIPp as registrar challenges every REGISTER and verifies the answers; one refresh, then Expires: 0 at SIGTERM', async (t) => {
  if (!requireSipp(t)) return;
  const registrarArgs = (): string[] => [
    '-sf', path.join(scenarios, 'registrar.xml'), '-m', '1', '-t', 'u1', '-i', '127.0.0.1', '-timeout', '30s',
  ];
  const { port, done: registrar } = await listeningSipp(registrarArgs, 40_000);
  const server = await startExample('auto-answer', [
    '--port', '0', '--register', `sip:127.0.0.1:${port}`, '--user', 'alice', '--expires', '60', '--quiet',
  ],
    /Registered \(expires 6 s\)/, 20_000, { SESSION_CORE_PASSWORD: 'secret' });
  t.teardown(() => server.child.kill('SIGKILL'));
  await seen(server.output, /Registered \(expires 6 s\)/, 2, 10_000);
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0);
  t.regex(server.output(), /Unregistered/);
  const result = await registrar;
  t.is(result.successful, 1, `${result.stdout.slice(-1000)}\n${result.errors}`);

  const { port: refusingPort, done: refusing } = await listeningSipp(registrarArgs, 40_000);
  const refused = await runExample(
    'auto-answer', ['--port', '0', '--register', `sip:127.0.0.1:${refusingPort}`, '--user', 'alice', '--quiet'], 20_000,
    { SESSION_CORE_PASSWORD: 'guess' },
  );
  t.is(refused.code, 1, refused.output);
  t.regex(refused.output, /registration failed: rejected with 403/);
  t.is((await refusing).failed, 1);
});
