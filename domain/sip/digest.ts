/**
 * Digest authentication for a UAC (RFC 3261 §22, RFC 7616, RFC 8760): reading
 * a challenge and answering it. Hashing comes in as a function (the Hash port),
 * the client nonce as an argument, so everything here is pure.
 */
import * as E from 'fp-ts/lib/Either.js';
import { getCSeq, type CSeq } from './core-headers.js';
import { quote } from './grammar.js';
import type { HeaderError } from './header-error.js';
import { HEADER } from './header-names.js';
import type { SipHeader, SipRequest } from './message.js';
import { requestRecord } from './message-record.js';
import { encodeUtf8 } from './text-codec.js';
import type { Credentials } from './typed-headers.js';
import { formatVia, type Via } from './via.js';

/** The hash functions Digest names (RFC 7616 §3.2, RFC 8760); SHA-512-256 is SHA-512/256 of FIPS 180-4. */
export type HashName = 'MD5' | 'SHA-256' | 'SHA-512-256';

/** What the computation needs from a hash implementation (the Hash port satisfies it). */
export interface Hasher {
  /** Lower-case hex digest of `data`. */
  hex(name: HashName, data: Uint8Array): string;
}

export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string;
  /** As named by the server (MD5 when absent), e.g. `SHA-256-sess`. */
  readonly algorithm: string;
  /** The qop options offered; empty for an RFC 2069 challenge. */
  readonly qop: ReadonlyArray<string>;
  /** The previous credentials were good but the nonce expired: retry without asking the user (§22.4). */
  readonly stale: boolean;
  readonly userhash: boolean;
}

export interface DigestError {
  readonly kind: 'DigestError';
  readonly detail: string;
}

const fail = (detail: string): E.Either<DigestError, never> => E.left({ kind: 'DigestError', detail });

/** Algorithms we answer, strongest first (RFC 7616 §3.7: choose the most preferred). */
const ALGORITHMS: ReadonlyArray<{ readonly name: string; readonly hash: HashName; readonly session: boolean }> = [
  { name: 'SHA-512-256', hash: 'SHA-512-256', session: false },
  { name: 'SHA-512-256-SESS', hash: 'SHA-512-256', session: true },
  { name: 'SHA-256', hash: 'SHA-256', session: false }, { name: 'SHA-256-SESS', hash: 'SHA-256', session: true },
  { name: 'MD5', hash: 'MD5', session: false }, { name: 'MD5-SESS', hash: 'MD5', session: true },
];

const algorithmOf = (name: string) => ALGORITHMS.find((a) => a.name === name.toUpperCase());

/** A WWW-Authenticate or Proxy-Authenticate value, already split into scheme and parameters. */
export const parseDigestChallenge = (credentials: Credentials): E.Either<DigestError, DigestChallenge> => {
  if (credentials.scheme.toLowerCase() !== 'digest') return fail(`unsupported scheme '${credentials.scheme}'`);
  const p = credentials.params;
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  if (realm === undefined || nonce === undefined) return fail('challenge without realm or nonce');
  const algorithm = p.get('algorithm') ?? 'MD5';
  if (algorithmOf(algorithm) === undefined) return fail(`unsupported algorithm '${algorithm}'`);
  const opaque = p.get('opaque');
  const qop = (p.get('qop') ?? '').split(',').map((q) => q.trim().toLowerCase()).filter((q) => q.length > 0);
  return E.right({
    realm, nonce, algorithm, qop,
    stale: (p.get('stale') ?? '').toLowerCase() === 'true',
    userhash: (p.get('userhash') ?? '').toLowerCase() === 'true',
    ...(opaque === undefined ? {} : { opaque }),
  });
};

/** RFC 7616 §3.7: the strongest algorithm among the challenges for one realm. */
export const preferredChallenge = (challenges: ReadonlyArray<DigestChallenge>): DigestChallenge | undefined => {
  const rank = (c: DigestChallenge): number => ALGORITHMS.findIndex((a) => a.name === c.algorithm.toUpperCase());
  return [...challenges].sort((a, b) => rank(a) - rank(b))[0];
};

export interface DigestRequest {
  readonly username: string;
  readonly password: string;
  readonly method: string;
  /** The digest-uri: the Request-URI as sent. */
  readonly uri: string;
  /** Only read for qop=auth-int. */
  readonly body: Uint8Array;
  /** Client nonce, from the Random port; unused without qop. */
  readonly cnonce: string;
  /** Requests sent with this nonce so far, this one included (nc). */
  readonly nonceCount: number;
}

