import * as E from 'fp-ts/lib/Either.js';
import { parseListHeader } from './core-headers.js';
import { isToken, parseDecimal, scanToken, skipWs, splitTopLevel } from './grammar.js';
import { headerError, type HeaderError } from './header-error.js';
import { HEADER } from './header-names.js';
import { headerValue, headerValues, type SipMessage } from './message.js';
import { parseNameAddr, type NameAddr } from './name-addr.js';
import { formatParams, paramValue, parseParams, type Param } from './params.js';

/**
 * Typed access to the headers beyond the core set, parsed on demand. Each
 * returns Left with the header's name when its value breaks the grammar.
 */

/** A token with parameters: Content-Disposition, Event, Subscription-State, Retry-After's params… */
export interface TokenWithParams {
  readonly value: string;
  readonly params: ReadonlyArray<Param>;
}

export interface MediaType {
  readonly type: string;
  readonly subtype: string;
  readonly params: ReadonlyArray<Param>;
}

const parseTokenWithParams = (header: string, text: string): E.Either<HeaderError, TokenWithParams> => {
  const start = skipWs(text, 0);
  const end = scanToken(text, start);
  if (end === start) return E.left(headerError(header, 'expected a token', start));
  const params = parseParams(text, end);
  if (!params.ok) return E.left(headerError(header, params.detail, params.at));
  return E.right({ value: text.slice(start, end), params: params.params });
};

const optional = <T>(
  message: SipMessage, header: string, parse: (value: string) => E.Either<HeaderError, T>,
): E.Either<HeaderError, T | undefined> => {
  const value = headerValue(message, header);
  return value === undefined ? E.right(undefined) : parse(value);
};

/**
 * Comma-separated option tags or methods across all lines (Allow, Supported, Require, Proxy-Require, Unsupported,
 * Content-Encoding).
 */
export const getTokenList = (message: SipMessage, header: string): E.Either<HeaderError, ReadonlyArray<string>> =>
  parseListHeader(header, headerValues(message, header), (element) => {
    const token = element.trim();
    return isToken(token) ? E.right(token) : E.left({ detail: `'${token}' is not a token`, at: 0 });
  });

export const parseMediaType = (text: string): E.Either<HeaderError, MediaType> => {
  const start = skipWs(text, 0);
  const slash = scanToken(text, start);
  if (slash === start || text.charCodeAt(slash) !== 0x2f) return E.left(
    headerError(HEADER.ContentType, 'expected type/subtype', start),
  );
  const end = scanToken(text, slash + 1);
  if (end === slash + 1) return E.left(headerError(HEADER.ContentType, 'missing subtype', slash + 1));
  const params = parseParams(text, end);
  if (!params.ok) return E.left(headerError(HEADER.ContentType, params.detail, params.at));
  return E.right({
    type: text.slice(start, slash).toLowerCase(), subtype: text.slice(slash + 1, end).toLowerCase(),
    params: params.params,
  });
};

export const formatMediaType = (m: MediaType): string => `${m.type}/${m.subtype}${formatParams(m.params)}`;

export const getContentType = (m: SipMessage): E.Either<HeaderError, MediaType | undefined> =>
  optional(m, HEADER.ContentType, parseMediaType);
export const getContentDisposition = (m: SipMessage): E.Either<HeaderError, TokenWithParams | undefined> =>
  optional(m, HEADER.ContentDisposition, (v) => parseTokenWithParams(HEADER.ContentDisposition, v));
export const getEvent = (m: SipMessage): E.Either<HeaderError, TokenWithParams | undefined> =>
  optional(m, HEADER.Event, (v) => parseTokenWithParams(HEADER.Event, v));
export const getSubscriptionState = (m: SipMessage): E.Either<HeaderError, TokenWithParams | undefined> =>
  optional(m, HEADER.SubscriptionState, (v) => parseTokenWithParams(HEADER.SubscriptionState, v));

/** delta-seconds; §20.19: values beyond 2^32-1 are read as 2^32-1. */
const MAX_DELTA = 2 ** 32 - 1;
export const parseDeltaSeconds = (header: string, text: string): E.Either<HeaderError, number> => {
  const trimmed = text.trim();
  if (!/^[0-9]+$/.test(trimmed)) return E.left(headerError(header, 'not delta-seconds'));
  return E.right(trimmed.length > 10 ? MAX_DELTA : Math.min(Number(trimmed), MAX_DELTA));
};

