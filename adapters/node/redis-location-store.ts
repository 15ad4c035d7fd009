import { Redis } from 'ioredis';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { Clock } from '../../ports/clock.js';
import type { Binding, LocationStore } from '../../ports/location-store.js';

export interface RedisLocationStoreOptions {
  /** `redis://host:port[/db]`. */
  readonly url: string;
  /** This process's name: a binding's connection is usable only by the process that holds it. */
  readonly owner: string;
  /** Prefix of every key (default `session-core:`): each AOR's bindings under `<prefix>aor:<aor>`. */
  readonly prefix?: string;
  readonly commandTimeoutMs?: number;
}

const StoredBinding = t.intersection([
  t.type({
    aor: t.string, contact: t.string, uri: t.string, expiresAtEpochMs: t.number, callId: t.string, cseq: t.number,
    source: t.type({
      protocol: t.keyof({ udp: null, tcp: null, tls: null, ws: null, wss: null }), host: t.string, port: t.number,
    }),
    path: t.readonlyArray(t.string), owner: t.string,
  }),
  t.partial({ q: t.number, connectionId: t.number, instance: t.string, regId: t.number, userAgent: t.string }),
]);
const StoredBindings = t.readonlyArray(StoredBinding);
type Stored = t.TypeOf<typeof StoredBinding>;

/**
 * The location service shared by the processes of a cluster (RFC 3261 §10): an AOR's bindings as one JSON
 * value that expires with its last binding, so a worker that registered a phone need not be the one that
 * calls it. Expiry times go through the calendar (each process's monotonic clock has its own origin), and a
 * binding's connection is kept only for the process that holds it. The sweep reports the expired bindings of
 * AORs that still have others; an AOR whose every binding lapsed simply disappears with its key.
 */
export class RedisLocationStore implements LocationStore {
  private readonly prefix: string;

  private constructor(private readonly redis: Redis, private readonly clock: Clock, private readonly owner: string,
    prefix: string) {
    this.prefix = prefix;
    redis.on('error', () => undefined);
  }

  static open(options: RedisLocationStoreOptions, clock: Clock): RedisLocationStore {
    const redis = new Redis(options.url, {
      enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: options.commandTimeoutMs ?? 1000,
      retryStrategy: (attempt: number) => Math.min(100 * attempt, 2000),
    });
    return new RedisLocationStore(redis, clock, options.owner, options.prefix ?? 'session-core:');
  }

  /** Whether the client is connected now. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  async bindings(aor: string): Promise<ReadonlyArray<Binding>> {
    return this.decode(await this.redis.get(this.key(aor)));
  }

  async replace(aor: string, bindings: ReadonlyArray<Binding>): Promise<void> {
    if (bindings.length === 0) {
      await this.redis.multi().del(this.key(aor)).srem(this.aors(), aor).exec();
      return;
    }
    const lastMs = Math.max(...bindings.map((b) => b.expiresAtMs)) - this.clock.nowMs();
    const stored = bindings.map((b) => this.encode(b));
    await this.redis.multi().set(this.key(aor), JSON.stringify(stored), 'PX', Math.max(1, Math.ceil(lastMs)))
      .sadd(this.aors(), aor).exec();
  }

  async sweep(nowMs: number): Promise<ReadonlyArray<Binding>> {
    const expired: Binding[] = [];
    for (const aor of await this.redis.smembers(this.aors())) {
      const bindings = await this.bindings(aor);
      if (bindings.length === 0) {
        await this.redis.srem(this.aors(), aor);
        continue;
      }
      const live = bindings.filter((b) => b.expiresAtMs > nowMs);
      if (live.length === bindings.length) continue;
      expired.push(...bindings.filter((b) => b.expiresAtMs <= nowMs));
      await this.replace(aor, live);
    }
    return expired;
  }

  async all(): Promise<ReadonlyArray<Binding>> {
    const aors = await this.redis.smembers(this.aors());
    if (aors.length === 0) return [];
    const values = await this.redis.mget(...aors.map((aor) => this.key(aor)));
    return values.flatMap((value) => this.decode(value));
  }

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  private encode(b: Binding): Stored {
    const expiresAtEpochMs = Math.round(this.clock.epochMs() + (b.expiresAtMs - this.clock.nowMs()));
    return {
      aor: b.aor, contact: b.contact, uri: b.uri, expiresAtEpochMs, callId: b.callId, cseq: b.cseq,
      source: b.source, path: b.path, owner: this.owner,
      ...(b.q === undefined ? {} : { q: b.q }),
      ...(b.connectionId === undefined ? {} : { connectionId: b.connectionId }),
      ...(b.instance === undefined ? {} : { instance: b.instance }),
      ...(b.regId === undefined ? {} : { regId: b.regId }),
      ...(b.userAgent === undefined ? {} : { userAgent: b.userAgent }),
    };
  }

  /** What another program (or a damaged write) left under a key is no binding at all. */
  private decode(text: string | null): ReadonlyArray<Binding> {
    if (text === null) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return [];
    }
    const decoded = StoredBindings.decode(parsed);
    if (E.isLeft(decoded)) return [];
    const offset = this.clock.nowMs() - this.clock.epochMs();
    return decoded.right.map((s) => ({
      aor: s.aor, contact: s.contact, uri: s.uri, expiresAtMs: s.expiresAtEpochMs + offset, q: s.q,
      callId: s.callId, cseq: s.cseq, source: s.source,
      connectionId: s.owner === this.owner ? s.connectionId : undefined, path: s.path, instance: s.instance,
      regId: s.regId, userAgent: s.userAgent,
    }));
  }

  private key(aor: string): string {
    return `${this.prefix}aor:${aor}`;
  }

  private aors(): string {
    return `${this.prefix}aors`;
  }
}
