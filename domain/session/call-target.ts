import * as E from 'fp-ts/lib/Either.js';
import { parseNameAddr, type NameAddr } from '../sip/name-addr.js';
import type { SessionError } from './session-error.js';

/**
 * A call target or identity as users write it (`sip:bob@host`, or
 * `"Bob" <sip:bob@host>;tag`): a SIP name-addr, or InvalidUri.
 */
export const parseTarget = (text: string): E.Either<SessionError, NameAddr> => {
  const parsed = parseNameAddr(text.includes('<') ? text : `<${text}>`);
  return E.isLeft(parsed) || parsed.right.uri.kind !== 'sip'
    ? E.left({ kind: 'InvalidUri', uri: text, message: `not a SIP URI: ${text}` })
    : E.right(parsed.right);
};