const deltaHeader = (header: string) => (m: SipMessage): E.Either<HeaderError, number | undefined> =>
  optional(m, header, (v) => parseDeltaSeconds(header, v));

export const getExpires = deltaHeader(HEADER.Expires);
export const getMinExpires = deltaHeader(HEADER.MinExpires);
export const getMinSE = (m: SipMessage): E.Either<HeaderError, number | undefined> =>
  optional(
    m, HEADER.MinSE, (v) => E.map((t: TokenWithParams) => Number(t.value))(parseDeltaWithParams(HEADER.MinSE, v)),
  );

const parseDeltaWithParams = (header: string, text: string): E.Either<HeaderError, TokenWithParams> =>
  E.chain((t: TokenWithParams) =>
    (/^[0-9]{1,10}$/.test(t.value) ? E.right(t) : E.left(headerError(header, 'not delta-seconds'))))(
    parseTokenWithParams(header, text.replace(/\(.*\)/, '')));

export interface SessionExpires {
  readonly seconds: number;
  readonly refresher?: 'uac' | 'uas';
}

/** RFC 4028 §4: `Session-Expires: 1800;refresher=uac`. */
export const getSessionExpires = (m: SipMessage): E.Either<HeaderError, SessionExpires | undefined> =>
  optional(m, HEADER.SessionExpires, (v) =>
    E.chain((t: TokenWithParams): E.Either<HeaderError, SessionExpires> => {
      const refresher = paramValue(t.params, 'refresher')?.toLowerCase();
      if (refresher !== undefined && refresher !== 'uac' && refresher !== 'uas') return E.left(
        headerError(HEADER.SessionExpires, 'bad refresher'),
      );
      return E.right(refresher === undefined ? { seconds: Number(t.value) } : { seconds: Number(t.value), refresher });
    })(parseDeltaWithParams(HEADER.SessionExpires, v)));

export interface RetryAfter {
  readonly seconds: number;
  readonly comment?: string;
  readonly params: ReadonlyArray<Param>;
}

/** §20.33: `Retry-After: 18000;duration=3600` or `120 (I'm in a meeting)`. */
export const getRetryAfter = (m: SipMessage): E.Either<HeaderError, RetryAfter | undefined> =>
  optional(m, HEADER.RetryAfter, (v) => {
    const open = v.indexOf('(');
    const close = v.lastIndexOf(')');
    const comment = open !== -1 && close > open ? v.slice(open + 1, close) : undefined;
    return E.map((t: TokenWithParams): RetryAfter => ({
      seconds: Math.min(Number(t.value), MAX_DELTA),
      ...(comment === undefined ? {} : { comment }),
      params: t.params,
    }))(parseDeltaWithParams(HEADER.RetryAfter, open === -1 ? v : v.slice(0, open) + v.slice(close + 1)));
  });

export const getRSeq = (m: SipMessage): E.Either<HeaderError, number | undefined> =>
  optional(m, HEADER.RSeq, (v) => {
    const n = parseDecimal(v.trim(), MAX_DELTA);
    return n === undefined || n === 0 ? E.left(headerError(HEADER.RSeq, 'not a response number')) : E.right(n);
  });

export interface RAck {
  readonly rseq: number;
  readonly cseq: number;
  readonly method: string;
}

/** RFC 3262 §7.2: `RAck: 776656 1 INVITE`. */
export const getRAck = (m: SipMessage): E.Either<HeaderError, RAck | undefined> =>
  optional(m, HEADER.RAck, (v) => {
    const parts = v.trim().split(/[ \t]+/);
    const rseq = parseDecimal(parts[0] ?? '', MAX_DELTA);
    const cseq = parseDecimal(parts[1] ?? '', 2 ** 31 - 1);
    const method = parts[2] ?? '';
    if (parts.length !== 3 || rseq === undefined || cseq === undefined || !isToken(method)) return E.left(
      headerError(HEADER.RAck, 'expected RSeq CSeq Method'),
    );
    return E.right({ rseq, cseq, method });
  });

