import { isIP, type Socket } from 'node:net';
import {
  checkServerIdentity, connect, createServer, type PeerCertificate, type TLSSocket,
} from 'node:tls';
import * as E from 'fp-ts/lib/Either.js';
import type { Endpoint } from '../../domain/transport/endpoint.js';
import { transportError, type TransportError } from '../../domain/transport/transport-error.js';
import { StreamSipTransport, type StreamListenOptions, type StreamSockets } from './stream-sip-transport.js';

/** Certificates and policy for SIP over TLS, PEM text already read. */
export interface TlsMaterial {
  /** Our certificate chain and key: what we present as a server, and as a client when a peer asks. */
  readonly cert: string;
  readonly key: string;
  /** Authorities to trust; the system's store when absent. */
  readonly ca?: string;
  /** Verify the certificates peers present (default true); false is an explicit opt-out for labs and tests. */
  readonly verifyPeer?: boolean;
  /** The name outbound certificates must carry and SNI sends, instead of the target's host. */
  readonly serverName?: string;
  /** Ask incoming connections for a certificate and refuse those without a valid one (mutual TLS). */
  readonly requireClientCert?: boolean;
  /** A handshake not finished within this is abandoned (default 10 s). */
  readonly handshakeTimeoutMs?: number;
}

export type TlsSipTransport = StreamSipTransport;

/** Errors that mean "the certificate did not verify", not "the network failed". */
const CERTIFICATE_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|HOSTNAME|ISSUER|SIGNATURE|EXPIRED/;

const describeTlsError = (target: Endpoint, error: NodeJS.ErrnoException): TransportError => {
  const code = error.code ?? '';
  const where = `${target.host}:${target.port}`;
  if (CERTIFICATE_ERRORS.test(code)) return transportError(
    'TlsFailed', `the certificate of ${where} was refused: ${error.message} (${code})`,
  );
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND') {
    return transportError('ConnectFailed', `${where}: ${error.message}`);
  }
  return transportError('TlsFailed', `TLS with ${where} failed: ${error.message}${code === '' ? '' : ` (${code})`}`);
};

const tlsSockets = (material: TlsMaterial): StreamSockets => {
  const verify = material.verifyPeer ?? true;
  const handshakeTimeout = material.handshakeTimeoutMs ?? 10_000;
  const common = {
    cert: material.cert, key: material.key, minVersion: 'TLSv1.2' as const,
    ...(material.ca === undefined ? {} : { ca: material.ca }),
  };
  return {
    protocol: 'tls',
    createServer: (events) => {
      const refused = new WeakSet<Socket>();
      const server = createServer({
        ...common, handshakeTimeout,
        requestCert: material.requireClientCert === true, rejectUnauthorized: material.requireClientCert === true,
      });
      server.on('connection', (raw: Socket) => {
        events.raw(raw);
        if (raw.destroyed) refused.add(raw);
      });
      server.on('secureConnection', (socket: TLSSocket) => events.ready(socket, socket));
      server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: TLSSocket) => {
        // A connection refused at the door is counted there, not again as a failed handshake.
        if (!refused.has(socket)) events.failed(`${error.code ?? 'TLS'}: ${error.message}`, socket);
        socket.destroy();
      });
      return server;
    },
    connect: (target, timeoutMs) => new Promise<E.Either<TransportError, Socket>>((resolve) => {
      const name = material.serverName ?? target.host;
      const socket = connect({
        ...common, host: target.host, port: target.port, rejectUnauthorized: verify,
        // SNI carries names, never addresses (RFC 6066 §3).
        ...(isIP(name) === 0 ? { servername: name } : {}),
        // RFC 5922: the certificate must name the host we meant to reach (subjectAltName first).
        checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(name, cert),
      });
      socket.setNoDelay(true);
      const timer = setTimeout(() => socket.destroy(Object.assign(
        new Error(`no TLS session within ${Math.min(timeoutMs, handshakeTimeout)} ms`), { code: 'ETIMEDOUT' },
      )), Math.min(timeoutMs, handshakeTimeout));
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(E.left(describeTlsError(target, error)));
      });
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(E.right(socket));
      });
    }),
  };
};

/**
 * SIP over TLS (node:tls, RFC 3261 §26, RFC 5630): the stream transport with
 * a handshake before each connection carries SIP. Peers' certificates are
 * verified by default against `ca` (or the system store) and, outbound, must
 * name the host we connect to (RFC 5922). A failed handshake — plaintext on
 * the port, a refused certificate, a peer that never finishes — is counted
 * (`dropped.HandshakeFailed`) and its socket closed.
 */
export const TlsSipTransport = {
  listen: (options: StreamListenOptions, material: TlsMaterial): ReturnType<typeof StreamSipTransport.listen> =>
    StreamSipTransport.listen(options, tlsSockets(material)),
};
