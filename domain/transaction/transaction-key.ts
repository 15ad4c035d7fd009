import * as E from 'fp-ts/lib/Either.js';
import { transactionHeaders } from '../sip/core-headers.js';
import { formatUri } from '../sip/format-uri.js';
import type { HeaderError } from '../sip/header-error.js';
import { headerValue, type SipMessage, type SipRequest, type SipResponse } from '../sip/message.js';
import { paramValue } from '../sip/params.js';
import { parseNameAddr } from '../sip/name-addr.js';
import { headerError } from '../sip/header-error.js';
import { formatVia, viaBranch, viaSentBy } from '../sip/via.js';

/** RFC 3261 §8.1.1.7: a branch starting with this was built to be unique. */
export const MAGIC_COOKIE = 'z9hG4bK';

/**
 * Transaction keys as plain strings, so lookups are one Map access.
 * Client side (§17.1.3): branch + CSeq method. Server side (§17.2.3): branch +
 * sent-by + method, ACK mapping to INVITE; CANCEL keeps its own method, so it
 * is its own transaction. Without the magic cookie, RFC 2543 matching (§17.2.3):
 * Request-URI, From tag, Call-ID, CSeq number, top Via, and the To tag except
 * for INVITE/ACK (whose ACK carries the To tag of our response).
 */
export const clientKey = (branch: string, method: string): string => `c|${branch}|${method}`;

export const clientKeyOfResponse = (response: SipResponse): E.Either<HeaderError, string> => {
  const tx = transactionHeaders(response);
  if (E.isLeft(tx)) return tx;
  const top = tx.right.vias[0];
  const branch = top === undefined ? undefined : viaBranch(top);
  if (branch === undefined || tx.right.cseq === undefined) return E.left(
    headerError('Via', 'response without branch or CSeq'),
  );
  return E.right(clientKey(branch, tx.right.cseq.method));
};

export const clientKeyOfRequest = (request: SipRequest): E.Either<HeaderError, string> => {
  const tx = transactionHeaders(request);
  if (E.isLeft(tx)) return tx;
  const top = tx.right.vias[0];
  const branch = top === undefined ? undefined : viaBranch(top);
  if (branch === undefined) return E.left(headerError('Via', 'request without branch'));
  return E.right(clientKey(branch, request.method));
};

/** The key under which a request finds (or creates) its server transaction. */
export const serverKey = (request: SipRequest): E.Either<HeaderError, string> => {
  const tx = transactionHeaders(request);
  if (E.isLeft(tx)) return tx;
  const top = tx.right.vias[0];
  if (top === undefined) return E.left(headerError('Via', 'request without Via'));
  const method = request.method === 'ACK' ? 'INVITE' : request.method;
  const branch = viaBranch(top);
  if (branch !== undefined && branch.startsWith(MAGIC_COOKIE) && branch.length > MAGIC_COOKIE.length) {
    return E.right(`s|${branch}|${viaSentBy(top)}|${method}`);
  }
  return E.right(rfc2543Key(request, method, formatVia(top), tx.right.callId ?? '', tx.right.cseq?.seq ?? 0));
};

const tagOf = (message: SipMessage, header: 'From' | 'To'): string => {
  const value = headerValue(message, header);
  const parsed = value === undefined ? undefined : parseNameAddr(value);
  return parsed !== undefined && E.isRight(parsed) ? paramValue(parsed.right.params, 'tag') ?? '' : '';
};

const rfc2543Key = (request: SipRequest, method: string, topVia: string, callId: string, cseq: number): string => {
  const toTag = method === 'INVITE' ? '' : tagOf(request, 'To');
  return `2543|${formatUri(request.uri)}|${tagOf(request, 'From')}|${toTag}|${callId}|${cseq}|${topVia}|${method}`;
};

/** The INVITE server transaction a CANCEL refers to: the same key with method INVITE (§9.2). */
export const inviteKeyForCancel = (cancel: SipRequest): E.Either<HeaderError, string> =>
  serverKey({ ...cancel, method: 'INVITE' });
