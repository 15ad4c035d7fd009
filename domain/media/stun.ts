/**
 * The part of STUN (RFC 8489) that ICE connectivity checks use (RFC 8445 §7): Binding requests and their
 * answers, short-term credentials (USERNAME, MESSAGE-INTEGRITY) and FINGERPRINT. Pure: the HMAC comes in
 * as a function, the CRC-32 is computed here.
 */
import type { HmacSha1 } from './srtp/srtp-keys.js';
import { decodeUtf8, encodeUtf8 } from '../sip/text-codec.js';

export const STUN_BINDING_REQUEST = 0x0001;
export const STUN_BINDING_SUCCESS = 0x0101;
export const STUN_BINDING_ERROR = 0x0111;
const MAGIC_COOKIE = 0x2112a442;
const HEADER_BYTES = 20;

export const ATTRIBUTE = {
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  XorMappedAddress: 0x0020,
  Priority: 0x0024,
  UseCandidate: 0x0025,
  Fingerprint: 0x8028,
  IceControlled: 0x8029,
  IceControlling: 0x802a,
} as const;

export interface StunAttribute {
  readonly type: number;
  /** Where the attribute starts in the message (its type field), for integrity checks. */
  readonly offset: number;
  readonly value: Uint8Array;
}

export interface StunMessage {
  readonly type: number;
  readonly transactionId: Uint8Array;
  readonly attributes: ReadonlyArray<StunAttribute>;
  /** The whole message as received. */
  readonly bytes: Uint8Array;
}

/** RFC 7983 §7: a datagram on a multiplexed port is STUN when its first byte is 0–3 and it has the cookie. */
export const looksLikeStun = (bytes: Uint8Array): boolean => bytes.length >= HEADER_BYTES && (bytes[0] as number) < 4
  && readUint32(bytes, 4) === MAGIC_COOKIE;

const readUint16 = (b: Uint8Array, at: number): number => ((b[at] as number) << 8) | (b[at + 1] as number);
const readUint32 = (b: Uint8Array, at: number): number => (
  ((b[at] as number) << 24) | ((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number)
) >>> 0;

/** Parses a STUN message; undefined when it is not one or its attributes overrun it. */
export const parseStun = (bytes: Uint8Array): StunMessage | undefined => {
  if (!looksLikeStun(bytes)) return undefined;
  const length = readUint16(bytes, 2);
  if (length % 4 !== 0 || HEADER_BYTES + length !== bytes.length) return undefined;
  const attributes: StunAttribute[] = [];
  let at = HEADER_BYTES;
  while (at + 4 <= bytes.length) {
    const type = readUint16(bytes, at);
    const size = readUint16(bytes, at + 2);
    if (at + 4 + size > bytes.length) return undefined;
    attributes.push({ type, offset: at, value: bytes.subarray(at + 4, at + 4 + size) });
    at += 4 + Math.ceil(size / 4) * 4;
  }
  return { type: readUint16(bytes, 0), transactionId: bytes.subarray(8, 20), attributes, bytes };
};

export const attributeOf = (message: StunMessage, type: number): StunAttribute | undefined =>
  message.attributes.find((a) => a.type === type);

export const usernameOf = (message: StunMessage): string | undefined => {
  const value = attributeOf(message, ATTRIBUTE.Username)?.value;
  return value === undefined ? undefined : decodeUtf8(value);
};

const CRC_TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, as FINGERPRINT uses it). */
export const crc32 = (bytes: Uint8Array, length = bytes.length): number => {
  let c = 0xffffffff;
  for (let i = 0; i < length; i++) c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/** The MAC of the message up to an attribute at `offset`, its length field counting up to `end` (§14.5). */
const integrityOver = (bytes: Uint8Array, offset: number, end: number, mac: HmacSha1): Uint8Array => {
  const copy = bytes.slice(0, offset);
  copy[2] = ((end - HEADER_BYTES) >> 8) & 0xff;
  copy[3] = (end - HEADER_BYTES) & 0xff;
  const out = new Uint8Array(20);
  mac.sign(copy, 0, copy.length, undefined, out);
  return out;
};

/**
 * Whether a message's MESSAGE-INTEGRITY verifies under `mac` (keyed with the password, RFC 8489 §9.1.1
 * short-term credentials) and its FINGERPRINT, when present, matches.
 */
export const verifyStun = (message: StunMessage, mac: HmacSha1): boolean => {
  const integrity = attributeOf(message, ATTRIBUTE.MessageIntegrity);
  if (integrity === undefined || integrity.value.length !== 20) return false;
  const expected = integrityOver(message.bytes, integrity.offset, integrity.offset + 24, mac);
  if (!expected.every((b, i) => b === integrity.value[i])) return false;
  const fingerprint = attributeOf(message, ATTRIBUTE.Fingerprint);
  if (fingerprint === undefined) return true;
  const copy = message.bytes.slice(0, fingerprint.offset);
  const end = fingerprint.offset + 8;
  copy[2] = ((end - HEADER_BYTES) >> 8) & 0xff;
  copy[3] = (end - HEADER_BYTES) & 0xff;
  return fingerprint.value.length === 4 && readUint32(fingerprint.value, 0) === ((crc32(copy) ^ 0x5354554e) >>> 0);
};

export interface StunAddress {
  readonly host: string;
  readonly port: number;
}

const xorAddress = (address: StunAddress, transactionId: Uint8Array): Uint8Array | undefined => {
  const port = address.port ^ (MAGIC_COOKIE >>> 16);
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address.host);
  if (v4 !== null) {
    const out = new Uint8Array(8);
    out[1] = 0x01;
    out[2] = port >> 8;
    out[3] = port & 0xff;
    for (let i = 0; i < 4; i++) out[4 + i] = Number(v4[i + 1]) ^ ((MAGIC_COOKIE >>> (24 - 8 * i)) & 0xff);
    return out;
  }
  const groups = expandIpv6(address.host);
  if (groups === undefined) return undefined;
  const out = new Uint8Array(20);
  out[1] = 0x02;
  out[2] = port >> 8;
  out[3] = port & 0xff;
  const mask = new Uint8Array(16);
  mask.set([0x21, 0x12, 0xa4, 0x42], 0);
  mask.set(transactionId, 4);
  for (let i = 0; i < 8; i++) {
    out[4 + 2 * i] = ((groups[i] as number) >> 8) ^ (mask[2 * i] as number);
    out[5 + 2 * i] = ((groups[i] as number) & 0xff) ^ (mask[2 * i + 1] as number);
  }
  return out;
};