const nameAddrList = (header: string) => (m: SipMessage): E.Either<HeaderError, ReadonlyArray<NameAddr>> =>
  parseListHeader(header, headerValues(m, header), parseNameAddr);

export const getRoutes = nameAddrList(HEADER.Route);
export const getRecordRoutes = nameAddrList(HEADER.RecordRoute);
/** RFC 3327 Path: the proxies a REGISTER came through, in order. */
export const getPaths = nameAddrList('Path');

const singleNameAddr = (header: string) => (m: SipMessage): E.Either<HeaderError, NameAddr | undefined> =>
  optional(
    m, header,
    (v) => E.mapLeft((e: { detail: string; at: number }) => headerError(header, e.detail, e.at))(parseNameAddr(v)),
  );

export const getReferTo = singleNameAddr(HEADER.ReferTo);
export const getReferredBy = singleNameAddr(HEADER.ReferredBy);

export interface Replaces {
  readonly callId: string;
  readonly toTag: string;
  readonly fromTag: string;
  readonly earlyOnly: boolean;
}

/** RFC 3891 §6.1: `Replaces: callid;to-tag=…;from-tag=…[;early-only]`. */
export const parseReplaces = (text: string): E.Either<HeaderError, Replaces> => {
  const semi = text.indexOf(';');
  const callId = (semi === -1 ? text : text.slice(0, semi)).trim();
  if (callId.length === 0) return E.left(headerError(HEADER.Replaces, 'missing Call-ID'));
  const params = parseParams(text, semi === -1 ? text.length : semi);
  if (!params.ok) return E.left(headerError(HEADER.Replaces, params.detail, params.at));
  const toTag = paramValue(params.params, 'to-tag');
  const fromTag = paramValue(params.params, 'from-tag');
  if (toTag === undefined || fromTag === undefined) return E.left(
    headerError(HEADER.Replaces, 'to-tag and from-tag are required'),
  );
  return E.right({
    callId, toTag, fromTag, earlyOnly: params.params.some((p) => p.name.toLowerCase() === 'early-only'),
  });
};

export const getReplaces = (m: SipMessage): E.Either<HeaderError, Replaces | undefined> =>
  optional(m, HEADER.Replaces, parseReplaces);

export const formatReplaces = (r: Replaces): string =>
  `${r.callId};to-tag=${r.toTag};from-tag=${r.fromTag}${r.earlyOnly ? ';early-only' : ''}`;

export interface Credentials {
  readonly scheme: string;
  readonly params: ReadonlyMap<string, string>;
}

/**
 * WWW-Authenticate, Proxy-Authenticate, Authorization, Proxy-Authorization
 * (§20.7, §20.27, §20.28, §20.44): `Digest realm="x", nonce="y", …`. Parameter
 * names are lowercased; quoted values are unquoted. One challenge per line.
 */
export const parseCredentials = (header: string, text: string): E.Either<HeaderError, Credentials> => {
  const start = skipWs(text, 0);
  const end = scanToken(text, start);
  if (end === start) return E.left(headerError(header, 'missing auth scheme'));
  const items = splitTopLevel(text.slice(end));
  if (items === undefined) return E.left(headerError(header, 'unbalanced quotes'));
  const params = new Map<string, string>();
  for (const item of items) {
    if (item.trim().length === 0) continue;
    const parsed = parseParams(`;${item.trim()}`, 0);
    const param = parsed.ok ? parsed.params[0] : undefined;
    if (!parsed.ok || param === undefined || parsed.params.length !== 1) return E.left(
      headerError(header, `bad auth-param '${item.trim()}'`),
    );
    params.set(param.name.toLowerCase(), paramValue(parsed.params, param.name) ?? '');
  }
  return E.right({ scheme: text.slice(start, end), params });
};

export const getCredentials = (m: SipMessage, header: string): E.Either<HeaderError, ReadonlyArray<Credentials>> => {
  const out: Credentials[] = [];
  for (const value of headerValues(m, header)) {
    const parsed = parseCredentials(header, value);
    if (E.isLeft(parsed)) return parsed;
    out.push(parsed.right);
  }
  return E.right(out);
};

export const getUserAgent = (m: SipMessage): string | undefined => headerValue(m, HEADER.UserAgent);
export const getServer = (m: SipMessage): string | undefined => headerValue(m, HEADER.Server);
