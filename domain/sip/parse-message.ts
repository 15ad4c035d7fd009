import * as E from 'fp-ts/lib/Either.js';
import { parseTransactionHeaders, rememberTransactionHeaders } from './core-headers.js';
import { isToken, isWhitespace } from './grammar.js';
import { canonicalHeaderName, HEADER } from './header-names.js';
import { EMPTY_BODY, type SipHeader, type SipMessage } from './message.js';
import { parseError, type SipParseError, type SipParseErrorReason } from './parse-error.js';
import { parseStartLine } from './parse-start-line.js';
import { decodeUtf8, encodeUtf8, utf8Length } from './text-codec.js';

export interface ParseOptions {
  /** Larger inputs are refused before any work (default 65,535). */
  readonly maxMessageBytes: number;
  /** More header lines than this are refused (default 256). */
  readonly maxHeaders: number;
}

export const DEFAULT_PARSE_OPTIONS: ParseOptions = { maxMessageBytes: 65_535, maxHeaders: 256 };

const LF = 0x0a;
const CR = 0x0d;

/** Index of the first byte of the empty line that ends the header section, and of the body. */
const findHeaderEnd = (bytes: Uint8Array, start: number): { headerEnd: number; bodyStart: number } => {
  for (let i = bytes.indexOf(LF, start); i !== -1; i = bytes.indexOf(LF, i + 1)) {
    if (bytes[i + 1] === LF) return { headerEnd: i + 1, bodyStart: i + 2 };
    if (bytes[i + 1] === CR && bytes[i + 2] === LF) return { headerEnd: i + 1, bodyStart: i + 3 };
  }
  // A datagram whose header section is not closed: everything is headers (§18.3).
  return { headerEnd: bytes.length, bodyStart: bytes.length };
};

/**
 * Parses one SIP message from a datagram or a frame cut by the stream framer
 * (§7, §18.3). Never throws. The body is a view into `input`, not a copy.
 * Content-Length, when present, bounds the body (extra bytes are ignored);
 * when absent the body runs to the end of the input. Via, Call-ID, CSeq and
 * Max-Forwards are validated here; From, To and Contact on first use.
 */
export const parseMessage = (
  input: Uint8Array | string,
  options: ParseOptions = DEFAULT_PARSE_OPTIONS,
): E.Either<SipParseError, SipMessage> => {
  const bytes = typeof input === 'string' ? encodeUtf8(input) : input;
  if (bytes.length > options.maxMessageBytes) {
    return E.left(parseError('TooLarge', `message of ${bytes.length} bytes exceeds ${options.maxMessageBytes}`, 0));
  }
  let start = 0;
  while (start < bytes.length && (bytes[start] === CR || bytes[start] === LF)) start++;
  if (start === bytes.length) return E.left(parseError('Empty', 'no message', 0));
  const { headerEnd, bodyStart } = findHeaderEnd(bytes, start);
  const text = decodeUtf8(bytes, start, headerEnd);
  const byteOffset = (charOffset: number): number => start + utf8Length(text.slice(0, charOffset));
  const fail = (reason: SipParseErrorReason, detail: string, charOffset: number, header?: string): E.Either<SipParseError, never> =>
    E.left(parseError(reason, detail, byteOffset(charOffset), header));

  let lineEnd = text.indexOf('\n');
  if (lineEnd === -1) lineEnd = text.length;
  const startLine = parseStartLine(text.slice(0, text.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd));
  if (E.isLeft(startLine)) return E.left({ ...startLine.left, offsetBytes: byteOffset(0) + startLine.left.offsetBytes });

  const lines = readHeaderLines(text, lineEnd + 1, options.maxHeaders);
  if ('reason' in lines) return fail(lines.reason, lines.detail, lines.at);

  let contentLength: number | undefined;
  const headers: SipHeader[] = [];
  for (let h = 0; h < lines.headers.length; h++) {
    const header = lines.headers[h] as SipHeader;
    if (header.name !== HEADER.ContentLength) {
      headers.push(header);
      continue;
    }
    if (contentLength !== undefined) return fail('DuplicateHeader', 'Content-Length appears more than once', lines.offsets[h] as number, HEADER.ContentLength);
    if (!/^[0-9]{1,9}$/.test(header.value)) return fail('BadContentLength', 'Content-Length is not a non-negative integer', lines.offsets[h] as number, HEADER.ContentLength);
    contentLength = Number(header.value);
  }

  const available = bytes.length - bodyStart;
  if (contentLength !== undefined && contentLength > available) {
    return fail('BodyTooShort', `Content-Length ${contentLength} exceeds the ${available} body bytes received`, text.length, HEADER.ContentLength);
  }
  const bodyLength = contentLength ?? available;
  const body = bodyLength === 0 ? EMPTY_BODY : bytes.subarray(bodyStart, bodyStart + bodyLength);

  const core = parseTransactionHeaders(headers);
  if (E.isLeft(core)) {
    const index = lines.headers.findIndex((h) => h.name === core.left.header);
    const reason = core.left.detail === 'header appears more than once' ? 'DuplicateHeader' : 'BadHeaderValue';
    return fail(reason, core.left.detail, index === -1 ? 0 : (lines.offsets[index] as number), core.left.header);
  }
  const s = startLine.right;
  const message: SipMessage = s.kind === 'request'
    ? { kind: 'request', method: s.method, uri: s.uri, version: s.version, headers, body }
    : { kind: 'response', version: s.version, status: s.status, reason: s.reason, headers, body };
  rememberTransactionHeaders(message, core.right);
  return E.right(message);
};

