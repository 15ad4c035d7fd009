import type { Server, Socket } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import { DEFAULT_TRANSPORT_CORE_OPTIONS, TransportCore, type TransportCoreOptions } from '../shared/transport-core.js';
import type { SipMessage } from '../../domain/sip/message.js';
import { INITIAL_FRAMER_STATE, type FramerState } from '../../domain/sip/stream-framer.js';
import { endpoint, endpointKey, type Endpoint, type TransportProtocol } from '../../domain/transport/endpoint.js';
import { transportError, type TransportError } from '../../domain/transport/transport-error.js';
import type { InboundHandler, SipTransport, TransportCounters } from '../../ports/sip-transport.js';

export interface StreamListenOptions {
  readonly host: string;
  readonly port: number;
  /** Connections with no traffic for this long are closed (default 5 minutes). */
  readonly idleTimeoutMs?: number;
  /** Open connections (both ways, handshakes under way included) beyond which new incoming ones are refused. */
  readonly maxConnections?: number;
  /** Incoming connections from one IP address beyond which more are refused (default 100). */
  readonly maxConnectionsPerAddress?: number;
  /** Bytes queued in a socket beyond which sends fail with Backpressure (default 1 MiB). */
  readonly maxQueuedBytes?: number;
  readonly connectTimeoutMs?: number;
  /** Parsing rules and the size limit (maxMessageBytes), shared with UDP. */
  readonly core?: TransportCoreOptions;
}

/** What a stream transport needs from its socket kind: plain TCP, or TLS over it. */
export interface StreamSockets {
  readonly protocol: Extract<TransportProtocol, 'tcp' | 'tls'>;
  /**
   * A server that reports every raw connection first (so caps apply before any handshake) and each one
   * ready to carry SIP afterwards; a TLS handshake that fails is reported with its reason.
   */
  createServer(events: {
    readonly raw: (socket: Socket) => void;
    readonly ready: (socket: Socket, raw: Socket) => void;
    readonly failed: (reason: string, raw: Socket | undefined) => void;
  }): Server;
  /** An outbound connection to `target`, ready to carry SIP, or why not. */
  connect(target: Endpoint, timeoutMs: number): Promise<E.Either<TransportError, Socket>>;
}

interface Connection {
  readonly id: number;
  readonly socket: Socket;
  readonly remote: Endpoint;
  framer: FramerState;
  /** Accepted from a peer, not opened by us. */
  readonly incoming: boolean;
}

const DEFAULT_MAX_CONNECTIONS = 10_000;
const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 100;

const CRLF = new Uint8Array([0x0d, 0x0a]);

/**
 * SIP over a stream (TCP, TLS): a listener plus outbound connections, one per
 * remote address and reused in both directions; messages cut by the stream
 * framer; a peer that breaks framing is disconnected alone; idle connections
 * time out; incoming connections are capped, in total and per address, at the
 * door — before a TLS handshake can cost anything.
 */
export class StreamSipTransport implements SipTransport {
  readonly protocols: ReadonlyArray<TransportProtocol>;
  private readonly core: TransportCore;
  private readonly connections = new Map<number, Connection>();
  private readonly byRemote = new Map<string, Connection>();
  private readonly connecting = new Map<string, Promise<E.Either<TransportError, Connection>>>();
  /** Incoming raw connections per remote IP (handshakes under way included), for the per-address cap. */
  private readonly perAddress = new Map<string, number>();
  /** Incoming raw connections not yet closed, adopted or not. */
  private incoming = 0;
  /** Of those, the ones adopted (also in `connections`). */
  private adoptedIncoming = 0;
  private nextId = 1;
  private closed = false;
  private server!: Server;
  private local!: Endpoint;

  private constructor(private readonly sockets: StreamSockets, private readonly options: StreamListenOptions) {
    this.protocols = [sockets.protocol];
    this.core = new TransportCore(
      options.core ?? DEFAULT_TRANSPORT_CORE_OPTIONS,
      (bytes, target, connectionId) => void this.sendBytes(bytes, target, connectionId),
    );
  }

  static listen(
    options: StreamListenOptions, sockets: StreamSockets,
  ): Promise<E.Either<TransportError, StreamSipTransport>> {
    const transport = new StreamSipTransport(sockets, options);
    const host = options.host.replace(/^\[|\]$/g, '');
    const server = sockets.createServer({
      raw: (socket) => transport.onRaw(socket),
      ready: (socket, raw) => transport.onReady(socket, raw),
      failed: (reason, raw) => transport.onFailed(reason, raw),
    });
    return new Promise((resolve) => {
      const onError = (error: Error): void => resolve(
        E.left(transportError('BindFailed', `${sockets.protocol} ${host}:${options.port}: ${error.message}`)),
      );
      server.once('error', onError);
      server.listen({ host, port: options.port }, () => {
        server.off('error', onError);
        const address = server.address();
        if (address === null || typeof address === 'string') return resolve(
          E.left(transportError('BindFailed', `no ${sockets.protocol} address`)),
        );
        transport.server = server;
        transport.local = endpoint(sockets.protocol, address.address, address.port);
        resolve(E.right(transport));
      });
    });
  }

  localEndpoint(protocol: TransportProtocol): Endpoint | undefined {
    return protocol === this.sockets.protocol ? this.local : undefined;
  }

  onMessage(handler: InboundHandler): void {
    this.core.setHandler(handler);
  }

  send(message: SipMessage, target: Endpoint, connectionId?: number): Promise<E.Either<TransportError, Endpoint>> {
    return this.sendBytes(this.core.prepare(message, this.sockets.protocol, this.local), target, connectionId);
  }

