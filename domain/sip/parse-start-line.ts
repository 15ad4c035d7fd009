import * as E from 'fp-ts/lib/Either.js';
import { isDigit, isToken } from './grammar.js';
import { parseError, type SipParseError } from './parse-error.js';
import { SIP_VERSION } from './message.js';
import { knownMethodAt } from './methods.js';
import { parseUriIn } from './parse-uri.js';
import type { Uri } from './uri.js';

export type StartLine =
  | { readonly kind: 'request'; readonly method: string; readonly uri: Uri; readonly version: string }
  | { readonly kind: 'response'; readonly version: string; readonly status: number; readonly reason: string };

/** SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (§25.1); case-insensitive name. */
export const isSipVersion = (text: string): boolean => {
  if (text === SIP_VERSION) return true;
  if (text.length < 7 || text.slice(0, 4).toUpperCase() !== 'SIP/') return false;
  const dot = text.indexOf('.', 4);
  if (dot <= 4 || dot === text.length - 1) return false;
  for (let i = 4; i < text.length; i++) if (i !== dot && !isDigit(text.charCodeAt(i))) return false;
  return true;
};

/** The version in upper case; the usual "SIP/2.0" is returned as it is, without a new string. */
const canonicalVersion = (version: string): string => (version === SIP_VERSION ? version : version.toUpperCase());

/**
 * Request-Line = Method SP Request-URI SP SIP-Version; Status-Line = SIP-Version
 * SP Status-Code SP Reason-Phrase (§7.1, §7.2). Exactly one SP between elements:
 * RFC 4475 §3.1.2.8–3.1.2.10 reject extra or trailing whitespace. The line is
 * text[0, end), read in place.
 */
export const parseStartLine = (text: string, end = text.length): E.Either<SipParseError, StartLine> => {
  const firstSpace = text.indexOf(' ');
  if (firstSpace <= 0 || firstSpace >= end) return E.left(parseError('BadStartLine', 'malformed start line', 0));
  if (firstSpace === SIP_VERSION.length && text.startsWith(SIP_VERSION)) return parseStatusLine(
    text.slice(0, end), SIP_VERSION, firstSpace,
  );
  const known = knownMethodAt(text, 0, firstSpace);
  if (known === undefined && firstSpace >= SIP_VERSION.length) {
    const first = text.slice(0, firstSpace);
    if (isSipVersion(first)) return parseStatusLine(text.slice(0, end), first, firstSpace);
  }
  const secondSpace = text.indexOf(' ', firstSpace + 1);
  const thirdSpace = secondSpace === -1 ? -1 : text.indexOf(' ', secondSpace + 1);
  if (secondSpace === -1 || secondSpace >= end || (thirdSpace !== -1 && thirdSpace < end)) {
    return E.left(parseError('BadStartLine', 'request line must be Method SP Request-URI SP SIP-Version', 0));
  }
  const method = known ?? text.slice(0, firstSpace);
  if (known === undefined && !isToken(method)) return E.left(parseError('BadStartLine', 'method is not a token', 0));
  const version = end - secondSpace === 8 && text.startsWith(SIP_VERSION, secondSpace + 1) ? SIP_VERSION : text.slice(
    secondSpace + 1, end,
  );
  if (version !== SIP_VERSION && !isSipVersion(version)) return E.left(
    parseError('BadStartLine', 'bad SIP-Version', secondSpace + 1),
  );
  const uri = parseUriIn(text, firstSpace + 1, secondSpace);
  if (E.isLeft(uri)) return E.left(
    parseError('BadRequestUri', `bad Request-URI: ${uri.left.detail}`, firstSpace + 1 + uri.left.at),
  );
  return E.right({ kind: 'request', method, uri: uri.right, version: canonicalVersion(version) });
};

const parseStatusLine = (line: string, version: string, space: number): E.Either<SipParseError, StartLine> => {
  const codeStart = space + 1;
  let codeEnd = codeStart;
  while (codeEnd < line.length && isDigit(line.charCodeAt(codeEnd))) codeEnd++;
  const next = line.charCodeAt(codeEnd);
  if (codeEnd - codeStart !== 3 || (codeEnd < line.length && next !== 0x20)) {
    return E.left(parseError('BadStatusCode', 'status code must be three digits', codeStart));
  }
  const status = Number(line.slice(codeStart, codeEnd));
  if (status < 100) return E.left(parseError('BadStatusCode', 'status code below 100', codeStart));
  return E.right({ kind: 'response', version: canonicalVersion(version), status, reason: line.slice(codeEnd + 1) });
};
