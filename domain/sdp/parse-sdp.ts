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

const parseOrigin = (value: string): Origin | undefined => {
  const parts = value.trim().split(/\s+/);
  if (parts.length !== 6) return undefined;
  const [username, sessionId, sessionVersion, netType, addrType, address] = parts as [
    string, string, string, string, string, string,
  ];
  if (!/^\d+$/.test(sessionId) || !/^\d+$/.test(sessionVersion)) return undefined;
  return { username, sessionId, sessionVersion, netType, addrType, address };
};

const parseMediaLine = (value: string): Omit<MediaDescription, 'lines'> | undefined => {
  const parts = value.trim().split(/\s+/);
  if (parts.length < 3) return undefined;
  const [media, portText, proto, ...formats] = parts as [string, string, string, ...string[]];
  const match = /^(\d+)(?:\/(\d+))?$/.exec(portText);
  if (match === null || Number(match[1]) > 65535) return undefined;
  return {
    media, port: Number(match[1]), proto, formats,
    ...(match[2] === undefined ? {} : { portCount: Number(match[2]) }),
  };
};

/**
 * Parses SDP as real phones send it (RFC 8866 grammar, with tolerance): CRLF or
 * LF line ends, blank lines and leading whitespace ignored, unknown line types
 * and attributes kept in order, session-level lines found after a media
 * section kept with that section. Structural errors (no v=, a broken o= or m=)
 * are errors with a line number.
 */
export const parseSdp = (text: string): E.Either<SdpError, SessionDescription> => {
  const rawLines = text.split(/\r?\n|\r/);
  let version: number | undefined;
  let origin: Origin | undefined;
  let sessionName = '';
  const sessionLines: SdpLine[] = [];
  const media: Array<Omit<MediaDescription, 'lines'> & { lines: SdpLine[] }> = [];
  for (let index = 0; index < rawLines.length; index++) {
    const line = (rawLines[index] as string).trim();
    if (line.length === 0) continue;
    if (line.length < 2 || line[1] !== '=' || !/^[a-zA-Z]$/.test(line[0] as string)) return fail(
      'BadLine', index + 1, `not a type=value line: ${JSON.stringify(line.slice(0, 40))}`,
    );
    const type = line[0] as string;
    const value = line.slice(2);
    if (version === undefined) {
      if (type !== 'v' || !/^\d+$/.test(value.trim())) return fail(
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
