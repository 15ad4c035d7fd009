import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { WeriftDtlsEngine } from '../../../adapters/node/werift-dtls.js';
import type { DtlsAssociation } from '../../../ports/dtls.js';

/** Two associations wired back to back, as ICE's selected pair would carry them (each datagram a turn later). */
const pair = (
  client: WeriftDtlsEngine, server: WeriftDtlsEngine, expectedByClient = server.fingerprint,
): { a: DtlsAssociation; b: DtlsAssociation } => {
  let a: DtlsAssociation | undefined;
  let b: DtlsAssociation | undefined;
  b = server.associate('server', [client.fingerprint], (bytes) => setImmediate(() => a?.receive(bytes.slice())));
  a = client.associate('client', [expectedByClient], (bytes) => setImmediate(() => b?.receive(bytes.slice())));
  return { a, b };
};

test('DTLS-SRTP on werift: a handshake exports the same SRTP keys on both sides, crossed', async (t) => {
  const [one, two] = await Promise.all([WeriftDtlsEngine.create(), WeriftDtlsEngine.create()]);
  t.is(one.fingerprint.algorithm, 'sha-256');
  t.regex(one.fingerprint.value, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  const { a, b } = pair(one, two);
  const [client, server] = await Promise.all([a.established, b.established]);
  if (E.isLeft(client) || E.isLeft(server)) return t.fail(JSON.stringify([client, server]));
  t.is(client.right.local.length, 30);
  t.deepEqual(client.right.local, server.right.remote);
  t.deepEqual(client.right.remote, server.right.local);
  a.close();
  b.close();
});

test('DTLS-SRTP on werift: a certificate that matches no fingerprint of the SDP is refused', async (t) => {
  const [one, two] = await Promise.all([WeriftDtlsEngine.create(), WeriftDtlsEngine.create()]);
  const forged = { algorithm: 'sha-256', value: one.fingerprint.value };
  const { a, b } = pair(one, two, forged);
  const client = await a.established;
  t.true(E.isLeft(client));
  if (E.isLeft(client)) t.is(client.left.reason, 'FingerprintMismatch');
  a.close();
  b.close();
});
