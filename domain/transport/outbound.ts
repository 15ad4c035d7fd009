import * as E from 'fp-ts/lib/Either.js';
import { transactionHeaders } from '../sip/core-headers.js';
import type { SipMessage } from '../sip/message.js';
import { paramValue } from '../sip/params.js';
import type { Uri } from '../sip/uri.js';
import type { Via } from '../sip/via.js';
import { defaultPortOf, endpoint, hostForSip, type Endpoint, type TransportProtocol } from './endpoint.js';
import { replaceTopVia } from './inbound.js';
import { transportError, type TransportError } from './transport-error.js';
import { namedTransport } from './uri-transport.js';

/**
 * §18.1.1: requests within 200 bytes of the 1500-byte path MTU (or unknown MTU) must use congestion-controlled
 * transport.
 */
export const UDP_SIZE_THRESHOLD = 1300;

/**
 * The top Via of an outbound request names the transport actually used and the
 * address this element listens on (§18.1.1: sent-by and transport must match).
 */
export const stampSentBy = (message: SipMessage, protocol: TransportProtocol, local: Endpoint): SipMessage => {
  if (message.kind !== 'request') return message;
  const tx = transactionHeaders(message);
  const top = E.isRight(tx) ? tx.right.vias[0] : undefined;
  if (top === undefined) return message;
  const host = hostForSip(local.host);
  const transport = protocol.toUpperCase();
  if (top.transport === transport && top.host === host && top.port === local.port) return message;
  const via: Via = { ...top, transport, host, port: local.port };
  return replaceTopVia(message, via);
};

/**
 * Where to send a request whose next hop is `uri` (§18.1.1 with RFC 3263's defaults, no DNS lookups): the
 * transport the URI names (a sips URI only over TLS or WSS, `namedTransport`), else UDP (TLS for sips); the
 * port defaults to the transport's own.
 */
export const targetForUri = (uri: Uri): E.Either<TransportError, Endpoint> => {
  if (uri.kind !== 'sip') return E.left(
    transportError('NoRoute', `no route to a ${uri.kind === 'tel' ? 'tel' : uri.scheme} URI`),
  );
  const named = namedTransport(uri);
  if (E.isLeft(named)) return named;
  const transport = named.right ?? (uri.scheme === 'sips' ? 'tls' : 'udp');
  const host = paramValue(uri.params, 'maddr') ?? uri.host;
  return E.right(endpoint(transport, host, uri.port ?? defaultPortOf(transport)));
};
