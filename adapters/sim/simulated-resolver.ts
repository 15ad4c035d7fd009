import * as E from 'fp-ts/lib/Either.js';
import type {
  AddressRecord, DnsAnswer, NaptrRecord, Resolver, SrvRecord,
} from '../../ports/resolver.js';
import type { VirtualClock } from './virtual-clock.js';

/** DNS data for a simulation: records by name (names compared case-insensitively). */
export interface Zone {
  readonly naptr?: Readonly<Record<string, ReadonlyArray<NaptrRecord>>>;
  readonly srv?: Readonly<Record<string, ReadonlyArray<SrvRecord>>>;
  /** Addresses by name: IPv4 and IPv6 literals. */
  readonly addresses?: Readonly<Record<string, ReadonlyArray<string>>>;
  /** TTL of address records (default 300 s). */
  readonly ttlSec?: number;
}

/**
 * The Resolver port over a zone table; counts its queries. It answers at once, or after `delayMs` of
 * virtual time (then the caller's clock must run while it waits: `createOutgoingCall` to a name needs it).
 */
export class SimulatedResolver implements Resolver {
  readonly queries: string[] = [];

  constructor(private readonly clock: VirtualClock, private readonly zone: Zone, private readonly delayMs = 0) {}

  naptr(name: string): Promise<DnsAnswer<NaptrRecord>> {
    return this.answer('NAPTR', name, this.zone.naptr);
  }

  srv(name: string): Promise<DnsAnswer<SrvRecord>> {
    return this.answer('SRV', name, this.zone.srv);
  }

  addresses(name: string): Promise<DnsAnswer<AddressRecord>> {
    const ttlSec = this.zone.ttlSec ?? 300;
    const table = Object.fromEntries(Object.entries(this.zone.addresses ?? {}).map(([host, list]) => [
      host, list.map((address): AddressRecord => ({ address, family: address.includes(':') ? 6 : 4, ttlSec }))
        .sort((a, b) => a.family - b.family),
    ]));
    return this.answer('A/AAAA', name, table);
  }

  private answer<T>(type: string, name: string, table: Readonly<Record<string, ReadonlyArray<T>>> | undefined) {
    this.queries.push(`${type} ${name}`);
    const key = Object.keys(table ?? {}).find((k) => k.toLowerCase() === name.toLowerCase());
    const records = key === undefined ? undefined : table?.[key];
    const answer: DnsAnswer<T> = records === undefined || records.length === 0
      ? E.left({ kind: 'NotFound', detail: 'NXDOMAIN' }) : E.right(records);
    if (this.delayMs === 0) return Promise.resolve(answer);
    return new Promise<DnsAnswer<T>>((resolve) => this.clock.schedule(this.delayMs, () => resolve(answer)));
  }
}
