import * as E from 'fp-ts/lib/Either.js';
import { isToken, isWhitespace, splitTopLevel } from './grammar.js';
import { canonicalHeaderName, HEADER } from './header-names.js';
import { EMPTY_BODY, SIP_VERSION, type SipHeader, type SipResponse } from './message.js';
import type { SipParseError } from './parse-error.js';
import { responseForParseError } from './error-response.js';
import { decodeUtf8 } from './text-codec.js';
import { formatVia, parseVia, type Via } from './via.js';
import { parseCoreHeaders } from './core-headers.js';
import { responseRecord } from './message-record.js';

const ECHOED = new Set<string>([HEADER.Via, HEADER.From, HEADER.To, HEADER.CallId, HEADER.CSeq]);

/**
 * For a request that failed to parse, the 400 to send back when its start line
 * and Via can still be read (§21.4.1; RFC 4475 §3.1.2). Returns undefined for
 * responses and for requests whose Via is unreadable: those are dropped.
 * The echoed headers are copied as received, so the sender can match the 400.
 */
export const badRequestResponse = (
  bytes: Uint8Array, error: SipParseError,
): { readonly response: SipResponse; readonly topVia: Via } | undefined => {
  const end = Math.min(bytes.length, 16_384);
  const text = decodeUtf8(bytes, 0, end);
  const lines = text.split(/\r?\n/);
  const startLine = lines[0]?.trimStart() ?? '';
  const method = startLine.split(' ')[0] ?? '';
  if (!isToken(method) || startLine.toUpperCase().startsWith('SIP/')) return undefined;
  const headers: SipHeader[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.length === 0) break;
    const last = headers[headers.length - 1];
    if (isWhitespace(line.charCodeAt(0)) && last !== undefined) {
      headers[headers.length - 1] = { name: last.name, value: `${last.value} ${line.trim()}` };
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = canonicalHeaderName(line.slice(0, colon).trim());
    if (ECHOED.has(name) && name !== HEADER.ContentLength) headers.push({ name, value: line.slice(colon + 1).trim() });
  }
  // Read the top Via leniently: its parameters may be what broke the parse.
  const rawVia = headers.find((h) => h.name === HEADER.Via)?.value;
  if (rawVia === undefined) return undefined;
  const first = splitTopLevel(rawVia)?.[0] ?? rawVia.split(',')[0] ?? '';
  const full = parseVia(first);
  const topVia = E.isRight(full) ? full : parseVia(first.split(';')[0] ?? '');
  if (E.isLeft(topVia)) return undefined;
  const { status, reason } = responseForParseError(error);
  const echoed = headers.flatMap((h) => echo(h, topVia.right));
  return { response: responseRecord(SIP_VERSION, status, reason, echoed, EMPTY_BODY), topVia: topVia.right };
};

/** Echo a header as received when it parses; a broken Via is replaced by its readable part, others are left out. */
const echo = (header: SipHeader, topVia: Via): SipHeader[] => {
  const parsed = parseCoreHeaders([header]);
  if (E.isRight(parsed)) return [header];
  return header.name === HEADER.Via ? [{ name: HEADER.Via, value: formatVia(topVia) }] : [];
};
