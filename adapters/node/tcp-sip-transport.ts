import { connect, createServer, type Server, type Socket } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import { DEFAULT_TRANSPORT_CORE_OPTIONS, TransportCore, type TransportCoreOptions } from '../shared/transport-core.js';
import type { SipMessage } from '../../domain/sip/message.js';
import { INITIAL_FRAMER_STATE, type FramerState } from '../../domain/sip/stream-framer.js';
import { endpoint, endpointKey, type Endpoint, type TransportProtocol } from '../../domain/transport/endpoint.js';
import { transportError, type TransportError } from '../../domain/transport/transport-error.js';
import type { InboundHandler, SipTransport, TransportCounters } from '../../ports/sip-transport.js';

export interface TcpListenOptions {
  readonly host: string;
  readonly port: number;
  /** Connections with no traffic for this long are closed (default 5 minutes). */
  readonly idleTimeoutMs?: number;
  /** Open connections (both ways) beyond which new incoming ones are refused (default 10,000). */
  readonly maxConnections?: number;
  /** Incoming connections from one IP address beyond which more are refused (default 100). */
  readonly maxConnectionsPerAddress?: number;
  /** Bytes queued in a socket beyond which sends fail with Backpressure (default 1 MiB). */
  readonly maxQueuedBytes?: number;
  readonly connectTimeoutMs?: number;
  /** Parsing rules and the size limit (maxMessageBytes), shared with UDP. */
  readonly core?: TransportCoreOptions;
}

interface Connection {
  readonly id: number;
  readonly socket: Socket;
  readonly remote: Endpoint;
  framer: FramerState;
  /** Accepted from a peer (counted per address), not opened by us. */
  readonly incoming: boolean;
}

const DEFAULT_MAX_CONNECTIONS = 10_000;
const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 100;

const CRLF = new Uint8Array([0x0d, 0x0a]);

/**
 * SIP over TCP (node:net): a listener plus outbound connections, one per remote
 * address and reused in both directions; messages cut by the stream framer; a
 * peer that breaks framing is disconnected alone; idle connections time out.
 */
