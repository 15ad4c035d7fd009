import * as E from 'fp-ts/lib/Either.js';
import { DEFAULT_TRANSPORT_CORE_OPTIONS, TransportCore, type TransportCoreOptions } from '../shared/transport-core.js';
import type { SipMessage } from '../../domain/sip/message.js';
import { INITIAL_FRAMER_STATE, type FramerState } from '../../domain/sip/stream-framer.js';
import { endpoint, endpointKey, type Endpoint, type TransportProtocol } from '../../domain/transport/endpoint.js';
import { transportError, type TransportError } from '../../domain/transport/transport-error.js';
import type { InboundHandler, SipTransport, TransportCounters } from '../../ports/sip-transport.js';
import type { SimDatagramSocket, SimStreamConnection, SimulatedNetwork } from './simulated-network.js';

export interface SimulatedListenOptions {
  readonly host: string;
  /** 0 picks an ephemeral port; with both protocols the same port is used for UDP and TCP. */
  readonly port: number;
  readonly protocols?: ReadonlyArray<TransportProtocol>;
  /** The TLS listener's port (default: the SIP port + 1, or ephemeral when that is 0). */
  readonly tlsPort?: number;
  readonly core?: TransportCoreOptions;
}

type StreamProtocol = Extract<TransportProtocol, 'tcp' | 'tls'>;

interface SimConnection {
  readonly stream: SimStreamConnection;
  readonly remote: Endpoint;
  framer: FramerState;
}

const CRLF = new Uint8Array([0x0d, 0x0a]);

/**
 * The SipTransport port on the simulated network: UDP as datagrams, TCP as
 * reliable ordered streams with the same framer as the real TCP adapter, and
 * TLS as such a stream on its own port (the simulation models what TLS means
 * to SIP — a reliable connection-oriented transport, sips routing — not the
 * cipher). The rules (400s, received/rport, Via stamping, counters) are the
 * shared core's.
 */
export class SimulatedSipTransport implements SipTransport {
  readonly protocols: ReadonlyArray<TransportProtocol>;
  private readonly core: TransportCore;
  private udp: SimDatagramSocket | undefined;
  private readonly listeners = new Map<StreamProtocol, { readonly port: number; close(): void }>();
  private readonly connections = new Map<number, SimConnection>();
  private readonly byRemote = new Map<string, SimConnection>();
  private readonly connecting = new Map<string, Promise<E.Either<TransportError, SimConnection>>>();
  private closed = false;

  private constructor(
    private readonly network: SimulatedNetwork, private readonly host: string,
    protocols: ReadonlyArray<TransportProtocol>, core: TransportCoreOptions,
  ) {
    this.protocols = protocols;
    this.core = new TransportCore(
      core, (bytes, target, connectionId) => void this.sendBytes(bytes, target, connectionId),
    );
  }

  static listen(
    network: SimulatedNetwork, options: SimulatedListenOptions,
  ): E.Either<TransportError, SimulatedSipTransport> {
    const protocols = options.protocols ?? ['udp'];
    const transport = new SimulatedSipTransport(
      network, options.host, protocols, options.core ?? DEFAULT_TRANSPORT_CORE_OPTIONS,
    );
    let port = options.port;
    if (protocols.includes('udp')) {
      const socket = network.bindDatagram(options.host, port, (bytes, source) =>
        transport.core.receive(
          bytes, endpoint('udp', source.host, source.port), transport.localEndpoint('udp') as Endpoint,
        ));
      if (E.isLeft(socket)) return E.left(transportError('BindFailed', `udp ${options.host}:${port}: ${socket.left}`));
      transport.udp = socket.right;
      port = socket.right.port;
    }
    for (const protocol of ['tcp', 'tls'] as const) {
      if (!protocols.includes(protocol)) continue;
      const at = protocol === 'tcp' ? port : options.tlsPort ?? (options.port === 0 ? 0 : options.port + 1);
      const listener = network.listenStream(options.host, at, (stream) => transport.adopt(stream, protocol));
      if (E.isLeft(listener)) {
        void transport.close();
        return E.left(transportError('BindFailed', `${protocol} ${options.host}:${at}: ${listener.left}`));
      }
      transport.listeners.set(protocol, listener.right);
      if (protocol === 'tcp') port = listener.right.port;
    }
    return E.right(transport);
  }

