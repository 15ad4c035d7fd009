import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import * as E from 'fp-ts/lib/Either.js';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import { DEFAULT_TRANSPORT_CORE_OPTIONS, TransportCore, type TransportCoreOptions } from '../shared/transport-core.js';
import type { SipMessage } from '../../domain/sip/message.js';
import {
  endpoint, endpointKey, hostForSip, isFlowHost, type Endpoint, type TransportProtocol,
} from '../../domain/transport/endpoint.js';
import { flowHostsOf } from '../../domain/transport/flow-hosts.js';
import { transportError, type TransportError } from '../../domain/transport/transport-error.js';
import type {
  ClosedFlow, InboundHandler, SipTransport, TransportCounters,
} from '../../ports/sip-transport.js';
import type { TlsMaterial } from './tls-sip-transport.js';
import { checkUpgrade, refusalResponse, type WsAdmissionRules, type WsRefusal } from './ws-admission.js';

export interface WsListenOptions extends WsAdmissionRules {
  readonly host: string;
  readonly port: number;
  /** Present: WSS (TLS with this certificate); absent: plain WS. */
  readonly tls?: TlsMaterial;
  /** A ping each interval; a connection that has not answered the previous one is closed (default 30 s). */
  readonly pingIntervalMs?: number;
  readonly maxConnections?: number;
  /** Connections from one IP address beyond which more are refused at the door (default 100). */
  readonly maxConnectionsPerAddress?: number;
  /** Bytes queued to a connection beyond which sends fail with Backpressure (default 1 MiB). */
  readonly maxQueuedBytes?: number;
  readonly connectTimeoutMs?: number;
  /** Plain HTTP requests on the same port (a page for browsers); 404 without it. */
  readonly httpHandler?: (request: IncomingMessage, response: ServerResponse) => void;
  readonly core?: TransportCoreOptions;
}

interface Connection {
  readonly id: number;
  readonly socket: WebSocket;
  readonly remote: Endpoint;
  /** The `.invalid` hosts reached over this connection (RFC 7118 §5). */
  readonly hosts: Set<string>;
  /** Answered the last ping (or sent anything) since it was sent. */
  alive: boolean;
  /** Opened by the peer: once closed, only the peer can open it again. */
  readonly incoming: boolean;
}

const DEFAULT_MAX_CONNECTIONS = 10_000;
const DEFAULT_MAX_PER_ADDRESS = 100;
/** `.invalid` hosts one connection may claim (a browser uses one or two); more are ignored and counted. */
const MAX_FLOW_HOSTS = 8;
/** Closed incoming connections remembered, so requests for them fail at once instead of dialling a client. */
const REMEMBERED_CLOSED_FLOWS = 10_000;
/** RFC 6455 §7.4.1 close codes. */
const CLOSE_GOING_AWAY = 1001;
const CRLF = Buffer.from('\r\n');

/**
 * SIP over WebSocket (RFC 7118) on the `ws` package: one SIP message per frame, the `sip` subprotocol
 * required, WS or WSS (TLS with the TLS transport's certificates and verification). Clients name
 * themselves with `.invalid` hosts; each connection is a flow (RFC 5626) and messages for those hosts
 * go over it — when it closes, they are unreachable and the flow is reported. Pings find vanished
 * peers; queued bytes are capped per connection, connections in total and per address; a frame above
 * the size limit closes its connection (1009), a frame that is not SIP is answered 400 or dropped, each
 * counted. The same port can serve plain HTTP (the page a browser loads first).
 */
export class WsSipTransport implements SipTransport {
  readonly protocols: ReadonlyArray<TransportProtocol>;
  private readonly protocol: 'ws' | 'wss';
  private readonly core: TransportCore;
  private readonly connections = new Map<number, Connection>();
  private readonly byRemote = new Map<string, Connection>();
  private readonly byFlowHost = new Map<string, Connection>();
  private readonly connecting = new Map<string, Promise<E.Either<TransportError, Connection>>>();
  private readonly perAddress = new Map<string, number>();
  private readonly closedIncoming = new Set<string>();
  private readonly webSockets: WebSocketServer;
  private flowClosed: (flow: ClosedFlow) => void = () => undefined;
  /** TCP connections open on the listener, upgraded or not. */
  private rawOpen = 0;
  private nextId = 1;
  private closed = false;
  private server!: Server;
  private local!: Endpoint;
  private pinger: NodeJS.Timeout | undefined;

