/**
 * One line per network event (send, deliver, drop, connect, close), in the
 * order they happen on the virtual clock. Two runs with the same seed produce
 * byte-identical traces; that equality is what simulation tests assert.
 */
export class SimTrace {
  private readonly entries: string[] = [];

  constructor(private readonly capacity = 1_000_000) {}

  /** False when the trace keeps nothing (capacity 0): callers can skip building lines. */
  get enabled(): boolean {
    return this.capacity > 0;
  }

  record(atMs: number, event: string, from: string, to: string, summary: string): void {
    if (this.entries.length < this.capacity) this.entries.push(
      `${atMs.toFixed(3)} ${event} ${from} > ${to} ${summary}`,
    );
  }

  get lines(): ReadonlyArray<string> {
    return this.entries;
  }

  /** A short fingerprint of the whole trace (FNV-1a, 32 bits), for logs. */
  digest(): string {
    let hash = 0x811c9dc5;
    for (const line of this.entries) {
      for (let i = 0; i < line.length; i++) hash = Math.imul(hash ^ line.charCodeAt(i), 0x01000193) >>> 0;
      hash = Math.imul(hash ^ 10, 0x01000193) >>> 0;
    }
    return hash.toString(16).padStart(8, '0');
  }

  toString(): string {
    return this.entries.join('\n');
  }
}

/** Summaries for trace lines: the start line of a SIP message, the sequence number of RTP. */
export const describeSip = (bytes: Uint8Array): string => {
  const end = Math.min(bytes.length, 120);
  let line = '';
  for (let i = 0; i < end; i++) {
    const c = bytes[i] as number;
    if (c === 0x0d || c === 0x0a) {
      if (line.length > 0) break;
      continue;
    }
    line += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  }
  return line.length === 0 ? `(${bytes.length} bytes)` : line;
};

export const describeRtp = (bytes: Uint8Array): string =>
  bytes.length >= 4 && bytes[0]! >> 6 === 2
    ? `rtp pt=${bytes[1]! & 0x7f} seq=${(bytes[2]! << 8) | bytes[3]!}`
    : `(${bytes.length} bytes)`;