  localEndpoint(protocol: TransportProtocol): Endpoint | undefined {
    if (protocol === 'udp' && this.udp !== undefined) return endpoint('udp', this.host, this.udp.port);
    if (protocol !== 'tcp' && protocol !== 'tls') return undefined;
    const listener = this.listeners.get(protocol);
    return listener === undefined ? undefined : endpoint(protocol, this.host, listener.port);
  }

  onMessage(handler: InboundHandler): void {
    this.core.setHandler(handler);
  }

  send(message: SipMessage, target: Endpoint, connectionId?: number): Promise<E.Either<TransportError, Endpoint>> {
    const local = this.localEndpoint(target.protocol);
    if (local === undefined) return Promise.resolve(
      E.left(transportError('UnsupportedTransport', `no ${target.protocol} here`)),
    );
    return this.sendBytes(this.core.prepare(message, target.protocol, local), target, connectionId);
  }

  async sendBytes(
    bytes: Uint8Array, target: Endpoint, connectionId?: number,
  ): Promise<E.Either<TransportError, Endpoint>> {
    if (this.closed) return E.left(transportError('Closed', 'transport closed'));
    if (target.protocol === 'udp') {
      if (this.udp === undefined) return E.left(transportError('UnsupportedTransport', 'no udp here'));
      this.udp.send(bytes, { host: target.host, port: target.port });
      this.core.sent();
      return E.right(target);
    }
    const protocol = target.protocol;
    if ((protocol !== 'tcp' && protocol !== 'tls') || !this.listeners.has(protocol)) return E.left(
      transportError('UnsupportedTransport', `no ${protocol} here`),
    );
    const existing = (connectionId === undefined ? undefined : this.connections.get(connectionId)) ?? this.byRemote.get(
      endpointKey(target),
    );
    let connection = existing;
    if (connection === undefined) {
      const opened = await this.connect(protocol, target);
      if (E.isLeft(opened)) return opened;
      connection = opened.right;
    }
    if (!connection.stream.send(bytes)) return E.left(transportError('SendFailed', 'connection closed'));
    this.core.sent();
    return E.right(connection.remote);
  }

  /**
   * One connection per target however many messages wait for it, as the real adapter does: they share the
   * attempt and go out in the order they were sent.
   */
  private connect(protocol: StreamProtocol, target: Endpoint): Promise<E.Either<TransportError, SimConnection>> {
    const key = endpointKey(target);
    const pending = this.connecting.get(key);
    if (pending !== undefined) return pending;
    const attempt = this.network.connectStream(this.host, { host: target.host, port: target.port }).then((opened) => {
      this.connecting.delete(key);
      if (E.isLeft(opened)) {
        this.core.drop('ConnectFailed');
        return E.left(transportError('ConnectFailed', `${target.host}:${target.port}: ${opened.left}`));
      }
      if (this.closed) {
        opened.right.close();
        return E.left(transportError('Closed', 'transport closed'));
      }
      return E.right(this.adopt(opened.right, protocol, target));
    });
    this.connecting.set(key, attempt);
    return attempt;
  }

  counters(): TransportCounters {
    return this.core.counters(this.connections.size);
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.udp?.close();
      for (const listener of this.listeners.values()) listener.close();
      for (const connection of [...this.connections.values()]) connection.stream.close();
    }
    return Promise.resolve();
  }

  private adopt(
    stream: SimStreamConnection, protocol: StreamProtocol,
    remote: Endpoint = endpoint(protocol, stream.remote.host, stream.remote.port),
  ): SimConnection {
    const connection: SimConnection = { stream, remote, framer: INITIAL_FRAMER_STATE };
    this.connections.set(stream.id, connection);
    this.byRemote.set(endpointKey(remote), connection);
    stream.onData((chunk) => {
      const result = this.core.receiveStream(
        connection.framer, chunk, connection.remote, this.localEndpoint(protocol) as Endpoint, stream.id,
      );
      connection.framer = result.framer;
      for (let i = 0; i < result.pings; i++) stream.send(CRLF);
      if (result.close) stream.close();
    });
    stream.onClose(() => {
      this.connections.delete(stream.id);
      if (this.byRemote.get(endpointKey(remote)) === connection) this.byRemote.delete(endpointKey(remote));
    });
    return connection;
  }
}
