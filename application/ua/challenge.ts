import * as E from 'fp-ts/lib/Either.js';
import { digestAuthorization, parseDigestChallenge, preferredChallenge, resubmitWith, type DigestChallenge } from '../../domain/sip/digest.js';
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

/**
 * The request to send after a 401 or 407 (§22.2), or undefined when it should
 * not be sent: no credentials or hash, nothing we can answer, or a second
 * challenge that is not `stale` (the password was wrong: asking again would
 * only loop).
 */
export const answerChallenge = (
  ctx: UaContext, request: SipRequest, response: SipResponse, credentials: UserCredentials | undefined,
  resubmissions: number, protocol: TransportProtocol, seq?: number,
): SipRequest | undefined => {
  if (credentials === undefined || ctx.hash === undefined || resubmissions >= MAX_RESUBMISSIONS) return undefined;
  const proxy = response.status === 407;
  const offered = getCredentials(response, proxy ? HEADER.ProxyAuthenticate : HEADER.WwwAuthenticate);
  if (E.isLeft(offered)) return undefined;
  const byRealm = new Map<string, DigestChallenge[]>();
  for (const credential of offered.right) {
    const challenge = parseDigestChallenge(credential);
    if (E.isRight(challenge)) byRealm.set(challenge.right.realm, [...(byRealm.get(challenge.right.realm) ?? []), challenge.right]);
  }
  const chosen = [...byRealm.values()].map(preferredChallenge).filter((c): c is DigestChallenge => c !== undefined);
  if (chosen.length === 0 || (resubmissions > 0 && !chosen.every((c) => c.stale))) return undefined;
  const answers: SipHeader[] = [];
  for (const challenge of chosen) {
    const value = digestAuthorization(challenge, {
      username: credentials.username, password: credentials.password, method: request.method, uri: formatUri(request.uri),
      body: request.body, cnonce: ctx.ids.token(16), nonceCount: 1,
    }, ctx.hash);
    if (E.isLeft(value)) return undefined;
    answers.push({ name: proxy ? HEADER.ProxyAuthorization : HEADER.Authorization, value: value.right });
  }
  const resubmitted = resubmitWith(request, newVia(ctx, protocol), answers, seq);
  return E.isRight(resubmitted) ? resubmitted.right : undefined;
};
