/**
 * RTP fixed header (RFC 3550 §5.1):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *  |                           timestamp                           |
 *  |           synchronization source (SSRC) identifier            |
 *  |            contributing source (CSRC) identifiers (CC × 32)   |
 *  | [extension: profile(16) length(16) then length × 32 bits]     |
 *  | payload …                                 [padding, last byte = count]
 */
import * as E from 'fp-ts/lib/Either.js';

export interface RtpExtension {
  readonly profile: number;
  readonly data: Uint8Array;
}

export interface RtpPacket {
  readonly marker: boolean;
  readonly payloadType: number;
  readonly sequence: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly csrcs: ReadonlyArray<number>;
  readonly extension?: RtpExtension;
  /** A view into the received bytes (never copied). */
  readonly payload: Uint8Array;
  /** Padding bytes present after the payload (0 when P is clear). */
  readonly paddingBytes: number;
}

export type RtpErrorReason = 'TooShort' | 'BadVersion' | 'BadCsrcCount' | 'BadExtension' | 'BadPadding';

export interface RtpError {
  readonly kind: 'RtpError';
  readonly reason: RtpErrorReason;
}

const HEADER_BYTES = 12;
const VERSION = 2;

const fail = (reason: RtpErrorReason): E.Either<RtpError, never> => E.left({ kind: 'RtpError', reason });

const u32 = (b: Uint8Array, i: number): number =>
  (((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number)) >>> 0;

export const parseRtp = (bytes: Uint8Array): E.Either<RtpError, RtpPacket> => {
  if (bytes.length < HEADER_BYTES) return fail('TooShort');
  const b0 = bytes[0] as number;
  if (b0 >> 6 !== VERSION) return fail('BadVersion');
  const padding = (b0 & 0x20) !== 0;
  const hasExtension = (b0 & 0x10) !== 0;
  const csrcCount = b0 & 0x0f;
  let offset = HEADER_BYTES + csrcCount * 4;
  if (offset > bytes.length) return fail('BadCsrcCount');
  const csrcs: number[] = [];
  for (let i = 0; i < csrcCount; i++) csrcs.push(u32(bytes, HEADER_BYTES + i * 4));
  let extension: RtpExtension | undefined;
  if (hasExtension) {
    if (offset + 4 > bytes.length) return fail('BadExtension');
    const profile = ((bytes[offset] as number) << 8) | (bytes[offset + 1] as number);
    const words = ((bytes[offset + 2] as number) << 8) | (bytes[offset + 3] as number);
    const end = offset + 4 + words * 4;
    if (end > bytes.length) return fail('BadExtension');
    extension = { profile, data: bytes.subarray(offset + 4, end) };
    offset = end;
  }
  const paddingBytes = padding ? (bytes[bytes.length - 1] as number) : 0;
  if (padding && (paddingBytes === 0 || offset + paddingBytes > bytes.length)) return fail('BadPadding');
  const b1 = bytes[1] as number;
  const packet: RtpPacket = {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequence: ((bytes[2] as number) << 8) | (bytes[3] as number),
    timestamp: u32(bytes, 4),
    ssrc: u32(bytes, 8),
    csrcs,
    payload: bytes.subarray(offset, bytes.length - paddingBytes),
    paddingBytes,
    ...(extension === undefined ? {} : { extension }),
  };
  return E.right(packet);
};

/** Bytes `writeRtp` needs for this packet. */
export const rtpSize = (p: RtpPacket): number =>
  HEADER_BYTES + p.csrcs.length * 4 + (p.extension === undefined ? 0 : 4 + p.extension.data.length)
  + p.payload.length + p.paddingBytes;

const put32 = (out: Uint8Array, i: number, v: number): void => {
  out[i] = v >>> 24;
  out[i + 1] = (v >>> 16) & 0xff;
  out[i + 2] = (v >>> 8) & 0xff;
  out[i + 3] = v & 0xff;
};

/** Writes the packet at `offset`; returns the bytes written. Extension data must be a multiple of 4 bytes. */
export const writeRtp = (p: RtpPacket, out: Uint8Array, offset = 0): number => {
  out[offset] = (VERSION << 6) | (p.paddingBytes > 0 ? 0x20 : 0) | (p.extension === undefined ? 0 : 0x10) | (
    p.csrcs.length & 0x0f
  );
  out[offset + 1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  out[offset + 2] = (p.sequence >>> 8) & 0xff;
  out[offset + 3] = p.sequence & 0xff;
  put32(out, offset + 4, p.timestamp >>> 0);
  put32(out, offset + 8, p.ssrc >>> 0);
  let i = offset + HEADER_BYTES;
  for (const csrc of p.csrcs) {
    put32(out, i, csrc >>> 0);
    i += 4;
  }
  if (p.extension !== undefined) {
    out[i] = p.extension.profile >>> 8;
    out[i + 1] = p.extension.profile & 0xff;
    const words = p.extension.data.length >> 2;
    out[i + 2] = words >>> 8;
    out[i + 3] = words & 0xff;
    out.set(p.extension.data, i + 4);
    i += 4 + p.extension.data.length;
  }
  out.set(p.payload, i);
  i += p.payload.length;
  if (p.paddingBytes > 0) {
    out.fill(0, i, i + p.paddingBytes - 1);
    out[i + p.paddingBytes - 1] = p.paddingBytes;
    i += p.paddingBytes;
  }
  return i - offset;
};

export const serializeRtp = (p: RtpPacket): Uint8Array => {
  const out = new Uint8Array(rtpSize(p));
  writeRtp(p, out, 0);
  return out;
};
