import * as E from 'fp-ts/lib/Either.js';
import { isDigit, isToken } from './grammar.js';
import { parseError, type SipParseError } from './parse-error.js';
import { parseUri } from './parse-uri.js';
import type { Uri } from './uri.js';

export type StartLine =
  | { readonly kind: 'request'; readonly method: string; readonly uri: Uri; readonly version: string }
  | { readonly kind: 'response'; readonly version: string; readonly status: number; readonly reason: string };

/** SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (§25.1); case-insensitive name. */
export const isSipVersion = (text: string): boolean => {
  if (text === 'SIP/2.0') return true;
  if (text.length < 7 || text.slice(0, 4).toUpperCase() !== 'SIP/') return false;
  const dot = text.indexOf('.', 4);
  if (dot <= 4 || dot === text.length - 1) return false;
  for (let i = 4; i < text.length; i++) if (i !== dot && !isDigit(text.charCodeAt(i))) return false;
  return true;
};

/** The version in upper case; the usual "SIP/2.0" is returned as it is, without a new string. */
const canonicalVersion = (version: string): string => (version === 'SIP/2.0' ? version : version.toUpperCase());

/**
 * Request-Line = Method SP Request-URI SP SIP-Version; Status-Line = SIP-Version
 * SP Status-Code SP Reason-Phrase (§7.1, §7.2). Exactly one SP between elements:
 * RFC 4475 §3.1.2.8–3.1.2.10 reject extra or trailing whitespace.
 */
export const parseStartLine = (line: string): E.Either<SipParseError, StartLine> => {
  const firstSpace = line.indexOf(' ');
  if (firstSpace <= 0) return E.left(parseError('BadStartLine', 'malformed start line', 0));
  const first = line.slice(0, firstSpace);
  if (isSipVersion(first)) return parseStatusLine(line, first, firstSpace);
  const secondSpace = line.indexOf(' ', firstSpace + 1);
  if (secondSpace === -1 || line.indexOf(' ', secondSpace + 1) !== -1) {
    return E.left(parseError('BadStartLine', 'request line must be Method SP Request-URI SP SIP-Version', 0));
  }
  const method = first;
  const uriText = line.slice(firstSpace + 1, secondSpace);
  const version = line.slice(secondSpace + 1);
  if (!isToken(method)) return E.left(parseError('BadStartLine', 'method is not a token', 0));
  if (!isSipVersion(version)) return E.left(parseError('BadStartLine', 'bad SIP-Version', method.length + uriText.length + 2));
  const uri = parseUri(uriText);
  if (E.isLeft(uri)) return E.left(parseError('BadRequestUri', `bad Request-URI: ${uri.left.detail}`, method.length + 1 + uri.left.at));
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
