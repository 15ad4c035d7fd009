import * as E from 'fp-ts/lib/Either.js';
import type { SipMessage } from '../../domain/sip/message.js';
import { endpoint, isFlowTarget, type Endpoint, type TransportProtocol } from '../../domain/transport/endpoint.js';
import { isNumericHost } from '../../domain/transport/server-location.js';
import type { TransportError } from '../../domain/transport/transport-error.js';
import type { ClosedFlow, InboundHandler, SipTransport, TransportCounters } from '../../ports/sip-transport.js';
import type { ServerLocator } from './server-locator.js';

/**
 * Puts the Resolver port between the stack and the sockets: a message for a host name (a Contact, a
 * Record-Route, a Via's sent-by) goes to the name's first address, looked up once and cached by TTL, so
 * the transports never resolve names themselves (nor ask the system again on every send).
 */
export class ResolvingTransport implements SipTransport {
  readonly protocols: ReadonlyArray<TransportProtocol>;

  constructor(private readonly inner: SipTransport, private readonly locator: ServerLocator) {
    this.protocols = inner.protocols;
  }

  localEndpoint(protocol: TransportProtocol): Endpoint | undefined {
    return this.inner.localEndpoint(protocol);
  }

  onMessage(handler: InboundHandler): void {
    this.inner.onMessage(handler);
  }

  send(message: SipMessage, target: Endpoint, connectionId?: number): Promise<E.Either<TransportError, Endpoint>> {
    // Addresses (nearly every send) go straight through.
    if (isNumericHost(target.host) || isFlowTarget(target)) return this.inner.send(message, target, connectionId);
    return this.resolve(target).then((resolved) => (
      E.isLeft(resolved) ? resolved : this.inner.send(message, resolved.right, connectionId)));
  }

  sendBytes(bytes: Uint8Array, target: Endpoint, connectionId?: number): Promise<E.Either<TransportError, Endpoint>> {
    if (isNumericHost(target.host) || isFlowTarget(target)) return this.inner.sendBytes(bytes, target, connectionId);
    return this.resolve(target).then((resolved) => (
      E.isLeft(resolved) ? resolved : this.inner.sendBytes(bytes, resolved.right, connectionId)));
  }

  onFlowClosed(handler: (flow: ClosedFlow) => void): void {
    this.inner.onFlowClosed?.(handler);
  }

  counters(): TransportCounters {
    return this.inner.counters();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async resolve(target: Endpoint): Promise<E.Either<TransportError, Endpoint>> {
    const addresses = await this.locator.hostAddresses(target.host);
    if (E.isLeft(addresses)) return addresses;
    return E.right(endpoint(target.protocol, addresses.right[0]!, target.port));
  }
}
