import * as E from 'fp-ts/lib/Either.js';
import { isDigit, isTokenChar, parseDecimal, scanToken, skipWs } from './grammar.js';
import { formatParams, paramValue, findParam, parseParams } from './params.js';
import { scanHost } from './parse-uri.js';
import { parseCanonicalVia } from './via-canonical.js';
import type { Via } from './via-value.js';

export type { Via } from './via-value.js';

export type ViaError = { readonly detail: string; readonly at: number };

const fail = (detail: string, at: number): E.Either<ViaError, never> => E.left({ detail, at });

/** The usual sent-protocol prefix, matched as is before the general LWS-tolerant scan. */
const SIP_2_0 = 'SIP/2.0/';
const KNOWN_TRANSPORTS = ['UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS'];

/** The transport in upper case, reusing the constant for the usual ones. */
const transportAt = (text: string, from: number, to: number): string => {
  for (const known of KNOWN_TRANSPORTS) if (known.length === to - from && text.startsWith(known, from)) return known;
  return text.slice(from, to).toUpperCase();
};

/**
 * Parses a single via-parm; LWS is allowed around the slashes of sent-protocol.
 * The form nearly every peer sends is read by a strict fast path first.
 */
export const parseVia = (text: string): E.Either<ViaError, Via> => {
  const canonical = parseCanonicalVia(text, 0, text.length);
  return canonical === undefined ? parseAnyVia(text) : E.right(canonical);
};

/** The general via-parm grammar: LWS anywhere it is allowed, any protocol, IPv6, quoted values. */
export const parseAnyVia = (text: string): E.Either<ViaError, Via> => {
  let protocolName = 'SIP';
  let protocolVersion = '2.0';
  let transport: string;
  let i = skipWs(text, 0);
  if (text.startsWith(SIP_2_0, i) && isTokenChar(text.charCodeAt(i + SIP_2_0.length))) {
    const end = scanToken(text, i + SIP_2_0.length);
    transport = transportAt(text, i + SIP_2_0.length, end);
    i = skipWs(text, end);
  } else {
    const parts: string[] = [];
    for (let k = 0; k < 3; k++) {
      const end = scanToken(text, i);
      if (end === i) return fail('bad sent-protocol', i);
      parts.push(text.slice(i, end));
      i = skipWs(text, end);
      if (k < 2) {
        if (text.charCodeAt(i) !== 0x2f) return fail("expected '/' in sent-protocol", i);
        i = skipWs(text, i + 1);
      }
    }
    [protocolName, protocolVersion, transport] = parts as [string, string, string];
    transport = transport.toUpperCase();
  }
  const hostStart = i;
  if (hostStart === text.length) return fail('missing sent-by', i);
  const hostEnd = scanHost(text, i);
  if (hostEnd === -1 || hostEnd === i) return fail('bad sent-by host', i);
  i = skipWs(text, hostEnd);
  let port: number | undefined;
  if (text.charCodeAt(i) === 0x3a) {
    i = skipWs(text, i + 1);
    const digitsStart = i;
    let value = 0;
    // Leading zeros are legal (port = 1*DIGIT); the value saturates just above the range.
    while (i < text.length && isDigit(text.charCodeAt(i))) value = Math.min(
      value * 10 + text.charCodeAt(i++) - 0x30, 65536,
    );
    if (i === digitsStart || value > 65535) return fail('bad sent-by port', digitsStart);
    port = value;
  }
  const params = parseParams(text, i);
  if (!params.ok) return fail(params.detail, params.at);
  // Built in one shape (no conditional spreads): this runs for every message.
  const via: { -readonly [K in keyof Via]: Via[K] } = {
    protocolName, protocolVersion, transport, host: text.slice(hostStart, hostEnd), params: params.params,
  };
  if (port !== undefined) via.port = port;
  const ttl = paramValue(via.params, 'ttl');
  if (ttl !== undefined && parseDecimal(ttl, 255) === undefined) return fail('bad ttl', i);
  return E.right(via);
};

export const formatVia = (via: Via): string =>
  `${via.protocolName}/${via.protocolVersion}/${via.transport} ${via.host}`
  + `${via.port === undefined ? '' : `:${via.port}`}${formatParams(via.params)}`;

export const viaBranch = (via: Via): string | undefined => paramValue(via.params, 'branch');
export const viaReceived = (via: Via): string | undefined => paramValue(via.params, 'received');
export const viaMaddr = (via: Via): string | undefined => paramValue(via.params, 'maddr');

export const viaTtl = (via: Via): number | undefined => {
  const ttl = paramValue(via.params, 'ttl');
  return ttl === undefined ? undefined : parseDecimal(ttl, 255);
};

/** RFC 3581: `true` when rport is present without a value (a request to fill it), the port when filled. */
export const viaRport = (via: Via): number | true | undefined => {
  const param = findParam(via.params, 'rport');
  if (param === undefined) return undefined;
  if (param.value === undefined) return true;
  return parseDecimal(param.value, 65535);
};

/** sent-by as `host:port`, with the transport's default port when none is given. */
export const viaSentBy = (via: Via): string => `${via.host.toLowerCase()}:${via.port ?? defaultPort(via.transport)}`;

export const defaultPort = (transport: string): number => (transport === 'TLS' || transport === 'WSS' ? 5061 : 5060);