export class TcpSipTransport implements SipTransport {
  readonly protocols: ReadonlyArray<TransportProtocol> = ['tcp'];
  private readonly core: TransportCore;
  private readonly connections = new Map<number, Connection>();
  private readonly byRemote = new Map<string, Connection>();
  private readonly connecting = new Map<string, Promise<E.Either<TransportError, Connection>>>();
  /** Incoming connections per remote IP, for the per-address cap. */
  private readonly perAddress = new Map<string, number>();
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly server: Server, private readonly local: Endpoint, private readonly options: TcpListenOptions,
  ) {
    this.core = new TransportCore(
      options.core ?? DEFAULT_TRANSPORT_CORE_OPTIONS,
      (bytes, target, connectionId) => void this.sendBytes(bytes, target, connectionId),
    );
    server.on('connection', (socket) => {
      const address = socket.remoteAddress;
      const port = socket.remotePort;
      if (this.closed || address === undefined || port === undefined) {
        socket.destroy();
        return;
      }
      const refusal = this.admit(address);
      if (refusal !== undefined) {
        // A flood of connections is refused at the door, counted, never buffered.
        this.core.drop('ConnectionLimit', refusal, endpoint('tcp', address, port));
        socket.destroy();
        return;
      }
      this.adopt(socket, endpoint('tcp', address, port));
    });
  }

  static listen(options: TcpListenOptions): Promise<E.Either<TransportError, TcpSipTransport>> {
    const host = options.host.replace(/^\[|\]$/g, '');
    const server = createServer({ noDelay: true });
    return new Promise((resolve) => {
      const onError = (error: Error): void => resolve(
        E.left(transportError('BindFailed', `tcp ${host}:${options.port}: ${error.message}`)),
      );
      server.once('error', onError);
      server.listen({ host, port: options.port }, () => {
        server.off('error', onError);
        const address = server.address();
        if (address === null || typeof address === 'string') return resolve(
          E.left(transportError('BindFailed', 'no TCP address')),
        );
        resolve(E.right(new TcpSipTransport(server, endpoint('tcp', address.address, address.port), options)));
      });
    });
  }

  localEndpoint(protocol: TransportProtocol): Endpoint | undefined {
    return protocol === 'tcp' ? this.local : undefined;
  }

  onMessage(handler: InboundHandler): void {
    this.core.setHandler(handler);
  }

  send(message: SipMessage, target: Endpoint, connectionId?: number): Promise<E.Either<TransportError, Endpoint>> {
    return this.sendBytes(this.core.prepare(message, 'tcp', this.local), target, connectionId);
  }

  async sendBytes(
    bytes: Uint8Array, target: Endpoint, connectionId?: number,
  ): Promise<E.Either<TransportError, Endpoint>> {
    if (this.closed) return E.left(transportError('Closed', 'transport closed'));
    if (target.protocol !== 'tcp') return E.left(
      transportError('UnsupportedTransport', `${target.protocol} on a TCP transport`),
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

  /** Open connections (tests use it to check that peers are dropped alone). */
  connectionCount(): number {
    return this.connections.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const connection of this.connections.values()) connection.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private write(connection: Connection, bytes: Uint8Array): Promise<E.Either<TransportError, Endpoint>> {
    const maxQueued = this.options.maxQueuedBytes ?? 1024 * 1024;
    if (connection.socket.writableLength + bytes.length > maxQueued) {
      this.core.drop('Backpressure');
      return Promise.resolve(
        E.left(
          transportError(
            'Backpressure', `${connection.socket.writableLength} bytes already queued to ${connection.remote.host}`,
          ),
        ),
      );
    }
    return new Promise((resolve) => {
      connection.socket.write(bytes, (error) => {
        if (error) {
          this.core.drop('SendFailed', error.message, connection.remote);
          resolve(E.left(transportError('SendFailed', error.message)));
        } else {
          this.core.sent();
          resolve(E.right(connection.remote));
        }
      });
    });
  }

  private connectTo(target: Endpoint): Promise<E.Either<TransportError, Connection>> {
    const key = endpointKey(target);
    const pending = this.connecting.get(key);
    if (pending !== undefined) return pending;
    const attempt = new Promise<E.Either<TransportError, Connection>>((resolve) => {
      const socket = connect({ host: target.host, port: target.port, noDelay: true });
      const timer = setTimeout(
        () => socket.destroy(new Error('connect timeout')), this.options.connectTimeoutMs ?? 10_000,
      );
      socket.once('error', (error) => {
        clearTimeout(timer);
        this.core.drop('ConnectFailed');
        resolve(E.left(transportError('ConnectFailed', `${target.host}:${target.port}: ${error.message}`)));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(E.right(this.adopt(socket, target, false)));
      });
    }).finally(() => this.connecting.delete(key));
    this.connecting.set(key, attempt);
    return attempt;
  }

  /** Why an incoming connection from `address` is refused, if it is. */
  private admit(address: string): string | undefined {
    const max = this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    if (this.connections.size >= max) return `${this.connections.size} connections open (maxConnections ${max})`;
    const maxPerAddress = this.options.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
    const fromAddress = this.perAddress.get(address) ?? 0;
    return fromAddress >= maxPerAddress
      ? `${fromAddress} connections from ${address} (maxConnectionsPerAddress ${maxPerAddress})`
      : undefined;
  }

  private adopt(socket: Socket, remote: Endpoint, incoming = true): Connection {
    const connection: Connection = { id: this.nextId++, socket, remote, framer: INITIAL_FRAMER_STATE, incoming };
    this.connections.set(connection.id, connection);
    if (incoming) this.perAddress.set(remote.host, (this.perAddress.get(remote.host) ?? 0) + 1);
    this.byRemote.set(endpointKey(remote), connection);
    socket.setTimeout(this.options.idleTimeoutMs ?? 300_000);
    socket.on('timeout', () => socket.destroy());
    socket.on('error', () => this.core.drop('ConnectionError'));
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
    if (connection.incoming) {
      const left = (this.perAddress.get(connection.remote.host) ?? 1) - 1;
      if (left === 0) this.perAddress.delete(connection.remote.host);
      else this.perAddress.set(connection.remote.host, left);
    }
    const key = endpointKey(connection.remote);
    if (this.byRemote.get(key) === connection) this.byRemote.delete(key);
  }
}
