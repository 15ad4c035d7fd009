import * as E from 'fp-ts/lib/Either.js';
import {
  digestAuthorization, parseDigestChallenge, preferredChallenge, resubmitWith, type DigestChallenge,
} from '../../domain/sip/digest.js';
import { formatUri } from '../../domain/sip/format-uri.js';
import { HEADER } from '../../domain/sip/header-names.js';
import type { SipHeader, SipRequest, SipResponse } from '../../domain/sip/message.js';
import { getCredentials } from '../../domain/sip/typed-headers.js';
import type { TransportProtocol } from '../../domain/transport/endpoint.js';
import { newVia, type UaContext } from './ua-context.js';

/** What the user gives to answer Digest challenges for any realm. */
export interface UserCredentials {
  readonly username: string;
  readonly password: string;
}

/** Requests sent again for one request after challenges; a server that keeps challenging is refused after this. */
const MAX_RESUBMISSIONS = 3;

/** What a 401/407 asked for: which header answers it, and the strongest challenge per realm (RFC 7616 §3.7). */
export interface Challenge {
  readonly proxy: boolean;
  readonly challenges: ReadonlyArray<DigestChallenge>;
}

export const readChallenge = (response: SipResponse): Challenge | undefined => {
  const proxy = response.status === 407;
  const offered = getCredentials(response, proxy ? HEADER.ProxyAuthenticate : HEADER.WwwAuthenticate);
  if (E.isLeft(offered)) return undefined;
  const byRealm = new Map<string, DigestChallenge[]>();
  for (const credential of offered.right) {
    const challenge = parseDigestChallenge(credential);
    if (E.isRight(challenge)) byRealm.set(
      challenge.right.realm, [...(byRealm.get(challenge.right.realm) ?? []), challenge.right],
    );
  }
  const challenges = [...byRealm.values()].map(preferredChallenge).filter((c): c is DigestChallenge => c !== undefined);
  return challenges.length === 0 ? undefined : { proxy, challenges };
};

/**
 * Authorization (or Proxy-Authorization) lines answering `challenge` for `request`; `nonceCount` counts uses of each
 * nonce.
 */
export const credentialLines = (
  ctx: UaContext, request: SipRequest, challenge: Challenge, credentials: UserCredentials, nonceCount: number,
): SipHeader[] | undefined => {
  if (ctx.hash === undefined) return undefined;
  const lines: SipHeader[] = [];
  for (const c of challenge.challenges) {
    const value = digestAuthorization(c, {
      username: credentials.username, password: credentials.password, method: request.method,
      uri: formatUri(request.uri), body: request.body, cnonce: ctx.ids.token(16), nonceCount,
    }, ctx.hash);
    if (E.isLeft(value)) return undefined;
    lines.push({ name: challenge.proxy ? HEADER.ProxyAuthorization : HEADER.Authorization, value: value.right });
  }
  return lines;
};

/**
 * The request to send after a 401 or 407 (§22.2), or undefined when it should
 * not be sent: no credentials or hash, nothing we can answer, or a second
 * challenge that is not `stale` (the password was wrong: asking again would
 * only loop). `onChallenge` learns what was answered (to answer ahead next time).
 */
export const answerChallenge = (
  ctx: UaContext, request: SipRequest, response: SipResponse, credentials: UserCredentials | undefined,
  resubmissions: number, protocol: TransportProtocol, seq?: number, onChallenge?: (challenge: Challenge) => void,
): SipRequest | undefined => {
  if (credentials === undefined || resubmissions >= MAX_RESUBMISSIONS) return undefined;
  const challenge = readChallenge(response);
  if (challenge === undefined || (resubmissions > 0 && !challenge.challenges.every((c) => c.stale))) return undefined;
  const lines = credentialLines(ctx, request, challenge, credentials, 1);
  if (lines === undefined) return undefined;
  const resubmitted = resubmitWith(request, newVia(ctx, protocol), lines, seq);
  if (E.isLeft(resubmitted)) return undefined;
  onChallenge?.(challenge);
  return resubmitted.right;
};
