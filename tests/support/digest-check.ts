import * as E from 'fp-ts/lib/Either.js';
import { NodeHash } from '../../adapters/node/node-hash.js';
import { computeDigest, parseDigestChallenge } from '../../domain/sip/digest.js';
import { headerValue, type SipRequest } from '../../domain/sip/message.js';
import { parseCredentials } from '../../domain/sip/typed-headers.js';

const hash = new NodeHash();

/** A server's check: does `request`'s `header` answer `challengeText` with `password` (any nonce count)? */
export const answersChallenge = (
  request: SipRequest, header: string, challengeText: string, password: string,
): boolean => {
  const sent = headerValue(request, header);
  if (sent === undefined) return false;
  const credentials = parseCredentials(header, sent);
  const challenge = E.chainW(parseDigestChallenge)(parseCredentials(header, challengeText));
  if (E.isLeft(credentials) || E.isLeft(challenge)) return false;
  const p = credentials.right.params;
  const expected = computeDigest(challenge.right, {
    username: p.get('username') ?? '', password, method: request.method, uri: p.get('uri') ?? '', body: request.body,
    cnonce: p.get('cnonce') ?? '', nonceCount: parseInt(p.get('nc') ?? '1', 16),
  }, hash);
  return E.isRight(expected) && expected.right.response === p.get('response');
};
