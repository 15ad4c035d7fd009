import * as E from 'fp-ts/lib/Either.js';
import { paramValue } from '../sip/params.js';
import type { Uri } from '../sip/uri.js';
import {
  defaultPortOf, endpoint, isFlowHost, stripBrackets, type Endpoint, type TransportProtocol,
} from './endpoint.js';
import { transportError, type TransportError } from './transport-error.js';
import { namedTransport } from './uri-transport.js';

/**
 * RFC 3263 §4 as pure steps: what to look up for a URI, which NAPTR services and SRV records to follow,
 * in which order. The lookups themselves happen in the application (`ServerLocator`), through a port.
 */
export type LocationPlan =
  /** A numeric host: no DNS at all (§4.1, §4.2). */
  | { readonly kind: 'Numeric'; readonly target: Endpoint }
  /** An explicit port: A/AAAA of the host, that port, the transport as chosen (§4.2). */
  | { readonly kind: 'Addresses'; readonly host: string; readonly port: number; readonly protocol: TransportProtocol }
  /** A transport named but no port: its SRV records, else A/AAAA on the default port (§4.2). */
  | { readonly kind: 'Srv'; readonly host: string; readonly protocol: TransportProtocol; readonly secure: boolean }
  /** Nothing named: NAPTR, else SRV for each transport we have, else A/AAAA over UDP (TLS for sips) (§4.1). */
  | { readonly kind: 'Naptr'; readonly host: string; readonly secure: boolean };

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** True for an IPv4 or IPv6 literal (bracketed or not). */
export const isNumericHost = (host: string): boolean => IPV4.test(host) || stripBrackets(host).includes(':');

/** What to look up to reach `uri`, given the transports we can use. */
export const planLocation = (
  uri: Uri, supported: ReadonlyArray<TransportProtocol>,
): E.Either<TransportError, LocationPlan> => {
  if (uri.kind !== 'sip') return E.left(
    transportError('NoRoute', `no route to a ${uri.kind === 'tel' ? 'tel' : uri.scheme} URI`),
  );
  const secure = uri.scheme === 'sips';
  const named = namedTransport(uri);
  if (E.isLeft(named)) return named;
  const chosen = named.right;
  if (chosen !== undefined && !supported.includes(chosen)) return E.left(
    transportError('UnsupportedTransport', `${uri.host} asks for ${chosen}, which this element does not listen on`),
  );
  const host = stripBrackets(paramValue(uri.params, 'maddr') ?? uri.host);
  const fallback: TransportProtocol = secure ? 'tls' : 'udp';
  // A flow's `.invalid` host (RFC 7118 §5) is resolved by the transport that holds the flow, never by DNS.
  if (isNumericHost(host) || ((chosen === 'ws' || chosen === 'wss') && isFlowHost(host))) {
    const protocol = chosen ?? fallback;
    return E.right({ kind: 'Numeric', target: endpoint(protocol, host, uri.port ?? defaultPortOf(protocol)) });
  }
  if (uri.port !== undefined) return E.right({ kind: 'Addresses', host, port: uri.port, protocol: chosen ?? fallback });
  if (chosen !== undefined) return E.right({ kind: 'Srv', host, protocol: chosen, secure });
  return E.right({ kind: 'Naptr', host, secure });
};

/** `_sip._udp.example.com`, `_sips._tcp.example.com` (§4.1: TLS is `_sips._tcp`). */
export const srvName = (protocol: TransportProtocol, host: string): string =>
  protocol === 'tls' ? `_sips._tcp.${host}` : `_sip._${protocol}.${host}`;

const SERVICES: ReadonlyArray<readonly [string, TransportProtocol, boolean]> = [
  ['SIP+D2U', 'udp', false], ['SIP+D2T', 'tcp', false], ['SIPS+D2T', 'tls', true],
];

export interface NaptrLike {
  readonly order: number;
  readonly preference: number;
  readonly flags: string;
  readonly service: string;
  readonly replacement: string;
}

/**
 * The NAPTR records we can follow, best first (§4.1): `s` flag, a SIP service over a transport we have
 * (only SIPS+D2T for a sips URI), ordered by order then preference.
 */
export const usableNaptr = (
  records: ReadonlyArray<NaptrLike>, supported: ReadonlyArray<TransportProtocol>, secure: boolean,
): ReadonlyArray<{ readonly protocol: TransportProtocol; readonly srv: string }> => records
  .flatMap((r) => {
    const service = SERVICES.find(([name]) => name === r.service.toUpperCase());
    if (service === undefined || r.flags.toLowerCase() !== 's' || r.replacement === '') return [];
    const [, protocol, tls] = service;
    if ((secure && !tls) || !supported.includes(protocol)) return [];
    return [{ record: r, protocol, srv: r.replacement.replace(/\.$/, '') }];
  })
  .sort((a, b) => a.record.order - b.record.order || a.record.preference - b.record.preference)
  .map(({ protocol, srv }) => ({ protocol, srv }));

/** SRV lookups to try when a domain has no NAPTR records (§4.1), in our order of preference. */
export const srvFallbacks = (
  host: string, supported: ReadonlyArray<TransportProtocol>, secure: boolean,
): ReadonlyArray<{ readonly protocol: TransportProtocol; readonly srv: string }> =>
  (secure ? ['tls' as const] : (['udp', 'tcp', 'tls'] as const))
    .filter((p) => supported.includes(p))
    .map((protocol) => ({ protocol, srv: srvName(protocol, host) }));

export interface SrvLike {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly name: string;
}

/**
 * RFC 2782's order: lowest priority first; within a priority, a weighted random draw (`draw` gives
 * numbers in [0, 1)), zero-weight records having a small chance. A target of "." means no service.
 */
export const orderSrv = <T extends SrvLike>(records: ReadonlyArray<T>, draw: () => number): T[] => {
  const usable = records.filter((r) => r.name !== '.' && r.name !== '');
  const priorities = [...new Set(usable.map((r) => r.priority))].sort((a, b) => a - b);
  const ordered: T[] = [];
  for (const priority of priorities) {
    // Zero weights first, as the RFC's running-sum method places them.
    const left = usable.filter((r) => r.priority === priority).sort((a, b) => a.weight - b.weight);
    while (left.length > 0) {
      const total = left.reduce((sum, r) => sum + r.weight, 0);
      const pick = Math.floor(draw() * (total + 1));
      let running = 0;
      let index = left.findIndex((r) => (running += r.weight) >= pick);
      if (index === -1) index = left.length - 1;
      ordered.push(left.splice(index, 1)[0]!);
    }
  }
  return ordered;
};
