import { lookup } from 'node:dns/promises';
import { Resolver as NodeResolver } from 'node:dns/promises';
import * as E from 'fp-ts/lib/Either.js';
import type {
  AddressRecord, DnsAnswer, DnsFailure, NaptrRecord, Resolver, SrvRecord,
} from '../../ports/resolver.js';

export interface DnsResolverOptions {
  /** `host` or `host:port` of DNS servers to ask (default: the system's). */
  readonly servers?: ReadonlyArray<string>;
  /** Per query, in ms. */
  readonly timeoutMs?: number;
  readonly tries?: number;
}

const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'ENONAME', 'EREFUSED']);

const failure = (error: unknown): DnsFailure => {
  const code = (error as { code?: string }).code ?? 'EFAIL';
  return { kind: NOT_FOUND.has(code) ? 'NotFound' : 'Failed', detail: code };
};

const settle = async <T>(query: () => Promise<ReadonlyArray<T>>): Promise<DnsAnswer<T>> => {
  try {
    const records = await query();
    return records.length === 0 ? E.left({ kind: 'NotFound', detail: 'ENODATA' }) : E.right(records);
  } catch (error) {
    return E.left(failure(error));
  }
};

/**
 * The Resolver port on node:dns (c-ares): NAPTR, SRV, A and AAAA from the configured servers. With the
 * system's servers, a name DNS does not know is also looked up as the system would (hosts file,
 * `localhost`), so what resolved before RFC 3263 still does.
 */
export class DnsResolver implements Resolver {
  private readonly resolver: NodeResolver;
  private readonly system: boolean;

  constructor(options: DnsResolverOptions = {}) {
    this.resolver = new NodeResolver({ timeout: options.timeoutMs ?? 2000, tries: options.tries ?? 2 });
    this.system = options.servers === undefined || options.servers.length === 0;
    if (!this.system) this.resolver.setServers([...options.servers!]);
  }

  naptr(name: string): Promise<DnsAnswer<NaptrRecord>> {
    return settle(() => this.resolver.resolveNaptr(name));
  }

  srv(name: string): Promise<DnsAnswer<SrvRecord>> {
    return settle(() => this.resolver.resolveSrv(name));
  }

  async addresses(name: string): Promise<DnsAnswer<AddressRecord>> {
    const [v4, v6] = await Promise.all([
      settle(async () => (await this.resolver.resolve4(name, { ttl: true }))
        .map((r): AddressRecord => ({ address: r.address, family: 4, ttlSec: r.ttl }))),
      settle(async () => (await this.resolver.resolve6(name, { ttl: true }))
        .map((r): AddressRecord => ({ address: r.address, family: 6, ttlSec: r.ttl }))),
    ]);
    const found = [...(E.isRight(v4) ? v4.right : []), ...(E.isRight(v6) ? v6.right : [])];
    if (found.length > 0) return E.right(found);
    if (this.system) {
      const local = await settle(async () => (await lookup(name, { all: true }))
        .map((r): AddressRecord => ({ address: r.address, family: r.family === 6 ? 6 : 4, ttlSec: undefined })));
      if (E.isRight(local)) return local;
    }
    return E.isLeft(v4) ? v4 : v6;
  }
}