export interface DigestComputation {
  readonly ha1: string;
  readonly ha2: string;
  readonly response: string;
  /** H(username ":" realm), sent in place of the name when the server asked for userhash. */
  readonly usernameHash?: string;
  /** The qop chosen (auth preferred to auth-int), undefined for RFC 2069 mode. */
  readonly qop?: 'auth' | 'auth-int';
}

const nc8 = (count: number): string => count.toString(16).padStart(8, '0');

/** HA1, HA2 and the response (RFC 7616 §3.4.1–3.4.3; RFC 2069 form when no qop is offered). */
export const computeDigest = (
  challenge: DigestChallenge, request: DigestRequest, hash: Hasher,
): E.Either<DigestError, DigestComputation> => {
  const algorithm = algorithmOf(challenge.algorithm);
  if (algorithm === undefined) return fail(`unsupported algorithm '${challenge.algorithm}'`);
  const offered = challenge.qop;
  // auth when offered, else auth-int; none offered is RFC 2069 compatibility; qop we do not know is null.
  const qop = offered.length === 0 ? undefined
    : offered.includes('auth') ? 'auth' : offered.includes('auth-int') ? 'auth-int' : null;
  if (qop === null) return fail(`unsupported qop '${challenge.qop.join(',')}'`);
  const h = (text: string): string => hash.hex(algorithm.hash, encodeUtf8(text));
  let ha1 = h(`${request.username}:${challenge.realm}:${request.password}`);
  if (algorithm.session) ha1 = h(`${ha1}:${challenge.nonce}:${request.cnonce}`);
  const ha2 = qop === 'auth-int'
    ? h(`${request.method}:${request.uri}:${hash.hex(algorithm.hash, request.body)}`)
    : h(`${request.method}:${request.uri}`);
  const response = qop === undefined
    ? h(`${ha1}:${challenge.nonce}:${ha2}`)
    : h(`${ha1}:${challenge.nonce}:${nc8(request.nonceCount)}:${request.cnonce}:${qop}:${ha2}`);
  return E.right({
    ha1, ha2, response,
    ...(qop === undefined ? {} : { qop }),
    ...(challenge.userhash ? { usernameHash: h(`${request.username}:${challenge.realm}`) } : {}),
  });
};

/** The Authorization (or Proxy-Authorization) value answering `challenge` (RFC 7616 §3.4). */
export const digestAuthorization = (
  challenge: DigestChallenge, request: DigestRequest, hash: Hasher,
): E.Either<DigestError, string> =>
  E.map((d: DigestComputation) => {
    const parts = [
      `username=${quote(d.usernameHash ?? request.username)}`, `realm=${quote(challenge.realm)}`,
      `nonce=${quote(challenge.nonce)}`,
      `uri=${quote(request.uri)}`, `response=${quote(d.response)}`, `algorithm=${challenge.algorithm}`,
    ];
    if (d.qop !== undefined) parts.push(
      `cnonce=${quote(request.cnonce)}`, `qop=${d.qop}`, `nc=${nc8(request.nonceCount)}`,
    );
    if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
    if (d.usernameHash !== undefined) parts.push('userhash=true');
    return `Digest ${parts.join(', ')}`;
  })(computeDigest(challenge, request, hash));

/**
 * The request to send again after a 401 or 407 (§22.2, §8.1.3.5): the same
 * Call-ID, From and To, a new CSeq number (`seq`, by default one higher; a
 * dialog gives its next), `via` as the new top Via (a new branch: a new
 * transaction), and `credentials` in place of any sent before.
 */
export const resubmitWith = (
  request: SipRequest, via: Via, credentials: ReadonlyArray<SipHeader>, seq?: number,
): E.Either<HeaderError, SipRequest> =>
  E.map((cseq: CSeq) => {
    const headers: SipHeader[] = [];
    let topVia = true;
    for (const header of request.headers) {
      if (header.name === HEADER.Authorization || header.name === HEADER.ProxyAuthorization) continue;
      if (header.name === HEADER.Via && topVia) {
        topVia = false;
        headers.push({ name: HEADER.Via, value: formatVia(via) });
      } else if (header.name === HEADER.CSeq) headers.push({
        name: HEADER.CSeq, value: `${seq ?? cseq.seq + 1} ${cseq.method}`,
      });
      else headers.push(header);
    }
    headers.push(...credentials);
    return requestRecord(request.method, request.uri, request.version, headers, request.body);
  })(getCSeq(request));
