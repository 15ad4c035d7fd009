/**
 * SIPp registers 1,000 users at examples/registrar.ts with Digest (its
 * [authentication] keyword), all bound to one SIPp callee; a SIPp caller that
 * authenticates too then calls every one of them by address of record.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { startExample } from '../support/example-process.js';
import { listeningSipp, requireSipp, runSipp } from '../support/sipp.js';
import { waitFor } from '../support/wait.js';

const scenarios = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sipp');
const USERS = 1_000;
const name = (i: number): string => `u${String(i).padStart(4, '0')}`;

test(`SIPp registers ${USERS} users at examples/registrar.ts with Digest, then calls each by AOR through it: every registration and call succeeds`, async (t) => {
  if (!requireSipp(t)) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'registrar-users-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const users = Array.from({ length: USERS }, (_, i) => `${name(i)}:pw-${i}`);
  writeFileSync(path.join(dir, 'users'), `# generated for the test\n${users.join('\n')}\ncaller:c4ll3r\n`, { mode: 0o600 });
  const pbx = await startExample('registrar', [
    '--port', '0', '--users-file', path.join(dir, 'users'), '--digest', 'MD5', '--media-ports', '49000-49999',
  ], /registrar listening on 127\.0\.0\.1 \(udp:(\d+)\)/);
  t.teardown(() => pbx.child.kill('SIGKILL'));
  const port = /udp:(\d+)/.exec(pbx.output())![1]!;
  t.regex(pbx.output(), new RegExp(`${USERS + 1} users`));

  const callee = await listeningSipp(() => [
    '-sf', path.join(scenarios, 'uas-answers.xml'), '-m', String(USERS), '-i', '127.0.0.1', '-timeout', '180s',
  ], 200_000);
  const registrations = Array.from({ length: USERS }, (_, i) => (
    `${name(i)};pw-${i};[authentication username=${name(i)} password=pw-${i}];`
  ));
  const registered = await runSipp([
    '-sf', path.join(scenarios, 'register-digest.xml'), '-inf', 'users.csv', '-key', 'callee', String(callee.port),
    '-m', String(USERS), '-r', '250', '-l', '100', '-i', '127.0.0.1', '-timeout', '60s', '-timeout_error',
    `127.0.0.1:${port}`,
  ], 90_000, { 'users.csv': Buffer.from(`SEQUENTIAL\n${registrations.join('\n')}\n`) });
  t.is(registered.successful, USERS, registered.errors || registered.stdout.slice(-1500));
  await waitFor(() => (pbx.output().match(/^registered /gm)?.length ?? 0) === USERS, 30_000, 'every binding');

  const callees = Array.from({ length: USERS }, (_, i) => (
    `${name(i)};-;caller;[authentication username=caller password=c4ll3r];`
  ));
  const calls = await runSipp([
    '-sf', path.join(scenarios, 'uac-digest-call.xml'), '-inf', 'callees.csv', '-m', String(USERS), '-r', '100',
    '-l', '80', '-i', '127.0.0.1', '-timeout', '120s', '-timeout_error', `127.0.0.1:${port}`,
  ], 150_000, { 'callees.csv': Buffer.from(`SEQUENTIAL\n${callees.join('\n')}\n`) });
  t.is(calls.successful, USERS, calls.errors || calls.stdout.slice(-1500));
  const called = await callee.done;
  t.is(called.successful, USERS, called.errors || called.stdout.slice(-1500));
  pbx.child.kill('SIGTERM');
  t.is(await pbx.exited, 0, pbx.output().slice(-2000));
  t.regex(pbx.output(), new RegExp(`stopping after ${USERS} bridged calls`));
  t.false(readFileSync(path.join(dir, 'users'), 'utf8').length === 0);
});
