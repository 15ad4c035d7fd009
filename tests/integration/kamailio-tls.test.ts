/**
 * Kamailio with its TLS module as the proxy and registrar between our UAC and
 * UAS, every hop over TLS, media SRTP end to end. Certificates are made for
 * the run; the files live in temporary folders.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import test from 'ava';
import { createAuthority } from '../../examples/support/certificates.js';
import { runExample, startExample } from '../support/example-process.js';
import { requireKamailio, startKamailio } from '../support/kamailio.js';
import { waitFor } from '../support/wait.js';

test('Kamailio over TLS: auto-answer registers over TLS, call.ts reaches its AOR through the proxy with every hop on TLS and SRTP media, DTMF heard, the binding removed at SIGTERM', async (t) => {
  if (!requireKamailio(t)) return;
  const ca = createAuthority();
  const issue = () => ca.issue({ commonName: 'localhost', names: ['localhost', '127.0.0.1'] });
  const kamailio = await startKamailio('s3cret', { tls: issue() });
  t.teardown(() => kamailio.stop());
  const dir = mkdtempSync(path.join(tmpdir(), 'tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ours = issue();
  const file = (name: string, text: string): string => {
    writeFileSync(path.join(dir, name), text, { mode: 0o600 });
    return path.join(dir, name);
  };
  const tls = ['--tls-cert', file('cert.pem', ours.cert), '--tls-key', file('key.pem', ours.key), '--tls-ca', file('ca.pem', ca.cert)];
  const proxy = `127.0.0.1:${kamailio.tlsPort}`;
  const aor = `sips:alice@${proxy}`;
  const server = await startExample('auto-answer', [
    '--port', '0', '--transport', 'tls', '--srtp', 'required', '--media-ports', '48000-48499',
    '--register', `sips:${proxy}`, '--aor', aor, '--user', 'alice', ...tls,
  ], /registration of .*: Registered/, 30_000, { SESSION_CORE_PASSWORD: 's3cret' });
  t.teardown(() => server.child.kill('SIGKILL'));
  const call = await runExample('call', [aor, '--srtp', 'required', '--duration', '1000', '--dtmf', '31', ...tls]);
  t.is(call.code, 0, call.output);
  t.regex(call.output, /media: SRTP AES_CM_128_HMAC_SHA1_(80|32)/);
  t.regex(call.output, /RTP packets, received [1-9]\d*,/);
  await waitFor(() => /dtmf \S+: 1/.test(server.output()), 30_000, 'the DTMF at auto-answer');
  const log = kamailio.output();
  t.regex(log, /request REGISTER sips?:\S+ from tls:127\.0\.0\.1:/);
  t.regex(log, /request INVITE sips:alice@\S+ from tls:127\.0\.0\.1:/);
  t.regex(log, /request BYE \S+ from tls:127\.0\.0\.1:/);
  t.notRegex(log, /from (udp|tcp):127\.0\.0\.1:/, 'nothing reached the proxy over UDP or TCP');
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0, server.output());
  // Unregistered on the way out: the AOR now leads nowhere.
  const after = await runExample('call', [aor, '--timeout', '5000', ...tls]);
  t.is(after.code, 1, after.output);
  t.regex(after.output, /404/);
});
