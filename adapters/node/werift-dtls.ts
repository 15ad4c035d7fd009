import { createHash, X509Certificate } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { DtlsFingerprint } from '../../domain/sdp/webrtc.js';
import type { DtlsAssociation, DtlsEngine, DtlsFailure, DtlsSrtpKeys } from '../../ports/dtls.js';

type Werift = typeof import('werift');
type DtlsSocket = InstanceType<Werift['DtlsServer']> | InstanceType<Werift['DtlsClient']>;

/** SRTP_AES128_CM_HMAC_SHA1_80 (RFC 5764 §4.1.2): the profile our SRTP implements and browsers offer. */
const SRTP_AES128_CM_HMAC_SHA1_80 = 0x0001;

const HASHES: Readonly<Record<string, string>> = {
  'sha-1': 'sha1', 'sha-224': 'sha224', 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512',
};

/** `sha-256 AB:CD:…` of a DER certificate (RFC 8122 §5). */
export const certificateFingerprint = (der: Uint8Array, algorithm = 'sha-256'): DtlsFingerprint | undefined => {
  const hash = HASHES[algorithm.toLowerCase()];
  if (hash === undefined) return undefined;
  const hex = createHash(hash).update(der).digest('hex').toUpperCase();
  return { algorithm: algorithm.toLowerCase(), value: hex.match(/../g)!.join(':') };
};

/** Whether a certificate matches one of the fingerprints its peer's SDP gave (any hash we know). */
export const matchesFingerprint = (der: Uint8Array, expected: ReadonlyArray<DtlsFingerprint>): boolean =>
  expected.some((f) => certificateFingerprint(der, f.algorithm)?.value === f.value.toUpperCase());

/**
 * DTLS-SRTP on werift's DTLS 1.2 (pure TypeScript: no native build, so `npm ci` works anywhere Node
 * runs) — chosen over node-datachannel, whose prebuilt binary is fetched from GitHub at install time.
 * One self-signed ECDSA P-256 certificate per engine, as browsers make theirs; each association offers
 * only AES_CM_128_HMAC_SHA1_80, which our SRTP implements, and checks the peer's certificate against
 * the fingerprints of its SDP before handing over the exported keys.
 */
export class WeriftDtlsEngine implements DtlsEngine {
  private constructor(
    private readonly werift: Werift, private readonly certificate: { certPem: string; keyPem: string;
      signatureHash: { hash: number; signature: number } },
    readonly fingerprint: DtlsFingerprint,
  ) {}

  static async create(): Promise<WeriftDtlsEngine> {
    const werift = await import('werift');
    const made = await werift.CipherContext.createSelfSignedCertificateWithKey(
      { signature: werift.SignatureAlgorithm.ecdsa_3, hash: werift.HashAlgorithm.sha256_4 },
      werift.NamedCurveAlgorithm.secp256r1_23,
    );
    const der = new X509Certificate(made.certPem).raw;
    return new WeriftDtlsEngine(werift, made, certificateFingerprint(der) as DtlsFingerprint);
  }

  associate(
    role: 'client' | 'server', expected: ReadonlyArray<DtlsFingerprint>, send: (bytes: Uint8Array) => void,
  ): DtlsAssociation {
    const transport = {
      type: 'udp', address: { address: '0.0.0.0', port: 0 }, closed: false,
      onData: (_data: Buffer): void => undefined,
      send: (data: Buffer): Promise<void> => {
        if (!transport.closed) send(data);
        return Promise.resolve();
      },
      close: (): Promise<void> => {
        transport.closed = true;
        return Promise.resolve();
      },
    };
    const options = {
      cert: this.certificate.certPem, key: this.certificate.keyPem, signatureHash: this.certificate.signatureHash,
      transport, srtpProfiles: [SRTP_AES128_CM_HMAC_SHA1_80], extendedMasterSecret: true,
    } as unknown as ConstructorParameters<Werift['DtlsServer']>[0];
    const socket: DtlsSocket = role === 'server'
      ? new this.werift.DtlsServer({ ...options, certificateRequest: true })
      : new this.werift.DtlsClient(options);
    let settle: (result: E.Either<DtlsFailure, DtlsSrtpKeys>) => void = () => undefined;
    const established = new Promise<E.Either<DtlsFailure, DtlsSrtpKeys>>((resolve) => {
      let settled = false;
      settle = (result) => {
        if (settled) return;
        settled = true;
        resolve(result);
      };
    });
    socket.onConnect.subscribe(() => settle(keysOf(socket, expected)));
    socket.onError.subscribe((error: Error) => settle(E.left({ reason: 'HandshakeFailed', detail: error.message })));
    if (socket instanceof this.werift.DtlsClient) {
      socket.connect().catch((error: unknown) => settle(E.left({ reason: 'HandshakeFailed', detail: String(error) })));
    }
    return {
      receive: (bytes) => {
        if (!transport.closed) transport.onData(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      },
      established,
      close: () => {
        if (transport.closed) return;
        settle(E.left({ reason: 'Closed', detail: 'the association was closed' }));
        try {
          socket.close();
        } catch {
          // Closing a handshake that never started has nothing to tell the peer.
        }
        transport.closed = true;
      },
    };
  }
}

const keysOf = (socket: DtlsSocket, expected: ReadonlyArray<DtlsFingerprint>): E.Either<DtlsFailure, DtlsSrtpKeys> => {
  const certificate = socket.remoteCertificate;
  if (certificate === undefined) return E.left({ reason: 'HandshakeFailed', detail: 'the peer sent no certificate' });
  if (!matchesFingerprint(certificate, expected)) {
    const actual = certificateFingerprint(certificate)?.value ?? '?';
    return E.left({
      reason: 'FingerprintMismatch',
      detail: `the peer's certificate (sha-256 ${actual}) matches no fingerprint of its SDP (RFC 8122 §5)`,
    });
  }
  if (socket.srtp.srtpProfile !== SRTP_AES128_CM_HMAC_SHA1_80) return E.left({
    reason: 'HandshakeFailed', detail: `no common SRTP profile (got ${String(socket.srtp.srtpProfile)})`,
  });
  const keys = socket.extractSessionKeys(16, 14);
  return E.right({
    suite: 'AES_CM_128_HMAC_SHA1_80',
    local: concat(keys.localKey as Buffer, keys.localSalt as Buffer),
    remote: concat(keys.remoteKey as Buffer, keys.remoteSalt as Buffer),
  });
};

const concat = (key: Uint8Array, salt: Uint8Array): Uint8Array => {
  const out = new Uint8Array(key.length + salt.length);
  out.set(key, 0);
  out.set(salt, key.length);
  return out;
};
