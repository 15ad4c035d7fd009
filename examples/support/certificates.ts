/**
 * Certificates made on the spot, for `npm start -- --secure`, an example run
 * without certificate files, and the tests: a private authority and the
 * leaf certificates it signs (ECDSA P-256, X.509 v3 written in DER here).
 * Nothing is ever written to the repository: keys live in memory, or in a
 * temporary folder the caller removes.
 */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/** A certificate with its private key, both PEM. */
export interface Issued {
  readonly cert: string;
  readonly key: string;
}

export interface CertificateRequest {
  readonly commonName: string;
  /** subjectAltName entries: host names and IP addresses (what RFC 5922 checks). */
  readonly names?: ReadonlyArray<string>;
  /** Valid from/until, in ms since the epoch (default: an hour ago until a year from now). */
  readonly notBeforeMs?: number;
  readonly notAfterMs?: number;
}

export interface Authority extends Issued {
  /** A leaf certificate for servers and clients, signed by this authority. */
  issue(request: CertificateRequest): Issued;
}

// DER, just the types a certificate needs.
const length = (n: number): number[] => {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
};
const tlv = (tag: number, body: Uint8Array | number[]): Buffer => Buffer.from([tag, ...length(body.length), ...body]);
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, item: Buffer): Buffer => tlv(0xa0 + n, item);
const bool = (value: boolean): Buffer => tlv(0x01, [value ? 0xff : 0]);
const octets = (body: Uint8Array): Buffer => tlv(0x04, body);
const bits = (body: Uint8Array | number[], unused = 0): Buffer => tlv(0x03, [unused, ...body]);
const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
/** A non-negative DER INTEGER in its minimal form (strict parsers such as OpenSSL's refuse leading zeros). */
export const derInteger = (body: Uint8Array): Buffer => {
  let start = 0;
  while (start < body.length - 1 && body[start] === 0) start++;
  const digits = [...body.subarray(start)];
  return tlv(0x02, digits[0]! & 0x80 ? [0, ...digits] : digits);
};
const oid = (dotted: string): Buffer => {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const out = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, out);
};
const time = (ms: number): Buffer => {
  const iso = new Date(ms).toISOString();
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime after.
  return new Date(ms).getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`)) : tlv(
    0x18, Buffer.from(`${digits}Z`),
  );
};

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const name = (commonName: string): Buffer => seq(set(seq(oid('2.5.4.3'), utf8(commonName))));
const extension = (id: string, critical: boolean, value: Buffer): Buffer => seq(
  oid(id), ...(critical ? [bool(true)] : []), octets(value),
);
const altNames = (names: ReadonlyArray<string>): Buffer => seq(...names.map((n) => {
  if (isIPv4(n)) return tlv(0x87, n.split('.').map(Number));
  if (isIPv6(n)) return tlv(0x87, ipv6Bytes(n));
  return tlv(0x82, Buffer.from(n, 'ascii'));
}));
const ipv6Bytes = (address: string): number[] => {
  const [head, tail = ''] = address.split('::') as [string, string?];
  const groups = (text: string): number[] => (text === '' ? [] : text.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = address.includes('::') ? groups(tail) : [];
  const all = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
};

const pem = (label: string, der: Buffer): string =>
  `-----BEGIN ${label}-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n`
  + `-----END ${label}-----\n`;

/** Who signs: an authority, or the certificate's own key (self-signed). */
interface Signer {
  readonly subject: string | undefined;
  readonly key: KeyObject;
  readonly keyId: Buffer | undefined;
}

const keyIdOf = (spki: Buffer): Buffer => createHash('sha1').update(spki).digest();

const certificate = (
  request: CertificateRequest, publicKey: KeyObject, issuer: Signer, ca: boolean,
): { der: Buffer; keyId: Buffer } => {
  const now = Date.now();
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyId = keyIdOf(spki);
  // keyUsage bits: keyCertSign + cRLSign for the authority, digitalSignature (ECDHE-ECDSA) for a leaf.
  const usage = ca ? [0x06] : [0x80];
  const extensions = [
    extension('2.5.29.19', true, seq(...(ca ? [bool(true)] : []))),
    extension('2.5.29.15', true, bits(usage, ca ? 1 : 7)),
    extension('2.5.29.14', false, octets(keyId)),
    extension('2.5.29.35', false, seq(tlv(0x80, issuer.keyId ?? keyId))),
    ...(ca ? [] : [extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'), oid('1.3.6.1.5.5.7.3.2')))]),
    ...((request.names ?? []).length === 0 ? [] : [extension('2.5.29.17', false, altNames(request.names ?? []))]),
  ];
  const tbs = seq(
    explicit(0, derInteger(Buffer.from([2]))), derInteger(randomBytes(16)), ECDSA_SHA256,
    name(issuer.subject ?? request.commonName),
    seq(time(request.notBeforeMs ?? now - 3_600_000), time(request.notAfterMs ?? now + 365 * 86_400_000)),
    name(request.commonName), spki, explicit(3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, issuer.key);
  return { der: seq(tbs, ECDSA_SHA256, bits(signature)), keyId };
};

const pkcs8 = (key: KeyObject): string => key.export({ type: 'pkcs8', format: 'pem' }).toString();

const newKey = (): { privateKey: KeyObject; publicKey: KeyObject } =>
  generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

/** A new private certificate authority, able to issue leaf certificates. */
export const createAuthority = (commonName = 'session-core test CA'): Authority => {
  const { privateKey, publicKey } = newKey();
  const self: Signer = { subject: undefined, key: privateKey, keyId: undefined };
  const { der, keyId } = certificate({ commonName }, publicKey, self, true);
  const signer: Signer = { subject: commonName, key: privateKey, keyId };
  return {
    cert: pem('CERTIFICATE', der),
    key: pkcs8(privateKey),
    issue: (request) => {
      const leaf = newKey();
      const issued = certificate(request, createPublicKey(leaf.privateKey), signer, false);
      return { cert: pem('CERTIFICATE', issued.der), key: pkcs8(leaf.privateKey) };
    },
  };
};

/** A self-signed leaf certificate (what a lab PBX presents; verification refuses it unless told to trust it). */
export const selfSigned = (request: CertificateRequest): Issued => {
  const { privateKey, publicKey } = newKey();
  const { der } = certificate(request, publicKey, { subject: undefined, key: privateKey, keyId: undefined }, false);
  return { cert: pem('CERTIFICATE', der), key: pkcs8(privateKey) };
};