  private constructor(private readonly options: WsListenOptions) {
    this.protocol = options.tls === undefined ? 'ws' : 'wss';
    this.protocols = [this.protocol];
    this.core = new TransportCore(
      options.core ?? DEFAULT_TRANSPORT_CORE_OPTIONS,
      (bytes, target, connectionId) => void this.sendBytes(bytes, target, connectionId),
    );
    this.webSockets = new WebSocketServer({
      noServer: true, maxPayload: this.core.maxMessageBytes, perMessageDeflate: false,
      handleProtocols: () => 'sip',
    });
  }

  static listen(options: WsListenOptions): Promise<E.Either<TransportError, WsSipTransport>> {
    const transport = new WsSipTransport(options);
    const tls = options.tls;
    const http = (request: IncomingMessage, response: ServerResponse): void => {
      if (options.httpHandler !== undefined) return options.httpHandler(request, response);
      response.writeHead(426, { Upgrade: 'websocket', 'Content-Length': '0' }).end();
    };
    const server = tls === undefined ? createHttpServer(http) : createHttpsServer({
      cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2', ...(tls.ca === undefined ? {} : { ca: tls.ca }),
      handshakeTimeout: tls.handshakeTimeoutMs ?? 10_000,
      // Mutual TLS as for SIP over TLS: a client without a certificate from `ca` is refused in the handshake.
      requestCert: tls.requireClientCert === true, rejectUnauthorized: tls.requireClientCert === true,
    }, http);
    server.on('connection', (raw: Socket) => transport.onRaw(raw));
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => (
      transport.onUpgrade(request, socket, head)));
    server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
      transport.core.drop('HandshakeFailed', `${error.code ?? 'TLS'}: ${error.message}`);
      socket.destroy();
    });
    const host = options.host.replace(/^\[|\]$/g, '');
    return new Promise((resolve) => {
      const onError = (error: Error): void => resolve(E.left(
        transportError('BindFailed', `${transport.protocol} ${host}:${options.port}: ${error.message}`),
      ));
      server.once('error', onError);
      server.listen({ host, port: options.port }, () => {
        server.off('error', onError);
        const address = server.address();
        if (address === null || typeof address === 'string') return resolve(
          E.left(transportError('BindFailed', `no ${transport.protocol} address`)),
        );
        transport.server = server;
        transport.local = endpoint(transport.protocol, address.address, address.port);
        transport.startPinging();
        resolve(E.right(transport));
      });
    });
  }

  localEndpoint(protocol: TransportProtocol): Endpoint | undefined {
    return protocol === this.protocol ? this.local : undefined;
  }

  /** The URL clients connect to (`ws://127.0.0.1:8080/`). */
  url(): string {
    const path = this.options.path === undefined || this.options.path === '*' ? '/' : this.options.path;
    return `${this.protocol}://${hostForSip(this.local.host)}:${this.local.port}${path}`;
  }

  onMessage(handler: InboundHandler): void {
    this.core.setHandler((inbound) => {
      const connection = inbound.connectionId === undefined ? undefined : this.connections.get(inbound.connectionId);
      if (connection !== undefined) this.learnFlowHosts(connection, inbound.message);
      handler(inbound);
    });
  }

  onFlowClosed(handler: (flow: ClosedFlow) => void): void {
    this.flowClosed = handler;
  }

  send(message: SipMessage, target: Endpoint, connectionId?: number): Promise<E.Either<TransportError, Endpoint>> {
    return this.sendBytes(this.core.prepare(message, this.protocol, this.local), target, connectionId);
  }

  async sendBytes(
    bytes: Uint8Array, target: Endpoint, connectionId?: number,
  ): Promise<E.Either<TransportError, Endpoint>> {
    if (this.closed) return E.left(transportError('Closed', 'transport closed'));
    if (target.protocol !== this.protocol) return E.left(
      transportError('UnsupportedTransport', `${target.protocol} on a ${this.protocol.toUpperCase()} transport`),
    );
    const existing = (connectionId === undefined ? undefined : this.connections.get(connectionId))
      ?? (isFlowHost(target.host) ? this.byFlowHost.get(target.host.toLowerCase()) : this.byRemote.get(
        endpointKey(target),
      ));
    if (existing === undefined && (isFlowHost(target.host) || this.closedIncoming.has(endpointKey(target)))) {
      // Nobody can open a connection to a flow: its client is gone (RFC 5626 §5.3 would answer 430).
      this.core.drop('FlowClosed', target.host, target);
      return E.left(transportError('ConnectFailed', `the connection of ${target.host} is closed`));
    }
    const connection = existing === undefined ? await this.connectTo(target) : E.right(existing);
    if (E.isLeft(connection)) return connection;
    return this.write(connection.right, bytes);
  }

  counters(): TransportCounters {
    return this.core.counters(this.connections.size);
  }

  connectionCount(): number {
    return this.connections.size;
  }

  /** The flows (`.invalid` hosts) currently reachable, for tests and operators. */
  flowHosts(): ReadonlyArray<string> {
    return [...this.byFlowHost.keys()];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pinger !== undefined) clearInterval(this.pinger);
    for (const connection of this.connections.values()) connection.socket.close(CLOSE_GOING_AWAY, 'server stopping');
    for (const connection of this.connections.values()) connection.socket.terminate();
    this.webSockets.close();
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Every TCP connection, before TLS or HTTP: refused at once beyond the caps. */
  private onRaw(raw: Socket): void {
    const address = raw.remoteAddress;
    if (this.closed || address === undefined) return void raw.destroy();
    const max = this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    const maxPerAddress = this.options.maxConnectionsPerAddress ?? DEFAULT_MAX_PER_ADDRESS;
    const fromAddress = this.perAddress.get(address) ?? 0;
    const open = this.rawOpen;
    if (open >= max || fromAddress >= maxPerAddress) {
      this.core.drop('ConnectionLimit', `${fromAddress} from ${address}, ${open} in all`);
      return void raw.destroy();
    }
    this.perAddress.set(address, fromAddress + 1);
    this.rawOpen++;
    raw.once('close', () => {
      this.rawOpen--;
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left === 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    });
  }

  private onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refusal: WsRefusal | undefined = this.closed
      ? { status: 503, reason: 'Service Unavailable', counter: 'NotWebSocket' } : checkUpgrade(request, this.options);
    const address = request.socket.remoteAddress;
    const port = request.socket.remotePort;
    if (refusal !== undefined || address === undefined || port === undefined) {
      const answer = refusal ?? { status: 400, reason: 'Bad Request', counter: 'NotWebSocket' };
      this.core.drop(answer.counter, `${answer.status} for ${request.url ?? '?'}`);
      socket.end(refusalResponse(answer));
      return;
    }
    this.webSockets.handleUpgrade(request, socket, head, (ws) => {
      const remote = endpoint(this.protocol, address, port);
      this.closedIncoming.delete(endpointKey(remote));
      this.adopt(ws, remote, true);
    });
  }

  private adopt(socket: WebSocket, remote: Endpoint, incoming: boolean): Connection {
    const connection: Connection = { id: this.nextId++, socket, remote, hosts: new Set(), alive: true, incoming };
    this.connections.set(connection.id, connection);
    this.byRemote.set(endpointKey(remote), connection);
    socket.on('message', (data: RawData, binary: boolean) => this.onFrame(connection, data, binary));
    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('error', (error: Error & { code?: string }) => {
      // ws closes the connection itself (1009 for a frame too large, 1002 for a broken one).
      this.core.drop(error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'TooLarge' : 'ConnectionError',
        error.message, remote);
    });
    socket.on('close', () => this.forget(connection));
    return connection;
  }

  private onFrame(connection: Connection, data: RawData, binary: boolean): void {
    connection.alive = true;
    const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    // RFC 5626 §4.4.1's double-CRLF ping, which some WebSocket clients send as a frame: answered with CRLF.
    if (bytes.length <= 4 && bytes.every((b) => b === 0x0d || b === 0x0a)) {
      if (bytes.length === 4) connection.socket.send(CRLF, { binary });
      return;
    }
    this.core.receive(bytes, connection.remote, this.local, connection.id);
  }

  /**
   * The hosts a request names itself by, bound to its connection: a host another live connection holds stays
   * with it (no client can take over another's calls), and a connection claims a few at most.
   */
  private learnFlowHosts(connection: Connection, message: SipMessage): void {
    for (const host of flowHostsOf(message)) {
      if (connection.hosts.has(host)) continue;
      const holder = this.byFlowHost.get(host);
      if (holder !== undefined && holder !== connection) {
        this.core.drop('FlowHostTaken', host, connection.remote);
        continue;
      }
      if (connection.hosts.size >= MAX_FLOW_HOSTS) {
        this.core.drop('TooManyFlowHosts', host, connection.remote);
        continue;
      }
      connection.hosts.add(host);
      this.byFlowHost.set(host, connection);
    }
  }

  private write(connection: Connection, bytes: Uint8Array): Promise<E.Either<TransportError, Endpoint>> {
    const socket = connection.socket;
    if (socket.readyState !== WebSocket.OPEN) return Promise.resolve(
      E.left(transportError('SendFailed', `the connection to ${connection.remote.host} is closing`)),
    );
    // RFC 7118 §5: text frames carry UTF-8 messages; peers accept binary ones too.
    return this.core.capped(socket.bufferedAmount, this.options.maxQueuedBytes ?? 1024 * 1024, bytes,
      connection.remote, (done) => socket.send(bytes, { binary: false }, done));
  }

  private connectTo(target: Endpoint): Promise<E.Either<TransportError, Connection>> {
    const key = endpointKey(target);
    const pending = this.connecting.get(key);
    if (pending !== undefined) return pending;
    const attempt = this.open(target).finally(() => this.connecting.delete(key));
    this.connecting.set(key, attempt);
    return attempt;
  }

  /** An outbound WebSocket to another SIP server (RFC 7118 as a client): `sip` subprotocol, TLS verified. */
  private open(target: Endpoint): Promise<E.Either<TransportError, Connection>> {
    const tls = this.options.tls;
    const url = `${this.protocol}://${hostForSip(target.host)}:${target.port}/`;
    return new Promise((resolve) => {
      const socket = new WebSocket(url, ['sip'], {
        handshakeTimeout: this.options.connectTimeoutMs ?? 10_000, maxPayload: this.core.maxMessageBytes,
        perMessageDeflate: false,
        ...(tls === undefined ? {} : {
          rejectUnauthorized: tls.verifyPeer ?? true, ...(tls.ca === undefined ? {} : { ca: tls.ca }),
          ...(tls.serverName === undefined ? {} : { servername: tls.serverName }),
        }),
      });
      socket.once('error', (error) => {
        this.core.drop('ConnectFailed', error.message, target);
        resolve(E.left(transportError('ConnectFailed', `${url}: ${error.message}`)));
      });
      socket.once('open', () => {
        socket.removeAllListeners('error');
        if (this.closed || socket.protocol !== 'sip') {
          socket.terminate();
          return resolve(E.left(transportError('ConnectFailed', `${url} did not accept the sip subprotocol`)));
        }
        resolve(E.right(this.adopt(socket, target, false)));
      });
    });
  }

  private startPinging(): void {
    const every = this.options.pingIntervalMs ?? 30_000;
    this.pinger = setInterval(() => {
      for (const connection of this.connections.values()) {
        if (!connection.alive) {
          this.core.drop('KeepAliveTimeout', `no pong in ${every} ms`, connection.remote);
          connection.socket.terminate();
          continue;
        }
        connection.alive = false;
        connection.socket.ping();
      }
    }, every);
    this.pinger.unref();
  }

  private forget(connection: Connection): void {
    if (!this.connections.delete(connection.id)) return;
    const key = endpointKey(connection.remote);
    if (this.byRemote.get(key) === connection) this.byRemote.delete(key);
    if (connection.incoming) {
      this.closedIncoming.add(key);
      if (this.closedIncoming.size > REMEMBERED_CLOSED_FLOWS) {
        this.closedIncoming.delete(this.closedIncoming.values().next().value as string);
      }
    }
    for (const host of connection.hosts) if (this.byFlowHost.get(host) === connection) this.byFlowHost.delete(host);
    try {
      this.flowClosed({ connectionId: connection.id, remote: connection.remote, hosts: [...connection.hosts] });
    } catch (error) {
      this.core.drop('HandlerError', error instanceof Error ? error.message : String(error), connection.remote);
    }
  }
}
