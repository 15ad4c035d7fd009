/**
 * Cuts a byte stream (TCP, TLS) into SIP messages by Content-Length (§18.3).
 * Chunks may be of any size. CRLFs between messages are keep-alives
 * (RFC 5626 §3.5.1): a double CRLF is a ping the transport answers with CRLF.
 * One size limit, the same as for datagrams: a message above it is handed out
 * as its head (to answer 513, §21.5.14) and its body skipped as it arrives,
 * never buffered; only a header section that never ends within the limit
 * cannot be resynchronized, and is a framing error (the connection closes).
 */

export interface FramerLimits {
  /** The largest message (header section and body) accepted, as for UDP (ParseOptions.maxMessageBytes). */
  readonly maxMessageBytes: number;
}

export const DEFAULT_FRAMER_LIMITS: FramerLimits = { maxMessageBytes: 65_535 };

/** How much of an oversized message's head is kept to answer it (its start line and Via). */
export const OVERSIZED_HEAD_BYTES = 16_384;

export type FramingErrorReason = 'TooLarge' | 'MissingContentLength' | 'BadContentLength';

export interface FramingError {
  readonly kind: 'FramingError';
  readonly reason: FramingErrorReason;
  readonly detail: string;
}

export interface FramerState {
  /** Bytes received and not yet emitted. */
  readonly pending: Uint8Array;
  /** Where to resume the search for the end of headers in `pending`. */
  readonly scanFrom: number;
  /** Body bytes of an oversized message still to be skipped. */
  readonly discard: number;
}

export interface FrameResult {
  readonly state: FramerState;
  readonly messages: ReadonlyArray<Uint8Array>;
  /** Heads (up to OVERSIZED_HEAD_BYTES) of messages above the limit, to be answered 513 where possible. */
  readonly oversized: ReadonlyArray<Uint8Array>;
  /** Double-CRLF pings seen (each should be answered with one CRLF pong). */
  readonly pings: number;
  readonly error?: FramingError;
}

export const INITIAL_FRAMER_STATE: FramerState = { pending: new Uint8Array(0), scanFrom: 0, discard: 0 };

const CR = 0x0d;
const LF = 0x0a;

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
};

/** Index just past CRLFCRLF, searching from `from`; -1 if absent. */
const findHeaderEnd = (bytes: Uint8Array, from: number): number => {
  for (let i = bytes.indexOf(LF, from); i !== -1; i = bytes.indexOf(LF, i + 1)) {
    if (bytes[i + 1] === CR && bytes[i + 2] === LF) return i + 3;
    if (bytes[i + 1] === LF) return i + 2;
  }
  return -1;
};

/** Reads Content-Length (or compact `l`) from a header block, case-insensitively. */
export const readContentLength = (bytes: Uint8Array, end: number): number | 'missing' | 'bad' => {
  let found: number | 'missing' | 'bad' = 'missing';
  let lineStart = bytes.indexOf(LF) + 1;
  while (lineStart > 0 && lineStart < end) {
    const lineEnd = bytes.indexOf(LF, lineStart);
    const stop = lineEnd === -1 || lineEnd > end ? end : lineEnd;
    const value = contentLengthOnLine(bytes, lineStart, stop);
    if (value !== undefined) {
      if (found !== 'missing') return 'bad';
      found = value;
    }
    lineStart = stop + 1;
  }
  return found;
};

const NAME = 'content-length';

