import * as E from 'fp-ts/lib/Either.js';
import { formatUri } from '../domain/sip/format-uri.js';
import type { SipHeader, SipMessage } from '../domain/sip/message.js';
import { requestRecord, responseRecord } from '../domain/sip/message-record.js';
import { parseUri } from '../domain/sip/parse-uri.js';
import { detachedString } from './own-string.js';

const detachedHeaders = (headers: ReadonlyArray<SipHeader>): SipHeader[] => headers.map(
  (h) => ({ name: h.name, value: detachedString(h.value) }),
);

/**
 * A copy of `message` for keeping a while (a final response a server
 * transaction may retransmit, the ACK re-sent for 2xx retransmissions): header
 * values and Request-URI in storage of their own, so the copy does not hold
 * the text of the message its values were copied from, and without the parse
 * memo (re-read on demand). The body view is kept as is.
 */
export const detachedMessage = <M extends SipMessage>(message: M): M => {
  if (message.kind === 'response') {
    const headers = detachedHeaders(message.headers);
    return responseRecord(message.version, message.status, message.reason, headers, message.body) as M;
  }
  const uri = parseUri(detachedString(formatUri(message.uri)));
  const headers = detachedHeaders(message.headers);
  const target = E.isRight(uri) ? uri.right : message.uri;
  return requestRecord(message.method, target, message.version, headers, message.body) as M;
};
