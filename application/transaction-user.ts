/**
 * The transaction layer as its user (the UA core) sees it: handles on client
 * and server transactions, the callbacks a client transaction reports through,
 * and what the layer hands up.
 */
import type * as E from 'fp-ts/lib/Either.js';
import type { SipRequest, SipResponse } from '../domain/sip/message.js';
import type { TimerConfig } from '../domain/transaction/timer-config.js';
import type { TerminationReason } from '../domain/transaction/transaction-effect.js';
import type { TransactionError } from '../domain/transaction/transaction-error.js';
import type { Endpoint } from '../domain/transport/endpoint.js';
import type { Logger } from '../ports/logger.js';
import type { InboundMessage } from '../ports/sip-transport.js';

export type TransactionKind = 'ict' | 'nict' | 'ist' | 'nist';

export interface ClientCallbacks {
  onResponse(response: SipResponse): void;
  onTimeout?(): void;
  /** The request could not be sent; `detail` is the transport's reason (unreachable, name not found, …). */
  onTransportError?(detail: string): void;
  onTerminated?(reason: TerminationReason): void;
}

export interface ClientTransaction {
  readonly id: number;
  readonly kind: 'ict' | 'nict';
  readonly target: Endpoint;
}

/**
 * A server transaction as the TU sees it. It holds no message: the request
 * reaches the TU beside it, and a transaction lingering for retransmissions
 * (Timers J, L) should not keep it alive.
 */
export interface ServerTransaction {
  readonly id: number;
  readonly kind: 'ist' | 'nist';
  readonly method: string;
  /** Where the request came from (its transport protocol answers on the same one). */
  readonly source: Endpoint;
  /** The connection it came on (TCP, TLS), if any. */
  readonly connectionId: number | undefined;
  /** Sends a response through the transaction; Left when the state forbids it. */
  respond(response: SipResponse): E.Either<TransactionError, void>;
  isTerminated(): boolean;
}

/** The transaction user: the UA core above this layer. */
export interface TransactionUser {
  /** A new request with its server transaction; a CANCEL carries the INVITE transaction it targets, if any (§9.2). */
  onRequest(request: SipRequest, transaction: ServerTransaction, cancelled: ServerTransaction | undefined): void;
  /** An ACK that matches no transaction (the ACK for a 2xx, §17.2.3) or reaches an Accepted INVITE transaction. */
  onAck?(ack: SipRequest, inbound: InboundMessage): void;
  /** A response that matches no transaction: a 2xx retransmission after the INVITE transaction ended (§13.2.2.4). */
  onStrayResponse?(response: SipResponse, inbound: InboundMessage): void;
  /** A server transaction ended; `Timeout` for an IST means no ACK arrived (Timer H). */
  onServerTerminated?(transaction: ServerTransaction, reason: TerminationReason): void;
}

export interface TransactionLayerOptions {
  readonly timers?: TimerConfig;
  readonly logger?: Logger;
}
