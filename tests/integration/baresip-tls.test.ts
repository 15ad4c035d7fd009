/**
 * baresip over TLS with mandatory SRTP (RTP/SAVP, SDES keys), both ways,
 * against the examples as users run them. Certificates come from a private
 * authority made for the run; the files live in temporary folders.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { createAuthority } from '../../examples/support/certificates.js';
import { heardTone, requireBaresip, startBaresip } from '../support/baresip.js';
import { runExample, startExample } from '../support/example-process.js';
import { freeSipPort } from '../support/ports.js';
import { reached, waitFor } from '../support/wait.js';

const ca = createAuthority();
const issue = () => ca.issue({ commonName: 'localhost', names: ['localhost', '127.0.0.1'] });

/** Our certificate files for an example (removed after the test). */
const ourFiles = (t: ExecutionContext): readonly string[] => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ours = issue();
  const at = (name: string, text: string): string => {
    writeFileSync(path.join(dir, name), text, { mode: 0o600 });
    return path.join(dir, name);
  };
  return ['--tls-cert', at('cert.pem', ours.cert), '--tls-key', at('key.pem', ours.key), '--tls-ca', at('ca.pem', ca.cert)];
};

const phoneTls = (): { certificateAndKey: string; ca: string } => {
  const phone = issue();
  return { certificateAndKey: phone.cert + phone.key, ca: ca.cert };
};

test('baresip over TLS with mandatory SRTP calls examples/auto-answer.ts --transport tls --srtp required: RTP/SAVP with SDES keys, baresip decrypts and hears our 440 Hz, its BYE ends the call cleanly', async (t) => {
  if (!requireBaresip(t)) return;
  const server = await startExample('auto-answer', [
    '--port', '0', '--transport', 'tls', '--srtp', 'required', '--media-ports', '46000-46499', ...ourFiles(t),
  ], /listening on 127\.0\.0\.1:(\d+)/);
  t.teardown(() => server.child.kill('SIGKILL'));
  const port = /listening on 127\.0\.0\.1:(\d+)/.exec(server.output())![1];
  const phone = await startBaresip({
    sipPort: 0, rtpPorts: [46500, 46999], answerMode: 'manual', toneHz: 1000, tls: phoneTls(),
    mediaEncryption: 'srtp-mand',
  });
  t.teardown(() => phone.stop());
  // baresip 1.0 dials sips: URIs as sip:sips:…; transport=tls is its way to ask for TLS.
  phone.keys(`/dial sip:service@127.0.0.1:${port};transport=tls\n`);
  await phone.waitFor(/Call established/, 30_000);
  await waitFor(() => /answered sess-/.test(server.output()), 30_000, 'auto-answer answered');
  // A second and a half of our audio decrypted and decoded at baresip (16-bit samples at 8 kHz), then it hangs up.
  await reached(() => phone.decodedBytes(), 44 + 2 * 12_000, 'audio decoded at baresip');
  phone.keys('b');
  await waitFor(() => /ended sess-\S+: Remote hangup/.test(server.output()), 30_000, 'the BYE over TLS');
  t.is(heardTone(await phone.decodedAudio()), 440, 'baresip decrypted and heard our 440 Hz');
  t.regex(phone.output(), /srtp|SRTP/, 'baresip reports SRTP');
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0, server.output());
});

test('examples/call.ts calls baresip over TLS with SRTP required: baresip\'s certificate verified against the authority, the call is encrypted, baresip hears the 440 Hz tone and the DTMF', async (t) => {
  if (!requireBaresip(t)) return;
  // baresip listens for TLS on its SIP port + 1: find a pair that is free.
  let sipPort = await freeSipPort();
  for (let i = 0; i < 20 && (sipPort + 1) % 65536 === 0; i++) sipPort = await freeSipPort();
  const phone = await startBaresip({
    sipPort, rtpPorts: [47000, 47499], answerMode: 'auto', toneHz: 1000, tls: phoneTls(),
    mediaEncryption: 'srtp-mand',
  });
  t.teardown(() => phone.stop());
  const call = await runExample('call', [
    `sips:phone@127.0.0.1:${sipPort + 1}`, '--srtp', 'required', '--duration', '2000', '--dtmf', '42', ...ourFiles(t),
  ]);
  t.is(call.code, 0, call.output);
  t.regex(call.output, /media: SRTP AES_CM_128_HMAC_SHA1_(80|32)/);
  t.regex(call.output, /RTP packets, received [1-9]\d*,/);
  await phone.waitFor(/terminated/);
  t.regex(phone.output(), /received event: '4' \(end=1\)[\s\S]*received event: '2' \(end=1\)/);
  t.is(heardTone(await phone.decodedAudio()), 440);
});
