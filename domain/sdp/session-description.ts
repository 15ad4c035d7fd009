/**
 * SDP (RFC 8866) as an immutable value that keeps every line it does not
 * interpret, in order, so a parse → serialize round trip loses nothing.
 */
export interface SdpLine {
  readonly type: string;
  readonly value: string;
}

export interface Origin {
  readonly username: string;
  readonly sessionId: string;
  /** Kept as text: phones use values beyond 2^53. */
  readonly sessionVersion: string;
  readonly netType: string;
  readonly addrType: string;
  readonly address: string;
}

export interface MediaDescription {
  readonly media: string;
  readonly port: number;
  readonly portCount?: number;
  readonly proto: string;
  readonly formats: ReadonlyArray<string>;
  /** Every line after m= (i, c, b, k, a, and anything unknown), in order. */
  readonly lines: ReadonlyArray<SdpLine>;
}

export interface SessionDescription {
  readonly version: number;
  readonly origin: Origin;
  readonly sessionName: string;
  /** Session-level lines other than v, o, s (i, u, e, p, c, b, t, r, z, k, a, unknown), in order. */
  readonly lines: ReadonlyArray<SdpLine>;
  readonly media: ReadonlyArray<MediaDescription>;
}

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
const DIRECTIONS: ReadonlySet<string> = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

export interface Connection {
  readonly netType: string;
  readonly addrType: string;
  readonly address: string;
}

/** `a=name:value` values (or '' for a flag) among `lines`. */
export const attributeValues = (lines: ReadonlyArray<SdpLine>, name: string): string[] => {
  const out: string[] = [];
  for (const line of lines) {
    if (line.type !== 'a') continue;
    const colon = line.value.indexOf(':');
    const key = colon === -1 ? line.value : line.value.slice(0, colon);
    if (key === name) out.push(colon === -1 ? '' : line.value.slice(colon + 1));
  }
  return out;
};

const parseConnection = (value: string): Connection | undefined => {
  const [netType, addrType, address] = value.trim().split(/\s+/);
  if (netType === undefined || addrType === undefined || address === undefined) return undefined;
  // Multicast addresses carry /ttl[/count]; the address is the part before.
  return { netType, addrType, address: address.split('/')[0] as string };
};

/** The media's c= line, or the session's (RFC 8866 §5.7). */
export const connectionOf = (desc: SessionDescription, media: MediaDescription): Connection | undefined => {
  const own = media.lines.find((l) => l.type === 'c');
  const session = desc.lines.find((l) => l.type === 'c');
  const line = own ?? session;
  return line === undefined ? undefined : parseConnection(line.value);
};

/** Media-level direction, else session-level, else sendrecv (RFC 8866 §6.7). */
export const directionOf = (desc: SessionDescription, media: MediaDescription): Direction => {
  const find = (lines: ReadonlyArray<SdpLine>): Direction | undefined =>
    lines.find((l) => l.type === 'a' && DIRECTIONS.has(l.value))?.value as Direction | undefined;
  return find(media.lines) ?? find(desc.lines) ?? 'sendrecv';
};

export interface RtpMap {
  readonly payloadType: number;
  readonly encoding: string;
  readonly clockRate: number;
  readonly channels: number;
}

/** RFC 3551 static payload types that may appear without a=rtpmap. */
const STATIC: Readonly<Record<number, readonly [string, number]>> = {
  0: ['PCMU', 8000], 3: ['GSM', 8000], 4: ['G723', 8000], 8: ['PCMA', 8000], 9: ['G722', 8000], 18: ['G729', 8000],
};

/** Payload type → codec for each format of the media line (a=rtpmap first, static table second). */
export const rtpMapsOf = (media: MediaDescription): ReadonlyMap<number, RtpMap> => {
  const maps = new Map<number, RtpMap>();
  for (const value of attributeValues(media.lines, 'rtpmap')) {
    const match = /^(\d+)\s+([^/\s]+)(?:\/(\d+))?(?:\/(\d+))?/.exec(value.trim());
    if (match === null) continue;
    const payloadType = Number(match[1]);
    maps.set(
      payloadType,
      {
        payloadType, encoding: match[2] as string, clockRate: Number(match[3] ?? 8000), channels: Number(match[4] ?? 1),
      },
    );
  }
  for (const format of media.formats) {
    const pt = Number(format);
    const known = STATIC[pt];
    if (!maps.has(pt) && known !== undefined) maps.set(
      pt, { payloadType: pt, encoding: known[0], clockRate: known[1], channels: 1 },
    );
  }
  return maps;
};

/** a=ptime in ms, if present and sane. */
export const ptimeOf = (media: MediaDescription): number | undefined => {
  const value = Number(attributeValues(media.lines, 'ptime')[0]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
};