const contentLengthOnLine = (bytes: Uint8Array, start: number, end: number): number | 'bad' | undefined => {
  let i = start;
  const first = (bytes[i] ?? 0) | 0x20;
  const afterL = bytes[i + 1] ?? 0;
  if (first === 0x6c /* l */ && (afterL === 0x3a || afterL === 0x20 || afterL === 0x09)) i += 1;
  else {
    if (end - start < NAME.length) return undefined;
    // ASCII case folding; the hyphen is compared exactly.
    for (let k = 0; k < NAME.length; k++) {
      const byte = bytes[start + k] ?? 0;
      if ((NAME[k] === '-' ? byte : byte | 0x20) !== NAME.charCodeAt(k)) return undefined;
    }
    i += NAME.length;
  }
  while (bytes[i] === 0x20 || bytes[i] === 0x09) i++;
  if (bytes[i] !== 0x3a) return undefined;
  i++;
  while (bytes[i] === 0x20 || bytes[i] === 0x09) i++;
  // 1*DIGIT: leading zeros are legal, at most 9 significant digits (as parseMessage reads it).
  const digitsStart = i;
  while (i < end && bytes[i] === 0x30) i++;
  const significantStart = i;
  let value = 0;
  while (i < end && (bytes[i] as number) >= 0x30 && (bytes[i] as number) <= 0x39) {
    value = value * 10 + ((bytes[i] as number) - 0x30);
    i++;
  }
  const digitsEnd = i;
  while (i < end && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === CR)) i++;
  return digitsEnd === digitsStart || digitsEnd - significantStart > 9 || i !== end ? 'bad' : value;
};

/** Feeds one chunk; returns the whole messages now available and the state to keep. */
export const pushChunk = (
  state: FramerState, chunk: Uint8Array, limits: FramerLimits = DEFAULT_FRAMER_LIMITS,
): FrameResult => {
  let pending = concat(state.pending, chunk);
  let scanFrom = state.scanFrom;
  let discard = state.discard;
  const messages: Uint8Array[] = [];
  const oversized: Uint8Array[] = [];
  let pings = 0;
  const max = limits.maxMessageBytes;
  for (;;) {
    if (discard > 0) {
      const skipped = Math.min(discard, pending.length);
      pending = pending.subarray(skipped);
      discard -= skipped;
      scanFrom = 0;
      if (discard > 0) break;
    }
    // Leading CR/LF bytes are keep-alives, not message bytes.
    let skip = 0;
    while (skip < pending.length && (pending[skip] === CR || pending[skip] === LF)) {
      if (pending[skip] === CR && pending[skip + 1] === LF && pending[skip + 2] === CR && pending[skip + 3] === LF) {
        pings++;
        skip += 4;
      } else skip++;
    }
    if (skip > 0) {
      pending = pending.subarray(skip);
      scanFrom = 0;
    }
    if (pending.length === 0) break;
    const headerEnd = findHeaderEnd(pending, Math.max(0, scanFrom - 3));
    if (headerEnd === -1) {
      if (pending.length > max) {
        oversized.push(pending.slice(0, OVERSIZED_HEAD_BYTES));
        return failed('TooLarge', `no end of the header section within ${max} bytes`, messages, oversized, pings);
      }
      scanFrom = pending.length;
      break;
    }
    const length = readContentLength(pending, headerEnd);
    if (length === 'missing') return failed(
      'MissingContentLength', 'Content-Length is mandatory on stream transports (§18.3)', messages, oversized, pings,
    );
    if (length === 'bad') return failed(
      'BadContentLength', 'Content-Length is malformed or repeated', messages, oversized, pings,
    );
    if (headerEnd + length > max) {
      // Too large: its head is answered, its body skipped as it comes; the stream stays in step.
      oversized.push(pending.slice(0, Math.min(headerEnd, OVERSIZED_HEAD_BYTES)));
      pending = pending.subarray(headerEnd);
      discard = length;
      continue;
    }
    if (pending.length < headerEnd + length) {
      scanFrom = headerEnd;
      break;
    }
    messages.push(pending.slice(0, headerEnd + length));
    pending = pending.subarray(headerEnd + length);
    scanFrom = 0;
  }
  // Copy the remainder so the caller's chunk buffers can be reused or freed.
  const rest = pending.length === 0 ? INITIAL_FRAMER_STATE.pending : pending.slice();
  return { state: { pending: rest, scanFrom, discard }, messages, oversized, pings };
};

const failed = (
  reason: FramingErrorReason, detail: string, messages: Uint8Array[], oversized: Uint8Array[], pings: number,
): FrameResult => ({
  state: INITIAL_FRAMER_STATE,
  messages,
  oversized,
  pings,
  error: { kind: 'FramingError', reason, detail },
});
