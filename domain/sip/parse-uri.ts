import * as E from 'fp-ts/lib/Either.js';
import { charRun, isAlpha, isDigit, isHexDigit, scanRun } from './grammar.js';
import type { Param } from './params.js';
import type { AbsoluteUri, SipUri, TelUri, Uri } from './uri.js';
import {
  HEADER_CHARS, isEscapedText, PARAM_CHARS, PASSWORD_CHARS, scanEscaped, unescapeUri, USER_CHARS,
} from './uri-escape.js';

/** Why a URI did not parse; `at` is the character offset inside the URI text. */
export interface UriError {
  readonly kind: 'UriError';
  readonly detail: string;
  readonly at: number;
}

const fail = (detail: string, at: number): E.Either<UriError, never> => E.left({ kind: 'UriError', detail, at });

/** Length of `scheme ":"` at the start of text (0 when there is none). */
export const schemeLength = (text: string): number => {
  if (text.length === 0 || !isAlpha(text.charCodeAt(0))) return 0;
  for (let i = 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x3a) return i + 1;
    if (!(isAlpha(code) || isDigit(code) || code === 0x2b || code === 0x2d || code === 0x2e)) return 0;
  }
  return 0;
};

/** Parses any URI allowed in a SIP message: sip, sips, tel, or an opaque absoluteURI. */
export const parseUri = (text: string): E.Either<UriError, Uri> => parseUriIn(text, 0, text.length);

/** Parses the URI at text[from, to) without copying it out; error offsets are relative to `from`. */
export const parseUriIn = (text: string, from: number, to: number): E.Either<UriError, Uri> => {
  // The usual lower-case schemes are read in place.
  if (to - from >= 4 && text.startsWith('sip:', from)) return parseSipUriBody('sip', text, from + 4, to, from);
  if (to - from >= 5 && text.startsWith('sips:', from)) return parseSipUriBody('sips', text, from + 5, to, from);
  if (from !== 0 || to !== text.length) return parseUri(text.slice(from, to));
  const prefix = schemeLength(text);
  if (prefix === 0) return fail('missing URI scheme', 0);
  const scheme = text.slice(0, prefix - 1).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips') return parseSipUriBody(scheme, text, prefix, text.length, 0);
  if (scheme === 'tel') return parseTelUri(text.slice(prefix), prefix);
  return parseAbsoluteUri(text.slice(0, prefix - 1), text.slice(prefix), prefix);
};

export const parseSipUri = (text: string): E.Either<UriError, SipUri> =>
  E.chain((uri: Uri) => (uri.kind === 'sip' ? E.right(uri) : fail('not a sip or sips URI', 0)))(parseUri(text));

/** The text of [from, to) with %HH escapes resolved. */
const unescapedRange = (text: string, from: number, to: number): string => unescapeUri(text.slice(from, to));

/** Reads `[userinfo@]host[:port][;params][?headers]` in text[start, to); error offsets are relative to `base`. */
const parseSipUriBody = (
  scheme: 'sip' | 'sips', text: string, start: number, to: number, base: number,
): E.Either<UriError, SipUri> => {
  let user: string | undefined;
  let password: string | undefined;
  let i = start;
  const at = text.indexOf('@', start);
  if (at !== -1 && at < to) {
    const userEnd = scanEscaped(text, start, at, USER_CHARS);
    if (userEnd === start || (userEnd !== at && text.charCodeAt(userEnd) !== 0x3a)) return fail(
      'bad user part', start - base,
    );
    if (userEnd !== at && scanEscaped(text, userEnd + 1, at, PASSWORD_CHARS) !== at) return fail(
      'bad password', userEnd + 1 - base,
    );
    user = unescapedRange(text, start, userEnd);
    if (userEnd !== at) password = unescapedRange(text, userEnd + 1, at);
    i = at + 1;
  }
  const hostEnd = scanHost(text, i, to);
  if (hostEnd === -1) return fail('bad host', i - base);
  const host = text.slice(i, hostEnd);
  i = hostEnd;
  let port: number | undefined;
  if (i < to && text.charCodeAt(i) === 0x3a) {
    const digitsStart = i + 1;
    let value = 0;
    // Leading zeros are legal (port = 1*DIGIT); the value saturates just above the range.
    for (i = digitsStart; i < to && isDigit(text.charCodeAt(i)); i++) value = Math.min(
      value * 10 + text.charCodeAt(i) - 0x30, 65536,
    );
    if (i === digitsStart || value > 65535) return fail('bad port', digitsStart - base);
    port = value;
  }
  // Searched within the URI only: a native indexOf would run on through the rest of a message.
  let query = i;
  while (query < to && text.charCodeAt(query) !== 0x3f) query++;
  if (i < query && text.charCodeAt(i) !== 0x3b) return fail(`unexpected '${text[i]}'`, i - base);
  const params = parseUriParams(text, i, query, PARAM_CHARS, 0x3b);
  if (params === undefined) return fail('bad URI parameter', i - base);
  const headers = query === to ? [] : parseUriParams(text, query, to, HEADER_CHARS, 0x26);
  if (headers === undefined) return fail('bad URI header', query - base);
  const uri: { -readonly [K in keyof SipUri]: SipUri[K] } = { kind: 'sip', scheme, host, params, headers };
  if (user !== undefined) uri.user = user;
  if (password !== undefined) uri.password = password;
  if (port !== undefined) uri.port = port;
  return E.right(uri);
};

