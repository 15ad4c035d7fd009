import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import { DEFAULT_TRANSPORT_CORE_OPTIONS, TransportCore, type TransportCoreOptions } from '../shared/transport-core.js';
import type { SipMessage } from '../../domain/sip/message.js';
import { endpoint, type Endpoint, type TransportProtocol } from '../../domain/transport/endpoint.js';
import { transportError, type TransportError } from '../../domain/transport/transport-error.js';
import type { InboundHandler, SipTransport, TransportCounters } from '../../ports/sip-transport.js';

export interface UdpListenOptions {
  readonly host: string;
  /** 0 picks a free port; `localEndpoint('udp')` reports it. */
  readonly port: number;
  /** Kernel buffers: large ones ride out bursts of thousands of datagrams. */
  readonly socketBufferBytes?: number;
  readonly core?: TransportCoreOptions;
}

const DEFAULT_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/** SIP over UDP (node:dgram), IPv4 or IPv6 by the bind address. */
export class UdpSipTransport implements SipTransport {
  readonly protocols: ReadonlyArray<TransportProtocol> = ['udp'];
  private readonly core: TransportCore;
  private closed = false;

  private constructor(
    private readonly socket: Socket, private readonly local: Endpoint, coreOptions: TransportCoreOptions,
  ) {
    this.core = new TransportCore(coreOptions, (bytes, target) => void this.sendBytes(bytes, target));
    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      this.core.receive(msg, endpoint('udp', rinfo.address, rinfo.port), this.local);
    });
    // After bind, socket errors (e.g. ICMP-driven) are counted, never thrown.
    socket.on('error', () => this.core.drop('SocketError'));
  }

  static listen(options: UdpListenOptions): Promise<E.Either<TransportError, UdpSipTransport>> {
    const host = options.host.replace(/^\[|\]$/g, '');
    const bufferBytes = options.socketBufferBytes ?? DEFAULT_SOCKET_BUFFER_BYTES;
    const socket = createSocket({
      type: isIPv6(host) ? 'udp6' : 'udp4', recvBufferSize: bufferBytes, sendBufferSize: bufferBytes,
    });
    return new Promise((resolve) => {
      const onError = (error: Error): void => {
        socket.close();
        resolve(E.left(transportError('BindFailed', `udp ${host}:${options.port}: ${error.message}`)));
      };
      socket.once('error', onError);
      socket.bind({ address: host, port: options.port }, () => {
        socket.off('error', onError);
        const address = socket.address();
        resolve(
          E.right(
            new UdpSipTransport(
              socket, endpoint('udp', address.address, address.port), options.core ?? DEFAULT_TRANSPORT_CORE_OPTIONS,
            ),
          ),
        );
      });
    });
  }

  localEndpoint(protocol: TransportProtocol): Endpoint | undefined {
    return protocol === 'udp' ? this.local : undefined;
  }

  onMessage(handler: InboundHandler): void {
    this.core.setHandler(handler);
  }

  send(message: SipMessage, target: Endpoint): Promise<E.Either<TransportError, Endpoint>> {
    return this.sendBytes(this.core.prepare(message, 'udp', this.local), target);
  }

  sendBytes(bytes: Uint8Array, target: Endpoint): Promise<E.Either<TransportError, Endpoint>> {
    if (this.closed) return Promise.resolve(E.left(transportError('Closed', 'transport closed')));
    if (target.protocol !== 'udp') return Promise.resolve(
      E.left(transportError('UnsupportedTransport', `${target.protocol} on a UDP transport`)),
    );
    if (bytes.length > 65_507) return Promise.resolve(
      E.left(transportError('TooLarge', `${bytes.length} bytes exceed a UDP datagram`)),
    );
    return new Promise((resolve) => {
      this.socket.send(bytes, target.port, target.host, (error) => {
        if (error) {
          this.core.drop('SendFailed', error.message, target);
          resolve(E.left(transportError('SendFailed', error.message)));
        } else {
          this.core.sent();
          resolve(E.right(target));
        }
      });
    });
  }

  counters(): TransportCounters {
    return this.core.counters(0);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
