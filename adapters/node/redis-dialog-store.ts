import { Redis } from 'ioredis';
import type { CallSnapshot, DialogStore, DialogStoreBatch } from '../../ports/dialog-store.js';
import { snapshotKey } from '../../domain/cluster/call-snapshot.js';
import { decodeSnapshot, encodeSnapshot } from '../shared/call-snapshot-codec.js';

export interface RedisDialogStoreOptions {
  /** `redis://host:port[/db]`. */
  readonly url: string;
  /** Prefix of every key (default `session-core:`): calls under `<prefix>call:`, workers under `<prefix>worker:`. */
  readonly prefix?: string;
  /** A command with no reply by then fails (default 1000 ms). */
  readonly commandTimeoutMs?: number;
}

/**
 * The DialogStore on Redis (ioredis): each call a string under its dialog key with a time to live (SET PX),
 * a batch one pipeline. While Redis is unreachable commands fail at once instead of queueing (no offline
 * queue, one attempt each), so a dead store costs counted errors, never memory; the client reconnects by
 * itself, backing off up to 2 s.
 */
export class RedisDialogStore implements DialogStore {
  private readonly prefix: string;
  private closed = false;

  private constructor(private readonly redis: Redis, prefix: string) {
    this.prefix = prefix;
    // Connection failures surface as failed commands; the client's own error events only say it is retrying.
    redis.on('error', () => undefined);
  }

  static open(options: RedisDialogStoreOptions): RedisDialogStore {
    const redis = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs ?? 1000,
      retryStrategy: (attempt: number) => Math.min(100 * attempt, 2000),
      lazyConnect: false,
    });
    return new RedisDialogStore(redis, options.prefix ?? 'session-core:');
  }

  /** Whether the client is connected now. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  async write(batch: DialogStoreBatch, ttlMs: number): Promise<void> {
    const pipeline = this.redis.pipeline();
    const ttl = Math.max(1, Math.round(ttlMs));
    for (const snapshot of batch.save) {
      pipeline.set(this.key(snapshotKey(snapshot)), encodeSnapshot(snapshot), 'PX', ttl);
    }
    if (batch.remove.length > 0) pipeline.del(...batch.remove.map((key) => this.key(key)));
    const results = await pipeline.exec();
    const failure = results?.find(([error]) => error !== null)?.[0];
    if (failure) throw failure;
  }

  async load(key: string): Promise<CallSnapshot | undefined> {
    const text = await this.redis.get(this.key(key));
    return text === null ? undefined : decodeSnapshot(text);
  }

  async heartbeat(owner: string, ttlMs: number): Promise<void> {
    await this.redis.multi().set(`${this.prefix}worker:${owner}`, '1', 'PX', Math.max(1, Math.round(ttlMs)))
      .sadd(`${this.prefix}workers`, owner).exec();
  }

  async workers(): Promise<ReadonlyArray<{ readonly id: string; readonly alive: boolean }>> {
    const ids = await this.redis.smembers(`${this.prefix}workers`);
    if (ids.length === 0) return [];
    const beats = await this.redis.mget(...ids.map((id) => `${this.prefix}worker:${id}`));
    return ids.map((id, i) => ({ id, alive: beats[i] !== null }));
  }

  async claim(owner: string, by: string, ttlMs: number): Promise<boolean> {
    const key = `${this.prefix}claim:${owner}`;
    const set = await this.redis.set(key, by, 'PX', Math.max(1, Math.round(ttlMs)), 'NX');
    return set === 'OK' || (await this.redis.get(key)) === by;
  }

  async forget(owner: string): Promise<void> {
    await this.redis.multi().srem(`${this.prefix}workers`, owner).del(`${this.prefix}claim:${owner}`).exec();
  }

  /** Scans the calls (a dead worker's are looked for rarely; no index is kept on every write for it). */
  async callsOf(owner: string): Promise<ReadonlyArray<CallSnapshot>> {
    const calls: CallSnapshot[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}call:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length === 0) continue;
      for (const text of await this.redis.mget(...keys)) {
        const snapshot = text === null ? undefined : decodeSnapshot(text);
        if (snapshot?.owner === owner) calls.push(snapshot);
      }
    } while (cursor !== '0');
    return calls;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  private key(key: string): string {
    return `${this.prefix}call:${key}`;
  }
}
