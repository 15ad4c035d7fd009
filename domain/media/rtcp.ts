/**
 * RTCP (RFC 3550 §6): SR, RR, SDES, BYE and compound packets. Every packet
 * starts with V=2, P, a 5-bit count, an 8-bit type and a length in 32-bit
 * words minus one; a compound packet is several of them back to back.
 */
import * as E from 'fp-ts/lib/Either.js';

export interface ReportBlock {
  readonly ssrc: number;
  /** Fraction lost since the last report, as a fixed-point number /256. */
  readonly fractionLost: number;
  /** Cumulative packets lost (signed 24-bit). */
  readonly cumulativeLost: number;
  readonly extendedHighestSequence: number;
  /** Interarrival jitter in timestamp units. */
  readonly jitter: number;
  /** Middle 32 bits of the last SR's NTP timestamp (0 if none). */
  readonly lastSr: number;
  /** Delay since that SR, in 1/65536 s. */
  readonly delaySinceLastSr: number;
}

/** One SDES chunk: a source and its items (CNAME…). */
export interface SdesChunk {
  readonly ssrc: number;
  readonly items: ReadonlyArray<{ readonly type: number; readonly text: string }>;
}

export type RtcpPacket =
  | {
    readonly type: 'SR'; readonly ssrc: number; readonly ntpSeconds: number; readonly ntpFraction: number;
    readonly rtpTimestamp: number; readonly packetCount: number; readonly octetCount: number;
    readonly reports: ReadonlyArray<ReportBlock>;
  }
  | { readonly type: 'RR'; readonly ssrc: number; readonly reports: ReadonlyArray<ReportBlock> }
  | { readonly type: 'SDES'; readonly chunks: ReadonlyArray<SdesChunk> }
  | { readonly type: 'BYE'; readonly ssrcs: ReadonlyArray<number>; readonly reason?: string }
  | { readonly type: 'Other'; readonly packetType: number; readonly body: Uint8Array };

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;
export const SDES_CNAME = 1;

export interface RtcpError {
  readonly kind: 'RtcpError';
  readonly reason: 'TooShort' | 'BadVersion' | 'BadLength' | 'BadCount';
}

const fail = (reason: RtcpError['reason']): E.Either<RtcpError, never> => E.left({ kind: 'RtcpError', reason });
const u32 = (b: Uint8Array, i: number): number =>
  (((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number)) >>> 0;

const readBlocks = (b: Uint8Array, offset: number, count: number): ReportBlock[] => {
  const blocks: ReportBlock[] = [];
  for (let k = 0; k < count; k++) {
    const i = offset + k * 24;
    const lostRaw = ((b[i + 5] as number) << 16) | ((b[i + 6] as number) << 8) | (b[i + 7] as number);
    blocks.push({
      ssrc: u32(b, i),
      fractionLost: b[i + 4] as number,
      cumulativeLost: lostRaw & 0x800000 ? lostRaw - 0x1000000 : lostRaw,
      extendedHighestSequence: u32(b, i + 8),
      jitter: u32(b, i + 12),
      lastSr: u32(b, i + 16),
      delaySinceLastSr: u32(b, i + 20),
    });
  }
  return blocks;
};

const decodeAscii = (b: Uint8Array): string => {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
};

const parseOne = (b: Uint8Array, count: number, type: number): E.Either<RtcpError, RtcpPacket> => {
  switch (type) {
    case RTCP_SR:
      if (b.length < 24 + count * 24) return fail('BadCount');
      return E.right({
        type: 'SR', ssrc: u32(b, 0), ntpSeconds: u32(b, 4), ntpFraction: u32(b, 8), rtpTimestamp: u32(b, 12),
        packetCount: u32(b, 16), octetCount: u32(b, 20), reports: readBlocks(b, 24, count),
      });
    case RTCP_RR:
      if (b.length < 4 + count * 24) return fail('BadCount');
      return E.right({ type: 'RR', ssrc: u32(b, 0), reports: readBlocks(b, 4, count) });
    case RTCP_SDES: {
      const chunks: Array<{ ssrc: number; items: Array<{ type: number; text: string }> }> = [];
      let i = 0;
      for (let c = 0; c < count; c++) {
        if (i + 4 > b.length) return fail('BadCount');
        const chunk = { ssrc: u32(b, i), items: [] as Array<{ type: number; text: string }> };
        i += 4;
        while (i < b.length && b[i] !== 0) {
          const length = b[i + 1] ?? 0;
          if (i + 2 + length > b.length) return fail('BadLength');
          chunk.items.push({ type: b[i] as number, text: decodeAscii(b.subarray(i + 2, i + 2 + length)) });
          i += 2 + length;
        }
        i = (i + 4) & ~3; // the null item, then padding to a 32-bit boundary
        chunks.push(chunk);
      }
      return E.right({ type: 'SDES', chunks });
    }
    case RTCP_BYE: {
      if (b.length < count * 4) return fail('BadCount');
      const ssrcs = Array.from({ length: count }, (_, k) => u32(b, k * 4));
      const at = count * 4;
      const length = b[at];
      const fits = length !== undefined && at + 1 + length <= b.length;
      const reason = fits ? decodeAscii(b.subarray(at + 1, at + 1 + length)) : undefined;
      return E.right(reason === undefined ? { type: 'BYE', ssrcs } : { type: 'BYE', ssrcs, reason });
    }
    default:
      return E.right({ type: 'Other', packetType: type, body: b });
  }
};

/** Parses a compound RTCP packet into its parts. */
export const parseRtcp = (bytes: Uint8Array): E.Either<RtcpError, ReadonlyArray<RtcpPacket>> => {
  if (bytes.length < 4) return fail('TooShort');
  const packets: RtcpPacket[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length) return fail('TooShort');
    const b0 = bytes[offset] as number;
    if (b0 >> 6 !== 2) return fail('BadVersion');
    const length = ((((bytes[offset + 2] as number) << 8) | (bytes[offset + 3] as number)) + 1) * 4;
    if (offset + length > bytes.length) return fail('BadLength');
    const padding = (b0 & 0x20) !== 0 ? (bytes[offset + length - 1] as number) : 0;
    const parsed = parseOne(
      bytes.subarray(offset + 4, offset + length - padding), b0 & 0x1f, bytes[offset + 1] as number,
    );
    if (E.isLeft(parsed)) return parsed;
    packets.push(parsed.right);
    offset += length;
  }
  return E.right(packets);
};

