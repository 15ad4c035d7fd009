import * as E from 'fp-ts/lib/Either.js';
import { transactionHeaders } from '../sip/core-headers.js';
import { splitTopLevel } from '../sip/grammar.js';
import { HEADER } from '../sip/header-names.js';
import { headerValues, type SipMessage } from '../sip/message.js';
import { parseNameAddr } from '../sip/name-addr.js';
import { isFlowHost, stripBrackets } from './endpoint.js';

/**
 * The `.invalid` hosts a request names itself by — its top Via's sent-by and its Contacts' hosts (RFC 7118
 * §5: a WebSocket client has no address of its own) — lowercased, each once. Later requests and responses
 * for those hosts must travel over the connection this request came on.
 */
export const flowHostsOf = (message: SipMessage): ReadonlyArray<string> => {
  if (message.kind !== 'request') return [];
  const hosts = new Set<string>();
  const tx = transactionHeaders(message);
  const via = E.isRight(tx) ? tx.right.vias[0] : undefined;
  if (via !== undefined && isFlowHost(via.host)) hosts.add(via.host.toLowerCase());
  for (const value of headerValues(message, HEADER.Contact)) {
    for (const part of splitTopLevel(value) ?? []) {
      const contact = parseNameAddr(part.trim());
      if (E.isLeft(contact) || contact.right.uri.kind !== 'sip') continue;
      const host = stripBrackets(contact.right.uri.host);
      if (isFlowHost(host)) hosts.add(host.toLowerCase());
    }
  }
  return [...hosts];
};