  async sendBytes(
    bytes: Uint8Array, target: Endpoint, connectionId?: number,
  ): Promise<E.Either<TransportError, Endpoint>> {
    if (this.closed) return E.left(transportError('Closed', 'transport closed'));
    const own = this.sockets.protocol;
    if (target.protocol !== own) return E.left(
      transportError('UnsupportedTransport', `${target.protocol} on a ${own.toUpperCase()} transport`),
    );
    // §18.2.2: a response goes back on the request's connection while it is open.
    const existing = (connectionId === undefined ? undefined : this.connections.get(connectionId)) ?? this.byRemote.get(
      endpointKey(target),
    );
    const connection = existing === undefined ? await this.connectTo(target) : E.right(existing);
    if (E.isLeft(connection)) return connection;
    return this.write(connection.right, bytes);
  }

  counters(): TransportCounters {
    return this.core.counters(this.connections.size);
  }

  /** Open connections ready for SIP (tests use it to check that peers are dropped alone). */
  connectionCount(): number {
    return this.connections.size;
  }

  /** Incoming connections not yet closed, handshakes under way included. */
  pendingAndOpenIncoming(): number {
    return this.incoming;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const connection of this.connections.values()) connection.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A new incoming connection, before any handshake: refused at once when a cap is reached. */
  private onRaw(socket: Socket): void {
    const address = socket.remoteAddress;
    const port = socket.remotePort;
    if (this.closed || address === undefined || port === undefined) return void socket.destroy();
    const refusal = this.admit(address);
    if (refusal !== undefined) {
      // A flood of connections is refused at the door, counted, never buffered.
      this.core.drop('ConnectionLimit', refusal, endpoint(this.sockets.protocol, address, port));
      socket.destroy();
      return;
    }
    this.incoming++;
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    socket.once('close', () => {
      this.incoming--;
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left === 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    });
  }

  private onReady(socket: Socket, raw: Socket): void {
    const address = raw.remoteAddress;
    const port = raw.remotePort;
    if (this.closed || address === undefined || port === undefined) return void socket.destroy();
    this.adopt(socket, endpoint(this.sockets.protocol, address, port), true);
  }

  private onFailed(reason: string, raw: Socket | undefined): void {
    const from = raw?.remoteAddress === undefined || raw.remotePort === undefined
      ? undefined : endpoint(this.sockets.protocol, raw.remoteAddress, raw.remotePort);
    this.core.drop('HandshakeFailed', reason, from);
    raw?.destroy();
  }

  private write(connection: Connection, bytes: Uint8Array): Promise<E.Either<TransportError, Endpoint>> {
    const socket = connection.socket;
    return this.core.capped(socket.writableLength, this.options.maxQueuedBytes ?? 1024 * 1024, bytes,
      connection.remote, (done) => socket.write(bytes, done));
  }

  private connectTo(target: Endpoint): Promise<E.Either<TransportError, Connection>> {
    const key = endpointKey(target);
    const pending = this.connecting.get(key);
    if (pending !== undefined) return pending;
    const attempt = this.sockets.connect(target, this.options.connectTimeoutMs ?? 10_000).then((socket) => {
      if (E.isLeft(socket)) {
        this.core.drop(socket.left.reason, socket.left.detail, target);
        return socket;
      }
      if (this.closed) {
        socket.right.destroy();
        return E.left(transportError('Closed', 'transport closed'));
      }
      return E.right(this.adopt(socket.right, target, false));
    }).finally(() => this.connecting.delete(key));
    this.connecting.set(key, attempt);
    return attempt;
  }

  /** Why an incoming connection from `address` is refused, if it is. */
  private admit(address: string): string | undefined {
    const max = this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    const open = this.connections.size + this.incoming - this.adoptedIncoming;
    if (open >= max) return `${open} connections open (maxConnections ${max})`;
    const maxPerAddress = this.options.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
    const fromAddress = this.perAddress.get(address) ?? 0;
    return fromAddress >= maxPerAddress
      ? `${fromAddress} connections from ${address} (maxConnectionsPerAddress ${maxPerAddress})`
      : undefined;
  }

  private adopt(socket: Socket, remote: Endpoint, incoming: boolean): Connection {
    const connection: Connection = { id: this.nextId++, socket, remote, framer: INITIAL_FRAMER_STATE, incoming };
    this.connections.set(connection.id, connection);
    if (incoming) this.adoptedIncoming++;
    this.byRemote.set(endpointKey(remote), connection);
    socket.setTimeout(this.options.idleTimeoutMs ?? 300_000);
    socket.on('timeout', () => socket.destroy());
    socket.on('error', (error) => this.core.drop('ConnectionError', error.message, remote));
    socket.on('close', () => this.forget(connection));
    socket.on('data', (chunk: Buffer) => this.onData(connection, chunk));
    return connection;
  }

  private onData(connection: Connection, chunk: Buffer): void {
    const result = this.core.receiveStream(connection.framer, chunk, connection.remote, this.local, connection.id);
    connection.framer = result.framer;
    // RFC 5626 §3.5.1: answer each double-CRLF ping with a single CRLF pong.
    for (let i = 0; i < result.pings; i++) connection.socket.write(CRLF);
    // A stream out of step is closed once what was written to it (a 513) is flushed.
    if (result.close) connection.socket.end();
  }

  private forget(connection: Connection): void {
    if (!this.connections.delete(connection.id)) return;
    if (connection.incoming) this.adoptedIncoming--;
    const key = endpointKey(connection.remote);
    if (this.byRemote.get(key) === connection) this.byRemote.delete(key);
  }
}
