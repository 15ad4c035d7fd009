/**
 * Digest authentication from the server's side (RFC 3261 §22, RFC 7616,
 * RFC 8760): challenges, self-checking nonces bound to the time they were
 * issued, reading credentials and computing the response they must carry.
 * Hashing and the server's secret come in as arguments: this stays pure.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { DigestError, HashName, Hasher } from './digest.js';
import { quote } from './grammar.js';
import { encodeUtf8 } from './text-codec.js';
import type { Credentials } from './typed-headers.js';
import { formatUri } from './format-uri.js';
import { parseUri } from './parse-uri.js';
import type { Uri } from './uri.js';

/** The algorithms a server may offer (the -sess variants are answered when a client uses them). */
export type DigestAlgorithm = 'SHA-512-256' | 'SHA-256' | 'MD5';

export interface ClientCredentials {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  /** As sent (MD5 when absent). */
  readonly algorithm: string;
  readonly cnonce: string | undefined;
  readonly qop: string | undefined;
  /** The nonce count, when qop is present. */
  readonly nc: number | undefined;
  readonly opaque: string | undefined;
  readonly userhash: boolean;
}

const fail = (detail: string): E.Either<DigestError, never> => E.left({ kind: 'DigestError', detail });

/** A `Digest …` Authorization or Proxy-Authorization value, read and checked for the parameters we need. */
export const readCredentials = (credentials: Credentials): E.Either<DigestError, ClientCredentials> => {
  if (credentials.scheme.toLowerCase() !== 'digest') return fail(`unsupported scheme '${credentials.scheme}'`);
  const p = credentials.params;
  const username = p.get('username');
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  const uri = p.get('uri');
  const response = p.get('response');
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined) {
    return fail('credentials without username, realm, nonce or uri');
  }
  if (response === undefined || !/^[0-9a-f]+$/i.test(response)) return fail('credentials without a hex response');
  const qop = p.get('qop')?.toLowerCase();
  const ncText = p.get('nc');
  const cnonce = p.get('cnonce');
  if (qop !== undefined && (ncText === undefined || !/^[0-9a-f]{8}$/i.test(ncText) || cnonce === undefined)) {
    return fail('qop without an 8-digit nc or a cnonce');
  }
  return E.right({
    username, realm, nonce, uri, response: response.toLowerCase(), algorithm: p.get('algorithm') ?? 'MD5', cnonce,
    qop, nc: ncText === undefined ? undefined : parseInt(ncText, 16), opaque: p.get('opaque'),
    userhash: (p.get('userhash') ?? '').toLowerCase() === 'true',
  });
};

/** The hash behind an algorithm name, and whether it is a -sess variant; undefined for one we do not speak. */
export const algorithmHash = (name: string): { readonly hash: HashName; readonly session: boolean } | undefined => {
  const upper = name.toUpperCase();
  const session = upper.endsWith('-SESS');
  const base = session ? upper.slice(0, -5) : upper;
  return base === 'MD5' || base === 'SHA-256' || base === 'SHA-512-256' ? { hash: base, session } : undefined;
};

/** H(username:realm:password): what a credential store keeps instead of the password (one per algorithm). */
export const ha1Of = (
  username: string, realm: string, password: string, algorithm: DigestAlgorithm, hasher: Hasher,
): string => hasher.hex(algorithm, encodeUtf8(`${username}:${realm}:${password}`));

/** The response a client knowing the password would send (RFC 7616 §3.4.1; RFC 2069 form without qop). */
export const expectedResponse = (
  credentials: ClientCredentials, ha1: string, method: string, body: Uint8Array, hasher: Hasher,
): string | undefined => {
  const algorithm = algorithmHash(credentials.algorithm);
  if (algorithm === undefined) return undefined;
  const h = (text: string): string => hasher.hex(algorithm.hash, encodeUtf8(text));
  const key = algorithm.session ? h(`${ha1}:${credentials.nonce}:${credentials.cnonce ?? ''}`) : ha1;
  const qop = credentials.qop;
  if (qop !== undefined && qop !== 'auth' && qop !== 'auth-int') return undefined;
  const ha2 = qop === 'auth-int'
    ? h(`${method}:${credentials.uri}:${hasher.hex(algorithm.hash, body)}`)
    : h(`${method}:${credentials.uri}`);
  if (qop === undefined) return h(`${key}:${credentials.nonce}:${ha2}`);
  const nc = (credentials.nc ?? 0).toString(16).padStart(8, '0');
  return h(`${key}:${credentials.nonce}:${nc}:${credentials.cnonce ?? ''}:${qop}:${ha2}`);
};

