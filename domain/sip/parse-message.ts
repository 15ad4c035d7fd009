import * as E from 'fp-ts/lib/Either.js';
import {
  emptyTransactionLines, noteTransactionLine, parseTransactionLines, rememberTransactionHeaders, type TransactionLines,
} from './core-headers.js';
import { isToken, isWhitespace } from './grammar.js';
import { HEADER, knownHeaderName } from './header-names.js';
import { EMPTY_BODY, type SipHeader, type SipMessage } from './message.js';
import { requestRecord, responseRecord } from './message-record.js';
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

/** Text holding the header section in [0, end), and where the body starts in bytes. */
interface Head {
  readonly text: string;
  readonly end: number;
  readonly bodyStart: number;
}

/**
 * Decodes the header section. The common message is ASCII throughout: then one
 * decode of the whole input maps characters to bytes one to one (a UTF-8
 * decode never yields more characters than bytes, so equal lengths prove it),
 * and the header reader finds the empty line as it goes. Otherwise only the
 * head, up to the empty line found in the bytes, is decoded.
 */
const readHead = (bytes: Uint8Array, start: number): Head => {
  const whole = decodeUtf8(bytes, start, bytes.length);
  if (whole.length === bytes.length - start) return { text: whole, end: whole.length, bodyStart: bytes.length };
  const { headerEnd, bodyStart } = findHeaderEnd(bytes, start);
  const text = decodeUtf8(bytes, start, headerEnd);
  return { text, end: text.length, bodyStart };
};

/** Byte offset of a character of the head (the head may hold multi-byte characters). */
const byteOffset = (text: string, start: number, charOffset: number): number => start + utf8Length(
  text.slice(0, charOffset),
);

const failAt = (
  text: string, start: number, reason: SipParseErrorReason, detail: string, charOffset: number, header?: string,
): E.Either<SipParseError, never> => E.left(parseError(reason, detail, byteOffset(text, start, charOffset), header));

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
  const head = readHead(bytes, start);
  const text = head.text;

  let lineEnd = text.indexOf('\n');
  if (lineEnd === -1 || lineEnd > head.end) lineEnd = head.end;
  const startLine = parseStartLine(text, text.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd);
  if (E.isLeft(startLine)) return E.left({ ...startLine.left, offsetBytes: start + startLine.left.offsetBytes });

  const lines = readHeaderLines(text, lineEnd + 1, head.end, options.maxHeaders);
  if (lines instanceof LineError) return failAt(text, start, lines.reason, lines.detail, lines.at, lines.header);
  const headers = lines.headers;

  // An empty line met by the reader was in an ASCII text: characters are bytes.
  const bodyStart = lines.blankAt === -1 ? head.bodyStart : start + lines.bodyAt;
  const available = bytes.length - bodyStart;
  const contentLength = lines.contentLength;
  if (contentLength !== -1 && contentLength > available) {
    const headEnd = lines.blankAt === -1 ? head.end : lines.blankAt;
    return failAt(
      text, start, 'BodyTooShort', `Content-Length ${contentLength} exceeds the ${available} body bytes received`,
      headEnd, HEADER.ContentLength,
    );
  }
  const bodyLength = contentLength === -1 ? available : contentLength;
  const body = bodyLength === 0 ? EMPTY_BODY : bytes.subarray(bodyStart, bodyStart + bodyLength);

  const core = parseTransactionLines(headers, lines.transaction);
  if (E.isLeft(core)) {
    const reason = core.left.detail === 'header appears more than once' ? 'DuplicateHeader' : 'BadHeaderValue';
    const at = firstLineNamed(text, lineEnd + 1, lines.blankAt === -1 ? head.end : lines.blankAt, core.left.header);
    return failAt(text, start, reason, core.left.detail, at, core.left.header);
  }
  const s = startLine.right;
  const message: SipMessage = s.kind === 'request'
    ? requestRecord(s.method, s.uri, s.version, headers, body)
    : responseRecord(s.version, s.status, s.reason, headers, body);
  rememberTransactionHeaders(message, core.right);
  return E.right(message);
};

class LineError {
  constructor(
    readonly reason: SipParseErrorReason,
    readonly detail: string,
    readonly at: number,
    readonly header?: string,
  ) {}
}

interface HeaderLines {
  /** Every header but Content-Length, unfolded, in order. */
  readonly headers: SipHeader[];
  /** Where Via, Call-ID, CSeq and Max-Forwards are, found while reading. */
  readonly transaction: TransactionLines;
  /** -1 when absent. */
  readonly contentLength: number;
  /** Character offset of the empty line that ended the head, or -1. */
  readonly blankAt: number;
  /** Character offset just after that empty line (where the body starts), or -1. */
  readonly bodyAt: number;
}