type HeaderLines =
  | { readonly headers: SipHeader[]; readonly offsets: number[] }
  | { readonly reason: SipParseErrorReason; readonly detail: string; readonly at: number };

/** Splits the header section into unfolded `name: value` lines (§7.3.1), working on indices to avoid slicing lines. */
const readHeaderLines = (text: string, from: number, maxHeaders: number): HeaderLines => {
  const headers: SipHeader[] = [];
  const offsets: number[] = [];
  let pos = from;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    const lineEnd = text.charCodeAt(end - 1) === CR ? end - 1 : end;
    if (lineEnd > pos && isWhitespace(text.charCodeAt(pos))) {
      const previous = headers.pop();
      if (previous === undefined) return { reason: 'BadHeaderLine', detail: 'continuation line before any header', at: pos };
      const more = trimWs(text, pos, lineEnd);
      headers.push({ name: previous.name, value: more.length === 0 ? previous.value : previous.value.length === 0 ? more : `${previous.value} ${more}` });
    } else if (lineEnd > pos) {
      const colon = text.indexOf(':', pos);
      if (colon === -1 || colon >= lineEnd) return { reason: 'BadHeaderLine', detail: "header line without ':'", at: pos };
      let nameEnd = colon;
      while (nameEnd > pos && isWhitespace(text.charCodeAt(nameEnd - 1))) nameEnd--;
      const rawName = text.slice(pos, nameEnd);
      const name = canonicalHeaderName(rawName);
      // A known name is a token already; only unknown names need the check.
      if (name === rawName && !isToken(rawName)) return { reason: 'BadHeaderLine', detail: 'header name is not a token', at: pos };
      if (headers.length >= maxHeaders) return { reason: 'TooManyHeaders', detail: `more than ${maxHeaders} header lines`, at: pos };
      headers.push({ name, value: trimWs(text, colon + 1, lineEnd) });
      offsets.push(pos);
    }
    pos = end + 1;
  }
  return { headers, offsets };
};

const trimWs = (line: string, from: number, to: number): string => {
  let start = from;
  let end = to;
  while (start < end && isWhitespace(line.charCodeAt(start))) start++;
  while (end > start && isWhitespace(line.charCodeAt(end - 1))) end--;
  return line.slice(start, end);
};
