import type * as E from 'fp-ts/lib/Either.js';

/** A NAPTR record (RFC 3403) as RFC 3263 uses it: `s` flag, a SIP service, the SRV name it points to. */
export interface NaptrRecord {
  readonly order: number;
  readonly preference: number;
  readonly flags: string;
  readonly service: string;
  readonly replacement: string;
}

/** An SRV record (RFC 2782). */
export interface SrvRecord {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly name: string;
}

export interface AddressRecord {
  readonly address: string;
  readonly family: 4 | 6;
  /** How long the answer may be kept, when the resolver knows (undefined: the locator's default). */
  readonly ttlSec: number | undefined;
}

/** NotFound: the name does not exist or has no record of that type; Failed: the lookup itself failed. */
export interface DnsFailure {
  readonly kind: 'NotFound' | 'Failed';
  readonly detail: string;
}

export type DnsAnswer<T> = E.Either<DnsFailure, ReadonlyArray<T>>;

/**
 * DNS as a port (RFC 3263 server location needs NAPTR, SRV and A/AAAA): the Node adapter asks real
 * servers, the simulated one reads a zone table. Never throws.
 */
export interface Resolver {
  naptr(name: string): Promise<DnsAnswer<NaptrRecord>>;
  srv(name: string): Promise<DnsAnswer<SrvRecord>>;
  /** A and AAAA records, IPv4 first. */
  addresses(name: string): Promise<DnsAnswer<AddressRecord>>;
}