const writeBlock = (out: number[], r: ReportBlock): void => {
  push32(out, r.ssrc);
  const lost = r.cumulativeLost < 0 ? r.cumulativeLost + 0x1000000 : Math.min(r.cumulativeLost, 0x7fffff);
  out.push(r.fractionLost & 0xff, (lost >>> 16) & 0xff, (lost >>> 8) & 0xff, lost & 0xff);
  push32(out, r.extendedHighestSequence);
  push32(out, r.jitter);
  push32(out, r.lastSr);
  push32(out, r.delaySinceLastSr);
};

const push32 = (out: number[], v: number): void => {
  out.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
};

const bodyOf = (p: RtcpPacket): { count: number; type: number; body: number[] } => {
  const body: number[] = [];
  switch (p.type) {
    case 'SR':
      [p.ssrc, p.ntpSeconds, p.ntpFraction, p.rtpTimestamp, p.packetCount, p.octetCount].forEach(
        (v) => push32(body, v),
      );
      p.reports.forEach((r) => writeBlock(body, r));
      return { count: p.reports.length, type: RTCP_SR, body };
    case 'RR':
      push32(body, p.ssrc);
      p.reports.forEach((r) => writeBlock(body, r));
      return { count: p.reports.length, type: RTCP_RR, body };
    case 'SDES':
      for (const chunk of p.chunks) {
        push32(body, chunk.ssrc);
        for (const item of chunk.items) body.push(
          item.type, item.text.length, ...Array.from(item.text, (c) => c.charCodeAt(0) & 0xff),
        );
        body.push(0);
        while (body.length % 4 !== 0) body.push(0);
      }
      return { count: p.chunks.length, type: RTCP_SDES, body };
    case 'BYE':
      p.ssrcs.forEach((s) => push32(body, s));
      if (p.reason !== undefined) {
        body.push(p.reason.length, ...Array.from(p.reason, (c) => c.charCodeAt(0) & 0xff));
        while (body.length % 4 !== 0) body.push(0);
      }
      return { count: p.ssrcs.length, type: RTCP_BYE, body };
    case 'Other':
      return { count: 0, type: p.packetType, body: Array.from(p.body) };
  }
};

/** Serializes packets into one compound RTCP packet. */
export const serializeRtcp = (packets: ReadonlyArray<RtcpPacket>): Uint8Array => {
  const out: number[] = [];
  for (const packet of packets) {
    const { count, type, body } = bodyOf(packet);
    const words = body.length / 4;
    out.push(0x80 | (count & 0x1f), type, (words >>> 8) & 0xff, words & 0xff, ...body);
  }
  return Uint8Array.from(out);
};
