import * as E from 'fp-ts/lib/Either.js';
import { badRequestResponse } from '../sip/bad-request-response.js';
import { rememberTransactionHeaders, transactionHeaders } from '../sip/core-headers.js';
import { splitTopLevel } from '../sip/grammar.js';
import { HEADER } from '../sip/header-names.js';
import type { SipHeader, SipMessage, SipRequest, SipResponse } from '../sip/message.js';
import { removeParam, setParam } from '../sip/params.js';
import { parseMessage, type ParseOptions } from '../sip/parse-message.js';
import { describeParseError, parseError, type SipParseError } from '../sip/parse-error.js';
import { formatVia, type Via } from '../sip/via.js';
import { stripBrackets, type Endpoint } from './endpoint.js';
import { responseTarget } from './response-target.js';

export type DropReason = 'Unparsable' | 'TooLarge' | 'MissingVia';

/** What the transport does with received bytes. */
export type InboundResult =
  | { readonly kind: 'message'; readonly message: SipMessage }
  | { readonly kind: 'reply'; readonly response: SipResponse; readonly target: Endpoint; readonly detail: string }
  | { readonly kind: 'drop'; readonly reason: DropReason; readonly detail: string };

/**
 * Turns one datagram or framed stream message into a message for the layer
 * above (§18.2.1, §18.1.2). A request that does not parse is answered with a
 * 400 (513 when too large) when its start line and Via can be read (§21.4.1), otherwise dropped; a
 * response that does not parse is dropped. Requests get `received` and `rport`
 * stamped on their top Via (RFC 3581 §4).
 */
export const receiveBytes = (bytes: Uint8Array, source: Endpoint, options: ParseOptions): InboundResult => {
  if (bytes.length > options.maxMessageBytes) return receiveOversized(
    bytes, source, `${bytes.length} bytes exceed ${options.maxMessageBytes}`,
  );
  const parsed = parseMessage(bytes, options);
  if (E.isLeft(parsed)) return answerUnparsable(bytes, source, parsed.left, 'Unparsable');
  const message = parsed.right;
  if (message.kind === 'response') return { kind: 'message', message };
  const tx = transactionHeaders(message);
  const top = E.isRight(tx) ? tx.right.vias[0] : undefined;
  // §8.2: a request without Via cannot be answered; nothing can route the 400.
  if (top === undefined || E.isLeft(tx)) return { kind: 'drop', reason: 'MissingVia', detail: 'request without Via' };
  const stamped = stampReceived(top, source);
  if (stamped === top) return { kind: 'message', message };
  const rewritten = replaceTopVia(message, stamped);
  rememberTransactionHeaders(rewritten, { ...tx.right, vias: [stamped, ...tx.right.vias.slice(1)] });
  return { kind: 'message', message: rewritten };
};

/**
 * A message above the size limit, datagram or stream alike: a request whose
 * start line and Via can be read from its head gets 513 Message Too Large
 * (§21.5.14); anything else is dropped.
 */
export const receiveOversized = (head: Uint8Array, source: Endpoint, detail: string): InboundResult =>
  answerUnparsable(head, source, parseError('TooLarge', detail, 0), 'TooLarge');

const answerUnparsable = (
  bytes: Uint8Array, source: Endpoint, error: SipParseError, reason: DropReason,
): InboundResult => {
  const bad = badRequestResponse(bytes, error);
  const detail = describeParseError(error);
  if (bad === undefined) return { kind: 'drop', reason, detail };
  const via = stampReceived(bad.topVia, source);
  return { kind: 'reply', response: bad.response, target: responseTarget(via, source), detail };
};

/**
 * §18.2.1: add `received` when sent-by's host differs from the packet source;
 * RFC 3581 §4: when `rport` is present without a value, fill it with the
 * source port and always add `received`.
 */
export const stampReceived = (via: Via, source: Endpoint): Via => {
  const rportParam = via.params.find((p) => p.name.toLowerCase() === 'rport');
  const wantsRport = rportParam !== undefined && rportParam.value === undefined;
  const hostDiffers = stripBrackets(via.host).toLowerCase() !== source.host.toLowerCase();
  if (!wantsRport && !hostDiffers) return via;
  let params = via.params;
  if (hostDiffers || wantsRport) params = setParam(removeParam(params, 'received'), 'received', source.host);
  if (wantsRport) params = setParam(params, 'rport', String(source.port));
  return { ...via, params };
};

/** Replaces the first via-parm of the first Via line, keeping any others on that line. */
export const replaceTopVia = (request: SipRequest, via: Via): SipRequest => {
  const index = request.headers.findIndex((h) => h.name === HEADER.Via);
  if (index === -1) return request;
  const line = request.headers[index] as SipHeader;
  const rest = (splitTopLevel(line.value) ?? []).slice(1).map((v) => v.trim());
  const value = [formatVia(via), ...rest].join(', ');
  const headers = request.headers.map((h, i) => (i === index ? { name: HEADER.Via, value } : h));
  return { ...request, headers };
};