/**
 * 1*DIGIT, any number of leading zeros, at most 9 significant digits (a body
 * that large is refused long before); -1 otherwise. Read without a regex or Number().
 */
const contentLengthValue = (value: string): number => {
  let i = 0;
  while (i < value.length - 1 && value.charCodeAt(i) === 0x30) i++;
  if (value.length === 0 || value.length - i > 9) return -1;
  let length = 0;
  for (; i < value.length; i++) {
    const digit = value.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    length = length * 10 + digit;
  }
  return length;
};

/**
 * Splits the header section into unfolded `name: value` lines (§7.3.1) in one
 * pass over indices: known names are recognised in place, so only values are
 * sliced, and the transaction headers are located on the way.
 */
const readHeaderLines = (text: string, from: number, to: number, maxHeaders: number): HeaderLines | LineError => {
  const headers: SipHeader[] = [];
  const transaction = emptyTransactionLines();
  let contentLength: string | undefined;
  let contentLengthAt = -1;
  let lastWasContentLength = false;
  let blankAt = -1;
  let pos = from;
  while (pos < to) {
    let end = text.indexOf('\n', pos);
    if (end === -1 || end > to) end = to;
    const lineEnd = end > pos && text.charCodeAt(end - 1) === CR ? end - 1 : end;
    if (lineEnd === pos && end < to) {
      blankAt = pos;
      break;
    }
    if (lineEnd > pos && isWhitespace(text.charCodeAt(pos))) {
      const more = trimWs(text, pos, lineEnd);
      if (lastWasContentLength) contentLength = joinFolded(contentLength as string, more);
      else {
        const previous = headers.pop();
        if (previous === undefined) return new LineError('BadHeaderLine', 'continuation line before any header', pos);
        headers.push({ name: previous.name, value: joinFolded(previous.value, more) });
      }
    } else if (lineEnd > pos) {
      const colon = text.indexOf(':', pos);
      if (colon === -1 || colon >= lineEnd) return new LineError('BadHeaderLine', "header line without ':'", pos);
      let nameEnd = colon;
      while (nameEnd > pos && isWhitespace(text.charCodeAt(nameEnd - 1))) nameEnd--;
      const rawName = text.slice(pos, nameEnd);
      let name = knownHeaderName(rawName);
      if (name === undefined) {
        name = rawName;
        // A known name is a token already; only unknown names need the check.
        if (!isToken(name)) return new LineError('BadHeaderLine', 'header name is not a token', pos);
      }
      if (name === HEADER.ContentLength) {
        // Content-Length is derived from the body when serializing, never stored.
        if (contentLength !== undefined) return new LineError(
          'DuplicateHeader', 'Content-Length appears more than once', pos, HEADER.ContentLength,
        );
        contentLength = trimWs(text, colon + 1, lineEnd);
        contentLengthAt = pos;
        lastWasContentLength = true;
      } else {
        if (headers.length >= maxHeaders) return new LineError(
          'TooManyHeaders', `more than ${maxHeaders} header lines`, pos,
        );
        noteTransactionLine(transaction, name, headers.length);
        headers.push({ name, value: trimWs(text, colon + 1, lineEnd) });
        lastWasContentLength = false;
      }
    }
    pos = end + 1;
  }
  const bodyAt = blankAt === -1 ? -1 : text.indexOf('\n', blankAt) + 1;
  if (contentLength === undefined) return { headers, transaction, contentLength: -1, blankAt, bodyAt };
  const length = contentLengthValue(contentLength);
  if (length === -1) {
    return new LineError(
      'BadContentLength', 'Content-Length is not a non-negative integer', contentLengthAt, HEADER.ContentLength,
    );
  }
  return { headers, transaction, contentLength: length, blankAt, bodyAt };
};

/**
 * Offset of the first header line named `header` (any spelling) in [from, to); 0 when none. For error positions only.
 */
const firstLineNamed = (text: string, from: number, to: number, header: string): number => {
  for (let pos = from; pos < to; pos = text.indexOf('\n', pos) + 1 || to) {
    const colon = text.indexOf(':', pos);
    if (colon !== -1 && knownHeaderName(text.slice(pos, colon).trimEnd()) === header) return pos;
  }
  return 0;
};

const joinFolded = (value: string, more: string): string =>
  more.length === 0 ? value : value.length === 0 ? more : `${value} ${more}`;

const trimWs = (line: string, from: number, to: number): string => {
  let start = from;
  let end = to;
  while (start < end && isWhitespace(line.charCodeAt(start))) start++;
  while (end > start && isWhitespace(line.charCodeAt(end - 1))) end--;
  return line.slice(start, end);
};