const expandIpv6 = (host: string): number[] | undefined => {
  const [head = '', tail] = host.split('::');
  const part = (text: string): number[] => (text === '' ? [] : text.split(':').map((g) => parseInt(g, 16)));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
};

const attribute = (type: number, value: Uint8Array): Uint8Array => {
  const padded = new Uint8Array(4 + Math.ceil(value.length / 4) * 4);
  padded[0] = type >> 8;
  padded[1] = type & 0xff;
  padded[2] = value.length >> 8;
  padded[3] = value.length & 0xff;
  padded.set(value, 4);
  return padded;
};

/**
 * A message of `type` with `attributes`, then MESSAGE-INTEGRITY under `mac` and FINGERPRINT — what every
 * ICE check and answer carries (RFC 8445 §7.1.2, §7.3.1.4).
 */
export const buildStun = (
  type: number, transactionId: Uint8Array, attributes: ReadonlyArray<Uint8Array>, mac: HmacSha1,
): Uint8Array => {
  const body = attributes.reduce((n, a) => n + a.length, 0);
  const total = HEADER_BYTES + body + 24 + 8;
  const out = new Uint8Array(total);
  out[0] = type >> 8;
  out[1] = type & 0xff;
  out.set([0x21, 0x12, 0xa4, 0x42], 4);
  out.set(transactionId, 8);
  let at = HEADER_BYTES;
  for (const a of attributes) {
    out.set(a, at);
    at += a.length;
  }
  const integrity = integrityOver(out, at, at + 24, mac);
  out.set(attribute(ATTRIBUTE.MessageIntegrity, integrity), at);
  at += 24;
  out[2] = ((total - HEADER_BYTES) >> 8) & 0xff;
  out[3] = (total - HEADER_BYTES) & 0xff;
  const crc = (crc32(out, at) ^ 0x5354554e) >>> 0;
  out.set(attribute(ATTRIBUTE.Fingerprint, new Uint8Array([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff,
    crc & 0xff])), at);
  return out;
};

/** The success answer to a Binding request from `source`: XOR-MAPPED-ADDRESS, integrity, fingerprint. */
export const bindingSuccess = (request: StunMessage, source: StunAddress, mac: HmacSha1): Uint8Array | undefined => {
  const mapped = xorAddress(source, request.transactionId);
  return mapped === undefined ? undefined : buildStun(
    STUN_BINDING_SUCCESS, request.transactionId, [attribute(ATTRIBUTE.XorMappedAddress, mapped)], mac,
  );
};

/** A Binding request as a full ICE agent sends it (tests use it to play the browser's part). */
export const bindingRequest = (
  transactionId: Uint8Array, username: string, options: { readonly useCandidate: boolean; readonly priority: number },
  mac: HmacSha1,
): Uint8Array => buildStun(STUN_BINDING_REQUEST, transactionId, [
  attribute(ATTRIBUTE.Username, encodeUtf8(username)),
  attribute(ATTRIBUTE.Priority, new Uint8Array([
    options.priority >>> 24, (options.priority >>> 16) & 0xff, (options.priority >>> 8) & 0xff, options.priority & 0xff,
  ])),
  attribute(ATTRIBUTE.IceControlling, new Uint8Array(8)),
  ...(options.useCandidate ? [attribute(ATTRIBUTE.UseCandidate, new Uint8Array(0))] : []),
], mac);
