import * as E from 'fp-ts/lib/Either.js';
import type { SessionConfig } from '../../application/session/session-config.js';
import { sessionException } from '../../application/session/session-exception.js';
import type { SessionError } from '../../domain/session/session-error.js';
import type { SipTransport } from '../../ports/sip-transport.js';
import { TcpSipTransport } from '../node/tcp-sip-transport.js';
import { tlsMaterial } from '../node/tls-material.js';
import { TlsSipTransport } from '../node/tls-sip-transport.js';
import { UdpSipTransport } from '../node/udp-sip-transport.js';
import { WsSipTransport } from '../node/ws-sip-transport.js';
import type { WebSocketHttpHandler } from './transport-options.js';
import { MultiTransport } from '../shared/multi-transport.js';
import type { TransportCoreOptions } from '../shared/transport-core.js';
import { SimulatedSipTransport } from '../sim/simulated-sip-transport.js';
import type { SimulatedNetwork } from '../sim/simulated-network.js';
import type { Container } from 'inversify';
import { ResolvingTransport } from '../../application/transport/resolving-transport.js';
import { ServerLocator } from '../../application/transport/server-locator.js';
import type { Clock } from '../../ports/clock.js';
import type { Random } from '../../ports/random.js';
import type { Resolver } from '../../ports/resolver.js';
import type { RtpSocketFactory } from '../../ports/rtp-socket.js';
import { TOKENS } from '../../ports/tokens.js';
import { DnsResolver } from '../node/dns-resolver.js';
import { UdpRtpSocketFactory } from '../node/udp-rtp-socket.js';
import { SimulatedResolver } from '../sim/simulated-resolver.js';
import { SimulatedRtpSocketFactory } from '../sim/simulated-rtp-socket.js';
import { SERVICES } from './session-services.js';

/** Where a coordinator runs on the simulated network. */
export interface SimulationOptions {
  readonly network: SimulatedNetwork;
  /** This element's address on the simulated network. */
  readonly host: string;
  readonly seed: number;
}

/**
 * A bind that failed: an address that does not resolve or is not one of this
 * machine's is a configuration mistake (InvalidConfig); a port already taken
 * or not ours to use is the machine's state at the time (TransportError).
 */
const bindFailure = (detail: string): SessionError => (/EADDRINUSE|EACCES|EPERM/.test(detail)
  ? { kind: 'TransportError', message: `cannot bind SIP: ${detail}` }
  : { kind: 'InvalidConfig', field: 'localBindAddr', message: `localBindAddr: cannot bind SIP there: ${detail}` });

/** The SIP transports a coordinator listens on, on real sockets: UDP, TCP, TLS, WS and WSS together. */
export const realTransport = async (
  c: SessionConfig, core: TransportCoreOptions, http?: WebSocketHttpHandler,
): Promise<SipTransport> => {
  const transports: SipTransport[] = [];
  let port = c.sipPort;
  const needsTls = c.transports.includes('tls') || c.transports.includes('wss');
  const material = needsTls ? tlsMaterial(c.tls ?? {}) : undefined;
  if (material !== undefined && E.isLeft(material)) throw sessionException(material.left);
  const streams = c.transports.filter((p) => p === 'udp' || p === 'tcp');
  // UDP and TCP share one port number, as SIP elements do: the first bind picks it when 0. TLS listens
  // beside them (5061 beside 5060) unless told otherwise.
  for (const protocol of streams) {
    const bound = protocol === 'udp'
      ? await UdpSipTransport.listen({ host: c.bindHost, port, core })
      : await TcpSipTransport.listen({ host: c.bindHost, port, core, ...c.connectionLimits });
    if (E.isLeft(bound)) return bindFailed(transports, bound.left.detail);
    transports.push(bound.right);
    port = bound.right.localEndpoint(protocol)?.port ?? port;
  }
  if (material !== undefined && E.isRight(material) && c.transports.includes('tls')) {
    // Alone, TLS takes the SIP port; beside UDP/TCP it listens next to them (5061 beside 5060).
    const beside = c.transports.length > 1 && c.sipPort !== 0;
    const tlsPort = c.tls?.port ?? (beside ? c.sipPort + 1 : c.sipPort);
    const bound = await TlsSipTransport.listen(
      { host: c.bindHost, port: tlsPort, core, ...c.connectionLimits }, material.right,
    );
    if (E.isLeft(bound)) return bindFailed(transports, bound.left.detail);
    transports.push(bound.right);
  }
  for (const protocol of c.transports.filter((p) => p === 'ws' || p === 'wss')) {
    const tls = protocol === 'wss' && material !== undefined && E.isRight(material) ? material.right : undefined;
    const bound = await WsSipTransport.listen({
      host: c.bindHost, port: webSocketPort(c, protocol), core, ...c.connectionLimits, ...c.websocket,
      ...(tls === undefined ? {} : { tls }), ...(http === undefined ? {} : { httpHandler: http }),
    });
    if (E.isLeft(bound)) return bindFailed(transports, bound.left.detail);
    transports.push(bound.right);
  }
  return new MultiTransport(transports);
};