const HOST_RUN = charRun('-._');

/** hostname / IPv4address / IPv6reference; returns the end index or -1. */
export const scanHost = (text: string, index: number, to = text.length): number => {
  if (index >= to) return -1;
  if (text.charCodeAt(index) === 0x5b) {
    const close = text.indexOf(']', index);
    if (close === -1 || close >= to || close === index + 1) return -1;
    for (let i = index + 1; i < close; i++) {
      const code = text.charCodeAt(i);
      if (!(isHexDigit(code) || code === 0x3a || code === 0x2e)) return -1;
    }
    return close + 1;
  }
  const i = scanRun(HOST_RUN, text, index);
  return i === index ? -1 : Math.min(i, to);
};

/**
 * Items of [from, to), each introduced by one character (`;` before every
 * parameter, `?` then `&` before headers): `name[=value]` for parameters,
 * `name=value` for headers, whose value may be empty (hvalue is
 * `*( hnv-unreserved / unreserved / escaped )`). Undefined on an empty name,
 * a bad escape or any other character. A lone `;` (empty list) is tolerated.
 */
const parseUriParams = (
  text: string, from: number, to: number, chars: Uint8Array, separator: number,
): ReadonlyArray<Param> | undefined => {
  const params: Param[] = [];
  const header = separator === 0x26;
  if (!header && to - from === 1) return params;
  for (let i = from + 1; i <= to; i++) {
    const nameEnd = scanEscaped(text, i, to, chars);
    if (nameEnd === i) return undefined;
    const name = unescapedRange(text, i, nameEnd);
    if (nameEnd === to || text.charCodeAt(nameEnd) === separator) {
      if (header) return undefined; // header = hname "=" hvalue
      params.push({ name });
      i = nameEnd;
      continue;
    }
    if (text.charCodeAt(nameEnd) !== 0x3d) return undefined;
    const valueEnd = scanEscaped(text, nameEnd + 1, to, chars);
    const emptyValue = valueEnd === nameEnd + 1 && !header;
    if (emptyValue || (valueEnd !== to && text.charCodeAt(valueEnd) !== separator)) return undefined;
    params.push({ name, value: unescapedRange(text, nameEnd + 1, valueEnd) });
    i = valueEnd;
  }
  return params;
};

const parseTelUri = (text: string, base: number): E.Either<UriError, TelUri> => {
  const semi = text.indexOf(';');
  const number = semi === -1 ? text : text.slice(0, semi);
  if (number.length === 0 || !isEscapedText(number, PARAM_CHARS)) return fail('bad telephone number', base);
  const params = semi === -1 ? [] : parseUriParams(text, semi, text.length, PARAM_CHARS, 0x3b);
  if (params === undefined) return fail('bad tel parameter', base + semi);
  return E.right({ kind: 'tel', number, params });
};

const parseAbsoluteUri = (scheme: string, value: string, base: number): E.Either<UriError, AbsoluteUri> => {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || code === 0x3c || code === 0x3e || code === 0x22) return fail(
      'bad character in URI', base + i,
    );
  }
  return E.right({ kind: 'absolute', scheme, value });
};
