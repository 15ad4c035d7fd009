/**
 * How to reach a registered contact: straight at its URI, along the Path it
 * registered through (RFC 3327), or back over the address and connection its
 * REGISTER came from when the URI cannot be reached from here (a phone behind
 * NAT, a TCP/TLS client whose Contact port listens for nothing: RFC 5626's
 * flow). Kamailio's nathelper makes the same call with the same clues.
 */
import { parseNameAddr, type NameAddr } from '../sip/name-addr.js';
import { parseUri } from '../sip/parse-uri.js';
import * as E from 'fp-ts/lib/Either.js';
import type { Endpoint } from '../transport/endpoint.js';
import { targetForUri } from '../transport/outbound.js';
import type { Binding } from './registrar.js';

export interface ContactReach {
  readonly requestUri: string;
  readonly routes?: ReadonlyArray<string>;
  readonly nextHop?: Endpoint;
}

/** RFC 1918 and RFC 6598 (carrier-grade NAT) IPv4 ranges, and IPv6 unique-local and link-local addresses. */
export const isPrivateAddress = (host: string): boolean => {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(host);
  if (v4 !== null) {
    const a = Number(v4[1]);
    const b = Number(v4[2]);
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)
      || (a === 100 && b >= 64 && b <= 127);
  }
  const v6 = host.toLowerCase().replace(/^\[|\]$/g, '');
  return /^f[cd][0-9a-f]{2}:/.test(v6) || /^fe[89ab][0-9a-f]:/.test(v6);
};

export const contactReach = (binding: Binding): ContactReach => {
  if (binding.path.length > 0) return { requestUri: binding.uri, routes: binding.path };
  const uri = parseUri(binding.uri);
  const host = E.isRight(uri) && uri.right.kind === 'sip' ? uri.right.host.replace(/^\[|\]$/g, '') : undefined;
  const source = binding.source;
  const behindNat = host === undefined || host.toLowerCase().endsWith('.invalid')
    || (isPrivateAddress(host) && host !== source.host);
  const direct = source.protocol === 'udp' && !behindNat;
  return direct ? { requestUri: binding.uri } : { requestUri: binding.uri, nextHop: source };
};

/** Where the first request to the contact goes: its flow, or its URI's host and port (no DNS). */
export const firstHop = (binding: Binding): Endpoint | undefined => {
  const reach = contactReach(binding);
  if (reach.nextHop !== undefined) return reach.nextHop;
  const route = reach.routes?.[0];
  const uri = route === undefined ? parseUri(reach.requestUri) : E.map((r: NameAddr) => r.uri)(parseNameAddr(route));
  if (E.isLeft(uri)) return undefined;
  const hop = targetForUri(uri.right);
  return E.isRight(hop) ? hop.right : undefined;
};