/** Alone, a WebSocket transport takes the SIP port; beside others, SIP port + 2 (WS) or + 3 (WSS). */
const webSocketPort = (c: SessionConfig, protocol: 'ws' | 'wss'): number => {
  const given = protocol === 'ws' ? c.websocket?.port : c.websocket?.securePort;
  if (given !== undefined) return given;
  if (c.transports.length === 1 || c.sipPort === 0) return c.sipPort;
  return c.sipPort + (protocol === 'ws' ? 2 : 3);
};

const bindFailed = async (bound: ReadonlyArray<SipTransport>, detail: string): Promise<never> => {
  await Promise.all(bound.map((t) => t.close()));
  throw sessionException(bindFailure(detail));
};

/** The same on the simulated network. */
export const simulatedTransport = (
  c: SessionConfig, sim: SimulationOptions, core: TransportCoreOptions,
): SipTransport => {
  if (c.transports.includes('ws') || c.transports.includes('wss')) throw sessionException({
    kind: 'InvalidConfig', field: 'transports',
    message: 'transports: WebSocket runs on real sockets only, not simulated',
  });
  const bound = SimulatedSipTransport.listen(sim.network, {
    host: sim.host, port: c.sipPort, protocols: c.transports, core,
    ...(c.tls?.port === undefined ? {} : { tlsPort: c.tls.port }),
  });
  if (E.isLeft(bound)) throw sessionException({ kind: 'TransportError', message: bound.left.detail });
  return bound.right;
};

/**
 * The network ports beside the SIP transport: RFC 3263 location for calls (names in Contacts and routes
 * resolved through the same resolver and cache), the transport that uses it, and RTP sockets — real, or on
 * the simulated network.
 */
export const bindNetwork = (
  container: Container, c: SessionConfig, sim: SimulationOptions | undefined, bound: SipTransport,
  traced: SipTransport, given: Resolver | undefined, dnsServers: ReadonlyArray<string> | undefined,
): void => {
  const resolver = given ?? (sim === undefined
    ? new DnsResolver(dnsServers === undefined ? {} : { servers: dnsServers })
    : new SimulatedResolver(sim.network.clock, {}));
  const locator = new ServerLocator(
    resolver, container.get<Clock>(TOKENS.Clock), container.get<Random>(TOKENS.Random), () => bound.protocols,
  );
  container.bind<ServerLocator>(SERVICES.Locator).toConstantValue(locator);
  const rtp: RtpSocketFactory = sim === undefined
    ? new UdpRtpSocketFactory({ host: c.bindHost, portMin: c.mediaPortStart, portMax: c.mediaPortEnd })
    : new SimulatedRtpSocketFactory(sim.network, sim.host, c.mediaPortStart, c.mediaPortEnd);
  container.bind<SipTransport>(TOKENS.SipTransport).toConstantValue(new ResolvingTransport(traced, locator));
  container.bind<RtpSocketFactory>(TOKENS.RtpSocketFactory).toConstantValue(rtp);
  container.bind<Resolver>(TOKENS.Resolver).toConstantValue(resolver);
};
