import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import * as E from 'fp-ts/lib/Either.js';
import type { SessionConfig } from '../../application/session/session-config.js';
import type { SessionError } from '../../domain/session/session-error.js';
import type { TlsMaterial } from './tls-sip-transport.js';

const invalid = (field: string, message: string): SessionError => ({
  kind: 'InvalidConfig', field, message: `${field}: ${message}`,
});

/** PEM text as given, or the contents of the file it names; a field that is neither says which and why. */
const pem = (field: string, value: string): E.Either<SessionError, string> => {
  if (value.includes('-----BEGIN ')) return E.right(value);
  let text: string;
  try {
    text = readFileSync(value, 'utf8');
  } catch (error) {
    return E.left(invalid(field, `cannot read ${value}: ${(error as Error).message}`));
  }
  return text.includes('-----BEGIN ') ? E.right(text) : E.left(invalid(field, `${value} holds no PEM block`));
};

/**
 * The TLS settings of a configuration as the transport takes them: files
 * read, and the certificate, key and authorities loaded once to prove they
 * are usable (a key that does not match its certificate is caught here, at
 * build(), not at the first call).
 */
export const tlsMaterial = (tls: NonNullable<SessionConfig['tls']>): E.Either<SessionError, TlsMaterial> => {
  if (tls.cert === undefined || tls.key === undefined) return E.left(invalid(
    tls.cert === undefined ? 'tls.cert' : 'tls.key',
    'SIP over TLS needs a certificate and its key (withTls({ cert, key })): it also listens for peers',
  ));
  const cert = pem('tls.cert', tls.cert);
  if (E.isLeft(cert)) return cert;
  const key = pem('tls.key', tls.key);
  if (E.isLeft(key)) return key;
  const ca = tls.ca === undefined ? undefined : pem('tls.ca', tls.ca);
  if (ca !== undefined && E.isLeft(ca)) return ca;
  try {
    createSecureContext({ cert: cert.right, key: key.right, ...(ca === undefined ? {} : { ca: ca.right }) });
  } catch (error) {
    const reason = (error as Error).message;
    return E.left(invalid('tls.cert', `the certificate, key or authorities are not usable: ${reason}`));
  }
  return E.right({
    cert: cert.right, key: key.right,
    ...(ca === undefined ? {} : { ca: ca.right }),
    ...(tls.verifyPeer === undefined ? {} : { verifyPeer: tls.verifyPeer }),
    ...(tls.serverName === undefined ? {} : { serverName: tls.serverName }),
    ...(tls.requireClientCert === undefined ? {} : { requireClientCert: tls.requireClientCert }),
    ...(tls.handshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs: tls.handshakeTimeoutMs }),
  });
};
