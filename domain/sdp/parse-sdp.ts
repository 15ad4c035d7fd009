import * as E from 'fp-ts/lib/Either.js';
import type { MediaDescription, Origin, SdpLine, SessionDescription } from './session-description.js';

export interface SdpError {
  readonly kind: 'SdpError';
  readonly reason: 'Empty' | 'MissingVersion' | 'BadLine' | 'BadOrigin' | 'BadMedia' | 'MissingOrigin';
  readonly line: number;
  readonly detail: string;
}

const fail = (reason: SdpError['reason'], line: number, detail: string): E.Either<SdpError, never> =>
  E.left({ kind: 'SdpError', reason, line, detail });

/** Whitespace-separated fields; the common single-space case without a regular expression. */
const fields = (value: string): string[] => {
  const trimmed = value.trim();
  return /\s\s|[^\S ]/.test(trimmed) ? trimmed.split(/\s+/) : trimmed.split(' ');
};

const isDigits = (text: string): boolean => {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
};

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** Splits on CRLF, LF or a lone CR, as real phones end lines. */
const splitLines = (text: string): string[] => {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 10 && c !== 13) continue;
    lines.push(text.slice(start, i));
    if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    start = i + 1;
  }
  lines.push(text.slice(start));
  return lines;
};

const parseOrigin = (value: string): Origin | undefined => {
  const parts = fields(value);
  if (parts.length !== 6) return undefined;
  const [username, sessionId, sessionVersion, netType, addrType, address] = parts as [
    string, string, string, string, string, string,
  ];
  if (!isDigits(sessionId) || !isDigits(sessionVersion)) return undefined;
  return { username, sessionId, sessionVersion, netType, addrType, address };
};

const parseMediaLine = (value: string): Omit<MediaDescription, 'lines'> | undefined => {
  const parts = fields(value);
  if (parts.length < 3) return undefined;
  const [media, portText, proto, ...formats] = parts as [string, string, string, ...string[]];
  const slash = portText.indexOf('/');
  const portPart = slash === -1 ? portText : portText.slice(0, slash);
  const countPart = slash === -1 ? undefined : portText.slice(slash + 1);
  if (!isDigits(portPart) || (countPart !== undefined && !isDigits(countPart)) || Number(portPart) > 65535) {
    return undefined;
  }
  return countPart === undefined
    ? { media, port: Number(portPart), proto, formats }
    : { media, port: Number(portPart), proto, formats, portCount: Number(countPart) };
};

/**
 * Parses SDP as real phones send it (RFC 8866 grammar, with tolerance): CRLF or
 * LF line ends, blank lines and leading whitespace ignored, unknown line types
 * and attributes kept in order, session-level lines found after a media
 * section kept with that section. Structural errors (no v=, a broken o= or m=)
 * are errors with a line number.
 */
export const parseSdp = (text: string): E.Either<SdpError, SessionDescription> => {
  const rawLines = splitLines(text);
  let version: number | undefined;
  let origin: Origin | undefined;
  let sessionName = '';
  const sessionLines: SdpLine[] = [];
  const media: Array<Omit<MediaDescription, 'lines'> & { lines: SdpLine[] }> = [];
  for (let index = 0; index < rawLines.length; index++) {
    const line = (rawLines[index] as string).trim();
    if (line.length === 0) continue;
    if (line.length < 2 || line.charCodeAt(1) !== 61 || !isLetter(line.charCodeAt(0))) return fail(
      'BadLine', index + 1, `not a type=value line: ${JSON.stringify(line.slice(0, 40))}`,
    );
    const type = line[0] as string;
    const value = line.slice(2);
    if (version === undefined) {
      if (type !== 'v' || !isDigits(value.trim())) return fail(
        'MissingVersion', index + 1, 'an SDP body starts with v=',
      );
      version = Number(value.trim());
      continue;
    }
    if (type === 'o' && origin === undefined && media.length === 0) {
      origin = parseOrigin(value);
      if (origin === undefined) return fail(
        'BadOrigin', index + 1, 'o= needs six fields with numeric session id and version',
      );
    } else if (type === 's' && media.length === 0 && sessionName === '' && !sessionLines.some((l) => l.type === 's')) {
      sessionName = value;
    } else if (type === 'm') {
      const parsed = parseMediaLine(value);
      if (parsed === undefined) return fail('BadMedia', index + 1, 'm= needs media, port[/count] and proto');
      media.push({ ...parsed, lines: [] });
    } else {
      const target = media.length === 0 ? sessionLines : (media[media.length - 1] as { lines: SdpLine[] }).lines;
      target.push({ type, value });
    }
  }
  if (version === undefined) return fail('Empty', 0, 'no SDP lines');
  if (origin === undefined) return fail('MissingOrigin', 0, 'o= is required');
  return E.right({ version, origin, sessionName, lines: sessionLines, media });
};
