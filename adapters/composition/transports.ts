import * as E from 'fp-ts/lib/Either.js';
import type { SessionConfig } from '../../application/session/session-config.js';
import { sessionException } from '../../application/session/session-exception.js';
import type { SessionError } from '../../domain/session/session-error.js';
import type { SipTransport } from '../../ports/sip-transport.js';
import { TcpSipTransport } from '../node/tcp-sip-transport.js';
import { tlsMaterial } from '../node/tls-material.js';
import { TlsSipTransport } from '../node/tls-sip-transport.js';
import { UdpSipTransport } from '../node/udp-sip-transport.js';
import { MultiTransport } from '../shared/multi-transport.js';
import type { TransportCoreOptions } from '../shared/transport-core.js';
import { SimulatedSipTransport } from '../sim/simulated-sip-transport.js';
import type { SimulatedNetwork } from '../sim/simulated-network.js';

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

/** The SIP transports a coordinator listens on, on real sockets: UDP, TCP and TLS together. */
export const realTransport = async (c: SessionConfig, core: TransportCoreOptions): Promise<SipTransport> => {
  const transports: SipTransport[] = [];
  let port = c.sipPort;
  const material = c.transports.includes('tls') ? tlsMaterial(c.tls ?? {}) : undefined;
  if (material !== undefined && E.isLeft(material)) throw sessionException(material.left);
  // UDP and TCP share one port number, as SIP elements do: the first bind picks it when 0. TLS listens
  // beside them (5061 beside 5060) unless told otherwise.
  for (const protocol of c.transports.filter((p) => p !== 'tls')) {
    const bound = protocol === 'udp'
      ? await UdpSipTransport.listen({ host: c.bindHost, port, core })
      : await TcpSipTransport.listen({ host: c.bindHost, port, core, ...c.connectionLimits });
    if (E.isLeft(bound)) return bindFailed(transports, bound.left.detail);
    transports.push(bound.right);
    port = bound.right.localEndpoint(protocol)?.port ?? port;
  }
  if (material !== undefined && E.isRight(material)) {
    // Alone, TLS takes the SIP port; beside UDP/TCP it listens next to them (5061 beside 5060).
    const beside = c.transports.length > 1 && c.sipPort !== 0;
    const tlsPort = c.tls?.port ?? (beside ? c.sipPort + 1 : c.sipPort);
    const bound = await TlsSipTransport.listen(
      { host: c.bindHost, port: tlsPort, core, ...c.connectionLimits }, material.right,
    );
    if (E.isLeft(bound)) return bindFailed(transports, bound.left.detail);
    transports.push(bound.right);
  }
  return new MultiTransport(transports);
};

const bindFailed = async (bound: ReadonlyArray<SipTransport>, detail: string): Promise<never> => {
  await Promise.all(bound.map((t) => t.close()));
  throw sessionException(bindFailure(detail));
};

/** The same on the simulated network. */
export const simulatedTransport = (
  c: SessionConfig, sim: SimulationOptions, core: TransportCoreOptions,
): SipTransport => {
  const bound = SimulatedSipTransport.listen(sim.network, {
    host: sim.host, port: c.sipPort, protocols: c.transports, core,
    ...(c.tls?.port === undefined ? {} : { tlsPort: c.tls.port }),
  });
  if (E.isLeft(bound)) throw sessionException({ kind: 'TransportError', message: bound.left.detail });
  return bound.right;
};
