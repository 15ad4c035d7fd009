import type * as E from 'fp-ts/lib/Either.js';
import type { SipMessage } from '../domain/sip/message.js';
import type { Endpoint, TransportProtocol } from '../domain/transport/endpoint.js';
import type { TransportError } from '../domain/transport/transport-error.js';

/** A message received by a transport, with where it came from and where it arrived. */
export interface InboundMessage {
  readonly message: SipMessage;
  readonly source: Endpoint;
  readonly local: Endpoint;
  /** Stream transports: the connection it came on; responses go back on it first (§18.2.2). */
  readonly connectionId?: number;
}

export type InboundHandler = (inbound: InboundMessage) => void;

/**
 * A connection that closed (RFC 5626's flow ending): the peer's address and the `.invalid` hosts that were
 * reached over it (RFC 7118 §5) — nothing can reach them any more.
 */
export interface ClosedFlow {
  readonly connectionId: number;
  readonly remote: Endpoint;
  readonly hosts: ReadonlyArray<string>;
}

/** Readable counters; `dropped` is keyed by reason (Unparsable, TooLarge, Framing, …). */
export interface TransportCounters {
  /** Datagrams or framed stream messages taken in; each ends up in `received` or `dropped`. */
  readonly inbound: number;
  /** Messages delivered to the handler. */
  readonly received: number;
  readonly sent: number;
  readonly badRequestsAnswered: number;
  readonly dropped: Readonly<Record<string, number>>;
  readonly openConnections: number;
}

/**
 * SIP over one or more transport protocols. Implementations parse what they
 * receive, answer unparsable requests with 400, apply the received/rport rules
 * to inbound requests and stamp the top Via sent-by of outbound ones (§18).
 * Failures are values: `send` never rejects.
 */
export interface SipTransport {
  readonly protocols: ReadonlyArray<TransportProtocol>;
  /** The bound address of a protocol (port 0 at listen time is reported here as the real port). */
  localEndpoint(protocol: TransportProtocol): Endpoint | undefined;
  /** Sets the one handler for inbound messages. */
  onMessage(handler: InboundHandler): void;
  /** Serializes and sends; resolves with the endpoint actually used (the protocol may change, §18.1.1). */
  send(message: SipMessage, target: Endpoint, connectionId?: number): Promise<E.Either<TransportError, Endpoint>>;
  /** Sends bytes as they are (keep-alives, tests, raw relays). */
  sendBytes(bytes: Uint8Array, target: Endpoint, connectionId?: number): Promise<E.Either<TransportError, Endpoint>>;
  counters(): TransportCounters;
  /** Sets the one handler told of flows that closed (transports with flows: WebSocket). */
  onFlowClosed?(handler: (flow: ClosedFlow) => void): void;
  /** Closes sockets and connections; idempotent. */
  close(): Promise<void>;
}