/** Compares two hex strings without an early exit (the time taken says nothing about the match). */
export const sameHex = (a: string, b: string): boolean => {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
};

/**
 * A nonce that proves itself: when it was issued, a random part, and a MAC of both under the server's
 * secret — checked without keeping any state until it is used (RFC 7616 §3.3: the server decides
 * what a nonce contains).
 */
export const makeNonce = (issuedAtMs: number, random: string, secret: string, hasher: Hasher): string => {
  const body = `${Math.floor(issuedAtMs).toString(36)}.${random}`;
  return `${body}.${nonceMac(body, secret, hasher)}`;
};

const nonceMac = (body: string, secret: string, hasher: Hasher): string =>
  hasher.hex('SHA-256', encodeUtf8(`${secret}:${body}`)).slice(0, 32);

export type NonceCheck = 'Valid' | 'Stale' | 'Forged';

/** When one of our nonces was issued (ms), read from its text; NaN for text that is not one. */
export const nonceIssuedAt = (nonce: string): number => {
  const first = nonce.indexOf('.');
  return first <= 0 ? Number.NaN : parseInt(nonce.slice(0, first), 36);
};

/** Whether we issued `nonce` (its MAC holds) and it is younger than `lifetimeMs` (else Stale, §22.4). */
export const checkNonce = (
  nonce: string, nowMs: number, lifetimeMs: number, secret: string, hasher: Hasher,
): NonceCheck => {
  const last = nonce.lastIndexOf('.');
  const first = nonce.indexOf('.');
  if (first <= 0 || last <= first) return 'Forged';
  const body = nonce.slice(0, last);
  if (!sameHex(nonce.slice(last + 1), nonceMac(body, secret, hasher))) return 'Forged';
  const issuedAtMs = parseInt(nonce.slice(0, first), 36);
  if (!Number.isFinite(issuedAtMs) || issuedAtMs > nowMs + 1_000) return 'Forged';
  return nowMs - issuedAtMs > lifetimeMs ? 'Stale' : 'Valid';
};

/** One WWW-Authenticate or Proxy-Authenticate value (one per algorithm offered, in preference order). */
export const challengeValue = (
  realm: string, nonce: string, opaque: string, algorithm: DigestAlgorithm, stale: boolean,
): string =>
  `Digest realm=${quote(realm)}, nonce=${quote(nonce)}, opaque=${quote(opaque)}, algorithm=${algorithm}, `
  + `qop="auth,auth-int"${stale ? ', stale=true' : ''}`;

/**
 * Whether the digest-uri names the request's target (RFC 2617 §3.2.2.5: the same resource as the
 * Request-URI). The exact Request-URI matches; so does a URI of the same scheme, host and port without
 * the user part or with the same one — what SIPp and some phones send (`sip:HOST:PORT`). Anything else
 * (another server, a credential minted for another request) does not. The response hash covers the
 * text sent, and nonce counts stop replays, so this tolerance grants nothing a guesser could use.
 */
export const digestUriMatches = (digestUri: string, requestUri: Uri): boolean => {
  if (digestUri === formatUri(requestUri)) return true;
  const given = parseUri(digestUri);
  if (E.isLeft(given) || given.right.kind !== 'sip' || requestUri.kind !== 'sip') return false;
  const g = given.right;
  return g.scheme === requestUri.scheme && g.host.toLowerCase() === requestUri.host.toLowerCase()
    && (g.port ?? 0) === (requestUri.port ?? 0) && (g.user === undefined || g.user === requestUri.user);
};
