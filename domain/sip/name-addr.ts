import * as E from 'fp-ts/lib/Either.js';
import { formatUri } from './format-uri.js';
import { isWhitespace, quote, scanQuoted, scanToken, skipWs, unquote } from './grammar.js';
import { formatParams, parseParams, type Param } from './params.js';
import { parseUriIn } from './parse-uri.js';
import type { Uri } from './uri.js';

/**
 * name-addr / addr-spec with header parameters (§20.10, §25.1), as used by
 * From, To, Contact, Route, Record-Route, Refer-To, Referred-By, Reply-To.
 */
export interface NameAddr {
  readonly displayName?: string;
  readonly uri: Uri;
  readonly params: ReadonlyArray<Param>;
}

export type NameAddrError = { readonly detail: string; readonly at: number };

const fail = (detail: string, at: number): E.Either<NameAddrError, never> => E.left({ detail, at });

/** Parses one name-addr or addr-spec followed by `;params`. */
export const parseNameAddr = (text: string): E.Either<NameAddrError, NameAddr> => {
  let i = skipWs(text, 0);
  let displayName: string | undefined;
  if (i >= text.length) return fail('empty value', i);
  const first = text.charCodeAt(i);
  if (first === 0x22) {
    const end = scanQuoted(text, i);
    if (end === -1) return fail('unterminated quoted display name', i);
    displayName = unquote(text.slice(i, end));
    i = skipWs(text, end);
    if (text.charCodeAt(i) !== 0x3c) return fail("expected '<' after display name", i);
  } else if (first !== 0x3c) {
    const tokenEnd = scanToken(text, i);
    if (tokenEnd > i && text.charCodeAt(tokenEnd) === 0x3a) return parseAddrSpec(text, i);
    const words: string[] = [];
    while (i < text.length && text.charCodeAt(i) !== 0x3c) {
      const end = scanToken(text, i);
      if (end === i) return fail(`unexpected '${text[i]}' in display name`, i);
      words.push(text.slice(i, end));
      i = skipWs(text, end);
    }
    if (i >= text.length) return fail("missing '<'", i);
    displayName = words.join(' ');
  }
  const close = text.indexOf('>', i);
  if (close === -1) return fail("missing '>'", i);
  if (close === i + 1 || isWhitespace(text.charCodeAt(i + 1)) || isWhitespace(text.charCodeAt(close - 1))) {
    return fail("whitespace inside '<>'", i + 1);
  }
  // Read in place between the brackets (error offsets come back relative to i + 1).
  const uri = parseUriIn(text, i + 1, close);
  if (E.isLeft(uri)) return fail(`bad URI: ${uri.left.detail}`, i + 1 + uri.left.at);
  const params = parseParams(text, close + 1);
  if (!params.ok) return fail(params.detail, params.at);
  return E.right(
    displayName === undefined ? { uri: uri.right, params: params.params } : {
      displayName, uri: uri.right, params: params.params,
    },
  );
};

/** addr-spec form: the URI runs to the first `;` or whitespace and may not hold `?` or `,` (§20). */
const parseAddrSpec = (text: string, start: number): E.Either<NameAddrError, NameAddr> => {
  let end = start;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    if (code === 0x3b || isWhitespace(code)) break;
    if (code === 0x3f || code === 0x2c) return fail("addr-spec with '?' or ',' must be enclosed in '<>'", end);
    end++;
  }
  const uri = parseUriIn(text, start, end);
  if (E.isLeft(uri)) return fail(`bad URI: ${uri.left.detail}`, start + uri.left.at);
  const params = parseParams(text, end);
  if (!params.ok) return fail(params.detail, params.at);
  return E.right({ uri: uri.right, params: params.params });
};

/** Canonical form: always name-addr with `<>`; a display name is always quoted. */
export const formatNameAddr = (value: NameAddr): string =>
  `${value.displayName === undefined ? '' : `${quote(value.displayName)} `}`
  + `<${formatUri(value.uri)}>${formatParams(value.params)}`;
