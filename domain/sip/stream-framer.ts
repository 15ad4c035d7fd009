/**
 * Cuts a byte stream (TCP, TLS) into SIP messages by Content-Length (§18.3).
 * Chunks may be of any size. CRLFs between messages are keep-alives
 * (RFC 5626 §3.5.1): a double CRLF is a ping the transport answers with CRLF.
 * Limits are enforced as bytes arrive, so a peer can never make us buffer an
 * endless header or body; a framing error means the connection must be closed.
 */

export interface FramerLimits {
  readonly maxHeaderBytes: number;
  readonly maxBodyBytes: number;
}

export const DEFAULT_FRAMER_LIMITS: FramerLimits = { maxHeaderBytes: 16_384, maxBodyBytes: 65_535 };

export type FramingErrorReason = 'HeaderTooLarge' | 'BodyTooLarge' | 'MissingContentLength' | 'BadContentLength';

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
}

export interface FrameResult {
  readonly state: FramerState;
  readonly messages: ReadonlyArray<Uint8Array>;
  /** Double-CRLF pings seen (each should be answered with one CRLF pong). */
  readonly pings: number;
  readonly error?: FramingError;
}

export const INITIAL_FRAMER_STATE: FramerState = { pending: new Uint8Array(0), scanFrom: 0 };

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
  if (first === 0x6c /* l */ && ((bytes[i + 1] ?? 0) === 0x3a || bytes[i + 1] === 0x20 || bytes[i + 1] === 0x09)) i += 1;
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
export const pushChunk = (state: FramerState, chunk: Uint8Array, limits: FramerLimits = DEFAULT_FRAMER_LIMITS): FrameResult => {
  let pending = concat(state.pending, chunk);
  let scanFrom = state.scanFrom;
  const messages: Uint8Array[] = [];
  let pings = 0;
  for (;;) {
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
      if (pending.length > limits.maxHeaderBytes) return failed('HeaderTooLarge', `header section exceeds ${limits.maxHeaderBytes} bytes`, messages, pings);
      scanFrom = pending.length;
      break;
    }
    if (headerEnd > limits.maxHeaderBytes) return failed('HeaderTooLarge', `header section exceeds ${limits.maxHeaderBytes} bytes`, messages, pings);
    const length = readContentLength(pending, headerEnd);
    if (length === 'missing') return failed('MissingContentLength', 'Content-Length is mandatory on stream transports (§18.3)', messages, pings);
    if (length === 'bad') return failed('BadContentLength', 'Content-Length is malformed or repeated', messages, pings);
    if (length > limits.maxBodyBytes) return failed('BodyTooLarge', `body of ${length} bytes exceeds ${limits.maxBodyBytes}`, messages, pings);
    if (pending.length < headerEnd + length) {
      scanFrom = headerEnd;
      break;
    }
    messages.push(pending.slice(0, headerEnd + length));
    pending = pending.subarray(headerEnd + length);
    scanFrom = 0;
  }
  // Copy the remainder so the caller's chunk buffers can be reused or freed.
  return { state: { pending: pending.length === 0 ? INITIAL_FRAMER_STATE.pending : pending.slice(), scanFrom }, messages, pings };
};

const failed = (reason: FramingErrorReason, detail: string, messages: Uint8Array[], pings: number): FrameResult => ({
  state: INITIAL_FRAMER_STATE,
  messages,
  pings,
  error: { kind: 'FramingError', reason, detail },
});
