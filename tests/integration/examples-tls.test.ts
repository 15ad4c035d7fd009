/**
 * The examples over TLS with SRTP, as a user runs them: certificate files
 * made at test time in a temporary folder, removed afterwards.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import test from 'ava';
import { createAuthority } from '../../examples/support/certificates.js';
import { runExample, startExample } from '../support/example-process.js';
import { waitFor } from '../support/wait.js';

const files = (): { dir: string; cert: string; key: string; ca: string } => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tls-'));
  const ca = createAuthority();
  const leaf = ca.issue({ commonName: 'localhost', names: ['localhost', '127.0.0.1'] });
  const at = (name: string, text: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, text, { mode: 0o600 });
    return file;
  };
  return { dir, cert: at('cert.pem', leaf.cert), key: at('key.pem', leaf.key), ca: at('ca.pem', ca.cert) };
};

const LISTENING = /listening on 127\.0\.0\.1:(\d+)/;

test('examples over TLS with SRTP required: call.ts sips: reaches auto-answer --transport tls --srtp required with certificates from files, verified; the call is encrypted and ends cleanly', async (t) => {
  const pem = files();
  t.teardown(() => rmSync(pem.dir, { recursive: true, force: true }));
  const server = await startExample('auto-answer', [
    '--port', '0', '--transport', 'tls', '--srtp', 'required', '--tls-cert', pem.cert, '--tls-key', pem.key,
    '--tls-ca', pem.ca, '--media-ports', '45000-45499',
  ], LISTENING);
  t.teardown(() => server.child.kill('SIGKILL'));
  const port = LISTENING.exec(server.output())![1];
  const call = await runExample('call', [
    `sips:service@127.0.0.1:${port}`, '--srtp', 'required', '--tls-cert', pem.cert, '--tls-key', pem.key,
    '--tls-ca', pem.ca, '--duration', '1000', '--dtmf', '42',
  ]);
  t.is(call.code, 0, call.output);
  t.regex(call.output, /answered[\s\S]*sent DTMF 42[\s\S]*hung up/);
  t.regex(call.output, /SRTP AES_CM_128_HMAC_SHA1_80/);
  t.regex(call.output, /RTP packets, received [1-9]\d*,/);
  await waitFor(() => /dtmf sess-\S+: 2/.test(server.output()), 30_000, 'the digits at auto-answer');
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0, server.output());
});

test('examples over TLS: a server certificate the caller cannot verify fails the call with the reason (exit 1); --tls-insecure connects; plaintext SRTP policies that cannot meet end in 488', async (t) => {
  const server = await startExample(
    'auto-answer', ['--port', '0', '--transport', 'tls', '--srtp', 'required', '--media-ports', '45500-45999'],
    LISTENING,
  );
  t.teardown(() => server.child.kill('SIGKILL'));
  t.regex(server.output(), /self-signed certificate made for this run/);
  const port = LISTENING.exec(server.output())![1];
  const target = `sips:service@127.0.0.1:${port}`;
  const refused = await runExample('call', [target, '--srtp', 'required']);
  t.is(refused.code, 1, refused.output);
  t.regex(refused.output, /self[- ]signed certificate/i);
  const plain = await runExample('call', [target, '--tls-insecure']);
  t.is(plain.code, 1, plain.output);
  t.regex(plain.output, /488/);
  const insecure = await runExample('call', [target, '--tls-insecure', '--srtp', 'optional', '--duration', '500']);
  t.is(insecure.code, 0, insecure.output);
  t.regex(insecure.output, /SRTP AES_CM_128_HMAC_SHA1_80/);
  const badFile = await runExample('call', [target, '--tls-cert', '/nonexistent.pem', '--tls-key', '/nonexistent.key']);
  t.is(badFile.code, 2);
  t.regex(badFile.output, /tls\.cert: cannot read \/nonexistent\.pem/);
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0, server.output());
});
