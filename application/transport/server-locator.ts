import * as E from 'fp-ts/lib/Either.js';
import {
  defaultPortOf, endpoint, stripBrackets, type Endpoint, type TransportProtocol,
} from '../../domain/transport/endpoint.js';
import {
  isNumericHost, orderSrv, planLocation, srvFallbacks, srvName, usableNaptr,
} from '../../domain/transport/server-location.js';
import { transportError, type TransportError } from '../../domain/transport/transport-error.js';
import type { Uri } from '../../domain/sip/uri.js';
import type { Clock } from '../../ports/clock.js';
import type { Random } from '../../ports/random.js';
import type { AddressRecord, DnsAnswer, DnsFailure, Resolver } from '../../ports/resolver.js';

export interface ServerLocatorOptions {
  /** How long NAPTR and SRV answers (whose TTL the resolver does not give) and failures are kept. */
  readonly cacheSec: number;
  /** Entries kept at most; the oldest go first. */
  readonly maxEntries: number;
}

export const DEFAULT_LOCATOR_OPTIONS: ServerLocatorOptions = { cacheSec: 60, maxEntries: 10_000 };

interface Cached {
  readonly expiresAtMs: number;
  readonly answer: DnsAnswer<unknown>;
}

/**
 * RFC 3263 server location: the ordered list of transport, address and port to try for a URI — NAPTR,
 * then SRV (RFC 2782 order), then A/AAAA — through the Resolver port, answers cached by TTL (bounded).
 * Numeric hosts never touch DNS. A name that leads nowhere is a TransportError naming the lookup.
 */
export class ServerLocator {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly resolver: Resolver,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly supported: () => ReadonlyArray<TransportProtocol>,
    private readonly options: ServerLocatorOptions = DEFAULT_LOCATOR_OPTIONS,
  ) {}

  async locate(uri: Uri): Promise<E.Either<TransportError, ReadonlyArray<Endpoint>>> {
    const supported = this.supported();
    const plan = planLocation(uri, supported);
    if (E.isLeft(plan)) return plan;
    const p = plan.right;
    switch (p.kind) {
      case 'Numeric': return E.right([p.target]);
      case 'Addresses': return this.hostTargets(p.host, p.protocol, p.port);
      case 'Srv': {
        const viaSrv = await this.srvTargets(srvName(p.protocol, p.host), p.protocol);
        return viaSrv.length > 0 ? E.right(viaSrv) : this.hostTargets(p.host, p.protocol, defaultPortOf(p.protocol));
      }
      case 'Naptr': {
        const naptr = await this.cached('naptr', p.host, () => this.resolver.naptr(p.host));
        const services = E.isRight(naptr) ? usableNaptr(naptr.right, supported, p.secure) : [];
        // §4.1: no usable NAPTR → SRV for each transport we have; the first that answers decides.
        const candidates = services.length > 0 ? services : srvFallbacks(p.host, supported, p.secure);
        const targets: Endpoint[] = [];
        for (const service of candidates) {
          targets.push(...await this.srvTargets(service.srv, service.protocol));
          if (targets.length > 0 && services.length === 0) break;
        }
        if (targets.length > 0) return E.right(targets);
        const protocol: TransportProtocol = p.secure ? 'tls' : 'udp';
        if (!supported.includes(protocol)) return E.left(
          transportError('UnsupportedTransport', `${p.host} would be reached over ${protocol}, which we lack`),
        );
        return this.hostTargets(p.host, protocol, defaultPortOf(protocol));
      }
    }
  }

  /** The addresses of a host name through the Resolver port (cached); a literal is its own address. */
  async hostAddresses(host: string): Promise<E.Either<TransportError, ReadonlyArray<string>>> {
    if (isNumericHost(host)) return E.right([stripBrackets(host)]);
    const found = await this.addresses(host);
    return E.isLeft(found)
      ? E.left(transportError('ResolveFailed', `${host} does not resolve (${found.left.detail})`))
      : E.right(found.right.map((a) => a.address));
  }

  private async srvTargets(name: string, protocol: TransportProtocol): Promise<Endpoint[]> {
    const srv = await this.cached('srv', name, () => this.resolver.srv(name));
    if (E.isLeft(srv)) return [];
    const targets: Endpoint[] = [];
    for (const record of orderSrv(srv.right, () => this.random.nextUint32() / 4294967296)) {
      const addresses = await this.addresses(record.name.replace(/\.$/, ''));
      if (E.isRight(addresses)) targets.push(...addresses.right.map((a) => endpoint(protocol, a.address, record.port)));
    }
    return targets;
  }

  private async hostTargets(
    host: string, protocol: TransportProtocol, port: number,
  ): Promise<E.Either<TransportError, ReadonlyArray<Endpoint>>> {
    return E.map((addresses: ReadonlyArray<string>) => addresses.map((a) => endpoint(protocol, a, port)))(
      await this.hostAddresses(host),
    );
  }

  private addresses(host: string): Promise<E.Either<DnsFailure, ReadonlyArray<AddressRecord>>> {
    return this.cached('addresses', host, () => this.resolver.addresses(host), (records) => {
      const ttls = records.flatMap((r) => (r.ttlSec === undefined ? [] : [r.ttlSec]));
      return ttls.length === 0 ? undefined : Math.min(...ttls);
    });
  }

  private async cached<T>(
    type: string, name: string, lookup: () => Promise<DnsAnswer<T>>,
    ttlOf: (records: ReadonlyArray<T>) => number | undefined = () => undefined,
  ): Promise<DnsAnswer<T>> {
    const key = `${type} ${name.toLowerCase()}`;
    const now = this.clock.nowMs();
    const hit = this.cache.get(key);
    if (hit !== undefined && hit.expiresAtMs > now) return hit.answer as DnsAnswer<T>;
    const answer = await lookup();
    const ttlSec = E.isRight(answer) ? ttlOf(answer.right) ?? this.options.cacheSec : this.options.cacheSec;
    this.cache.delete(key);
    if (this.cache.size >= this.options.maxEntries) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
    if (ttlSec > 0) this.cache.set(key, { expiresAtMs: this.clock.nowMs() + ttlSec * 1000, answer });
    return answer;
  }
}
