import * as E from 'fp-ts/lib/Either.js';
import { charRun, isAlpha, isDigit, isHexDigit, parseDecimal, scanRun } from './grammar.js';
import type { Param } from './params.js';
import type { AbsoluteUri, SipUri, TelUri, Uri } from './uri.js';
import { HEADER_CHARS, isEscapedText, PARAM_CHARS, PASSWORD_CHARS, unescapeUri, USER_CHARS } from './uri-escape.js';

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
export const parseUri = (text: string): E.Either<UriError, Uri> => {
  const prefix = schemeLength(text);
  if (prefix === 0) return fail('missing URI scheme', 0);
  const scheme = text.slice(0, prefix - 1).toLowerCase();
  const rest = text.slice(prefix);
  if (scheme === 'sip' || scheme === 'sips') return parseSipUriBody(scheme, rest, prefix);
  if (scheme === 'tel') return parseTelUri(rest, prefix);
  return parseAbsoluteUri(text.slice(0, prefix - 1), rest, prefix);
};

export const parseSipUri = (text: string): E.Either<UriError, SipUri> =>
  E.chain((uri: Uri) => (uri.kind === 'sip' ? E.right(uri) : fail('not a sip or sips URI', 0)))(parseUri(text));

const parseSipUriBody = (scheme: 'sip' | 'sips', text: string, base: number): E.Either<UriError, SipUri> => {
  let user: string | undefined;
  let password: string | undefined;
  let i = 0;
  const at = text.indexOf('@');
  if (at !== -1) {
    const userinfo = text.slice(0, at);
    const colon = userinfo.indexOf(':');
    const rawUser = colon === -1 ? userinfo : userinfo.slice(0, colon);
    if (rawUser.length === 0 || !isEscapedText(rawUser, USER_CHARS)) return fail('bad user part', base);
    user = unescapeUri(rawUser);
    if (colon !== -1) {
      const rawPassword = userinfo.slice(colon + 1);
      if (!isEscapedText(rawPassword, PASSWORD_CHARS)) return fail('bad password', base + colon + 1);
      password = unescapeUri(rawPassword);
    }
    i = at + 1;
  }
  const hostEnd = scanHost(text, i);
  if (hostEnd === -1) return fail('bad host', base + i);
  const host = text.slice(i, hostEnd);
  i = hostEnd;
  let port: number | undefined;
  if (text.charCodeAt(i) === 0x3a) {
    let end = i + 1;
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
    port = parseDecimal(text.slice(i + 1, end), 65535);
    if (port === undefined) return fail('bad port', base + i + 1);
    i = end;
  }
  const query = text.indexOf('?', i);
  const paramText = text.slice(i, query === -1 ? text.length : query);
  if (paramText.length > 0 && paramText.charCodeAt(0) !== 0x3b) return fail(`unexpected '${paramText[0]}'`, base + i);
  const params = parseUriParams(paramText.slice(1), PARAM_CHARS, 0x3b);
  if (params === undefined) return fail('bad URI parameter', base + i);
  const headers = query === -1 ? [] : parseUriParams(text.slice(query + 1), HEADER_CHARS, 0x26);
  if (headers === undefined) return fail('bad URI header', base + query);
  const uri: { -readonly [K in keyof SipUri]: SipUri[K] } = { kind: 'sip', scheme, host, params, headers };
  if (user !== undefined) uri.user = user;
  if (password !== undefined) uri.password = password;
  if (port !== undefined) uri.port = port;
  return E.right(uri);
};

const HOST_RUN = charRun('-._');

/** hostname / IPv4address / IPv6reference; returns the end index or -1. */
export const scanHost = (text: string, index: number): number => {
  if (text.charCodeAt(index) === 0x5b) {
    const close = text.indexOf(']', index);
    if (close === -1 || close === index + 1) return -1;
    for (let i = index + 1; i < close; i++) {
      const code = text.charCodeAt(i);
      if (!(isHexDigit(code) || code === 0x3a || code === 0x2e)) return -1;
    }
    return close + 1;
  }
  const i = scanRun(HOST_RUN, text, index);
  return i === index ? -1 : i;
};

/** `name[=value]` items separated by `separator`; undefined on an empty or badly escaped item. */
const parseUriParams = (text: string, chars: Uint8Array, separator: number): ReadonlyArray<Param> | undefined => {
  if (text.length === 0) return separator === 0x3b ? [] : undefined;
  const params: Param[] = [];
  for (const item of text.split(String.fromCharCode(separator))) {
    const eq = item.indexOf('=');
    const rawName = eq === -1 ? item : item.slice(0, eq);
    if (rawName.length === 0 || !isEscapedText(rawName, chars)) return undefined;
    if (eq === -1) {
      if (separator === 0x26) return undefined; // header = hname "=" hvalue
      params.push({ name: unescapeUri(rawName) });
      continue;
    }
    const rawValue = item.slice(eq + 1);
    // URI headers may have empty values (hvalue = *( hnv-unreserved / unreserved / escaped )).
    if ((rawValue.length === 0 && separator === 0x3b) || !isEscapedText(rawValue, chars)) return undefined;
    params.push({ name: unescapeUri(rawName), value: unescapeUri(rawValue) });
  }
  return params;
};

const parseTelUri = (text: string, base: number): E.Either<UriError, TelUri> => {
  const semi = text.indexOf(';');
  const number = semi === -1 ? text : text.slice(0, semi);
  if (number.length === 0 || !isEscapedText(number, PARAM_CHARS)) return fail('bad telephone number', base);
  const params = semi === -1 ? [] : parseUriParams(text.slice(semi + 1), PARAM_CHARS, 0x3b);
  if (params === undefined) return fail('bad tel parameter', base + semi);
  return E.right({ kind: 'tel', number, params });
};

const parseAbsoluteUri = (scheme: string, value: string, base: number): E.Either<UriError, AbsoluteUri> => {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || code === 0x3c || code === 0x3e || code === 0x22) return fail('bad character in URI', base + i);
  }
  return E.right({ kind: 'absolute', scheme, value });
};
