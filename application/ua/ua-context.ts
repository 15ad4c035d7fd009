import { OPTION_100REL, type ReliabilityPolicy } from '../../domain/dialog/reliable-provisional.js';
import * as E from 'fp-ts/lib/Either.js';
import type { Dialog } from '../../domain/dialog/dialog.js';
import { inDialogTarget } from '../../domain/dialog/in-dialog-request.js';
import type { SipMessage } from '../../domain/sip/message.js';
import type { NameAddr } from '../../domain/sip/name-addr.js';
import { sipUri, type Uri } from '../../domain/sip/uri.js';
import type { Via } from '../../domain/sip/via.js';
import {
  hostForSip, isSecureProtocol, type Endpoint, type TransportProtocol,
} from '../../domain/transport/endpoint.js';
import { targetForUri } from '../../domain/transport/outbound.js';
import type { TransactionError } from '../../domain/transaction/transaction-error.js';
import type { TransportError } from '../../domain/transport/transport-error.js';
import type { TimerConfig } from '../../domain/transaction/timer-config.js';
import type { Clock } from '../../ports/clock.js';
import type { Hash } from '../../ports/hash.js';
import type { Logger } from '../../ports/logger.js';
import type { SipTransport } from '../../ports/sip-transport.js';
import type { IdGenerator } from '../id-generator.js';
import type { SessionTimerSweep } from './session-timer.js';
import type { TransactionLayer } from '../transaction-layer.js';

/** Methods this UA implements; Allow lists them (§20.5). */
export const UA_METHODS = [
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'UPDATE', 'INFO', 'REFER', 'NOTIFY', 'MESSAGE', 'SUBSCRIBE',
] as const;
/** Extensions we implement: Replaces (RFC 3891) and session timers (RFC 4028, see session-timer.ts). */
export const UA_SUPPORTED = ['replaces', 'timer'] as const;
export const UA_ACCEPT = ['application/sdp', 'application/dtmf-relay', 'message/sipfrag', 'text/plain'] as const;

export interface UaConfig {
  /** The user part of our Contact. */
  readonly contactUser: string;
  /** Host to advertise in Contact when the transport is bound to a wildcard address. */
  readonly advertisedHost?: string;
  readonly userAgent: string;
  readonly timers: TimerConfig;
  /** Methods we answer (Allow lists them; others get 405): UA_METHODS, plus REGISTER for a registrar. */
  readonly methods?: ReadonlyArray<string>;
  /** Reliable provisional responses (RFC 3262); default 'supported'. */
  readonly reliableProvisionals?: ReliabilityPolicy;
}

export const reliability = (config: UaConfig): ReliabilityPolicy => config.reliableProvisionals ?? 'supported';

/** The methods a UA with this configuration answers: PRACK too unless 100rel is off. */
export const allowedMethods = (config: UaConfig): ReadonlyArray<string> => {
  const methods = config.methods ?? UA_METHODS;
  return reliability(config) === 'off' ? methods : [...methods, 'PRACK'];
};

/** Our option tags (Supported): 100rel unless it is off. */
export const supportedTags = (config: UaConfig): ReadonlyArray<string> =>
  (reliability(config) === 'off' ? UA_SUPPORTED : [OPTION_100REL, ...UA_SUPPORTED]);

/** Everything the UA's collaborators share; built once by UaCore. */
export interface UaContext {
  readonly transport: SipTransport;
  readonly layer: TransactionLayer;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly config: UaConfig;
  readonly logger: Logger | undefined;
  /** For Digest answers to 401/407; without it challenges end the request. */
  readonly hash: Hash | undefined;
  /** Drives every session timer (RFC 4028) with one clock timer. */
  readonly timers: SessionTimerSweep;
}

export type UaError =
  | TransportError
  | TransactionError
  | { readonly kind: 'HeaderError'; readonly header: string; readonly detail: string };

/**
 * Our Contact for the given protocol, naming the bound (or advertised) address. `secure`: the request or
 * dialog is a sips one, so the Contact must be a sips URI too (§8.1.1.8, §12.1.1), which implies TLS.
 */
export const localContact = (ctx: UaContext, protocol: TransportProtocol, secure = false): NameAddr => {
  const local = ctx.transport.localEndpoint(protocol) ?? ctx.transport.localEndpoint(
    ctx.transport.protocols[0] ?? 'udp',
  );
  const host = hostForSip(ctx.config.advertisedHost ?? local?.host ?? '127.0.0.1');
  const sips = secure && isSecureProtocol(protocol);
  const params = protocol === 'udp' || sips ? [] : [{ name: 'transport', value: protocol }];
  const port = local === undefined ? {} : { port: local.port };
  return {
    uri: sipUri(host, { scheme: sips ? 'sips' : 'sip', user: ctx.config.contactUser, ...port, params }),
    params: [],
  };
};

/** Whether a URI is a sips one (the request or dialog it starts must stay on TLS end to end). */
export const isSips = (uri: Uri): boolean => uri.kind === 'sip' && uri.scheme === 'sips';

/** A fresh top Via for a request leaving on `protocol` (the transport stamps the exact sent-by). */
export const newVia = (ctx: UaContext, protocol: TransportProtocol): Via => {
  const local = ctx.transport.localEndpoint(protocol);
  return {
    protocolName: 'SIP', protocolVersion: '2.0', transport: protocol.toUpperCase(),
    host: hostForSip(local?.host ?? '127.0.0.1'),
    ...(local === undefined ? {} : { port: local.port }),
    params: [{ name: 'branch', value: ctx.ids.branch() }, { name: 'rport' }],
  };
};

/** The next hop for a request to `uri` (no DNS: IP addresses and resolvable names). */
export const nextHop = (uri: Uri): E.Either<TransportError, Endpoint> => targetForUri(uri);

/** The next hop for a request inside `dialog` (first route, or the remote target). */
export const dialogNextHop = (dialog: Dialog): E.Either<TransportError, Endpoint> => {
  if (dialog.flow !== undefined) return E.right(dialog.flow);
  const { uri, routes } = inDialogTarget(dialog);
  return targetForUri(routes[0]?.uri ?? uri);
};

/** Sends outside any transaction (ACK for 2xx, 2xx retransmissions after the IST ended). */
export const sendDirect = (ctx: UaContext, message: SipMessage, target: Endpoint): void => {
  void ctx.transport.send(message, target).then((result) => {
    if (E.isLeft(result)) ctx.logger?.warn('direct send failed', { reason: result.left.detail });
  });
};
