import * as E from 'fp-ts/lib/Either.js';
import type { SipMessage } from '../../domain/sip/message.js';
import { formatHead, messageSize } from '../../domain/sip/serialize-message.js';
import type { Endpoint, TransportProtocol } from '../../domain/transport/endpoint.js';
import { UDP_SIZE_THRESHOLD } from '../../domain/transport/outbound.js';
import { transportError, type TransportError } from '../../domain/transport/transport-error.js';
import type { ClosedFlow, InboundHandler, SipTransport, TransportCounters } from '../../ports/sip-transport.js';

/**
 * One SipTransport over several protocols: picks the one the target names and
 * applies §18.1.1 — a request too large for UDP goes over TCP when TCP is
 * available, and back to UDP if the connection cannot be made.
 */
export class MultiTransport implements SipTransport {
  readonly protocols: ReadonlyArray<TransportProtocol>;
  private readonly byProtocol = new Map<TransportProtocol, SipTransport>();

  constructor(transports: ReadonlyArray<SipTransport>) {
    for (const transport of transports) for (const protocol of transport.protocols) this.byProtocol.set(
      protocol, transport,
    );
    this.protocols = [...this.byProtocol.keys()];
  }

  localEndpoint(protocol: TransportProtocol): Endpoint | undefined {
    return this.byProtocol.get(protocol)?.localEndpoint(protocol);
  }

  onMessage(handler: InboundHandler): void {
    for (const transport of new Set(this.byProtocol.values())) transport.onMessage(handler);
  }

  async send(
    message: SipMessage, target: Endpoint, connectionId?: number,
  ): Promise<E.Either<TransportError, Endpoint>> {
    const tcp = this.byProtocol.get('tcp');
    const large = (): boolean => messageSize(formatHead(message), message) > UDP_SIZE_THRESHOLD;
    if (message.kind === 'request' && target.protocol === 'udp' && tcp !== undefined && large()) {
      const viaTcp = await tcp.send(message, { ...target, protocol: 'tcp' });
      if (E.isRight(viaTcp) || viaTcp.left.reason !== 'ConnectFailed') return viaTcp;
    }
    const transport = this.byProtocol.get(target.protocol);
    if (transport === undefined) return E.left(
      transportError('UnsupportedTransport', `no ${target.protocol} transport`),
    );
    return transport.send(message, target, connectionId);
  }

  sendBytes(bytes: Uint8Array, target: Endpoint, connectionId?: number): Promise<E.Either<TransportError, Endpoint>> {
    const transport = this.byProtocol.get(target.protocol);
    if (transport === undefined) return Promise.resolve(
      E.left(transportError('UnsupportedTransport', `no ${target.protocol} transport`)),
    );
    return transport.sendBytes(bytes, target, connectionId);
  }

  onFlowClosed(handler: (flow: ClosedFlow) => void): void {
    for (const transport of new Set(this.byProtocol.values())) transport.onFlowClosed?.(handler);
  }

  counters(): TransportCounters {
    const all = [...new Set(this.byProtocol.values())].map((t) => t.counters());
    const dropped: Record<string, number> = {};
    for (const c of all) {
      for (const [reason, n] of Object.entries(c.dropped)) dropped[reason] = (dropped[reason] ?? 0) + n;
    }
    return {
      inbound: all.reduce((n, c) => n + c.inbound, 0),
      received: all.reduce((n, c) => n + c.received, 0),
      sent: all.reduce((n, c) => n + c.sent, 0),
      badRequestsAnswered: all.reduce((n, c) => n + c.badRequestsAnswered, 0),
      dropped,
      openConnections: all.reduce((n, c) => n + c.openConnections, 0),
    };
  }

  async close(): Promise<void> {
    await Promise.all([...new Set(this.byProtocol.values())].map((t) => t.close()));
  }
}
