/**
 * The location service on a real redis-server: bindings written by one process are read by another (its own
 * clock origin), a connection stays with the process that holds it, the sweep reports what lapsed while the
 * AOR keeps the rest, and foreign text under a key reads as no binding.
 */
import test from 'ava';
import { Redis } from 'ioredis';
import { RedisLocationStore } from '../../../adapters/node/redis-location-store.js';
import { VirtualClock } from '../../../adapters/sim/virtual-clock.js';
import type { Binding } from '../../../ports/location-store.js';
import { requireRedis, startRedis } from '../../support/redis.js';
import { waitFor } from '../../support/wait.js';

const binding = (uri: string, expiresAtMs: number, connectionId?: number): Binding => ({
  aor: 'alice@example.test', contact: `<${uri}>`, uri, expiresAtMs, q: undefined, callId: 'c1', cseq: 1,
  source: { protocol: 'tcp', host: '127.0.0.1', port: 5070 }, connectionId, path: [], instance: undefined,
  regId: undefined, userAgent: 'test',
});

test.serial('Redis location store: shared between processes with their own clocks; connections stay with their owner', async (t) => {
  if (!requireRedis(t)) return;
  const redis = await startRedis();
  // Two processes: the same calendar, monotonic origins 50 s apart.
  const here = new VirtualClock(1_000, Date.UTC(2026, 0, 1));
  const there = new VirtualClock(51_000, Date.UTC(2026, 0, 1) - 50_000);
  const mine = RedisLocationStore.open({ url: redis.url, owner: 'w1' }, here);
  const theirs = RedisLocationStore.open({ url: redis.url, owner: 'w2' }, there);
  const raw = new Redis(redis.url);
  t.teardown(async () => {
    raw.disconnect();
    await mine.close();
    await theirs.close();
    await redis.stop();
  });
  await waitFor(() => mine.connected && theirs.connected, 10_000, 'both connected');
  await mine.replace('alice@example.test', [binding('sip:a@1', 61_000, 7), binding('sip:a@2', 3_601_000)]);
  const seen = await theirs.bindings('alice@example.test');
  t.deepEqual(seen.map((b) => b.expiresAtMs), [111_000, 3_651_000], 'the same instants on the other clock');
  t.deepEqual(seen.map((b) => b.connectionId), [undefined, undefined], 'another process cannot use our connection');
  t.is((await mine.bindings('alice@example.test'))[0]?.connectionId, 7);
  t.is((await theirs.all()).length, 2);
  const expired = await theirs.sweep(200_000);
  t.deepEqual(expired.map((b) => b.uri), ['sip:a@1']);
  t.deepEqual((await mine.bindings('alice@example.test')).map((b) => b.uri), ['sip:a@2']);
  await mine.replace('alice@example.test', []);
  t.deepEqual(await theirs.all(), []);
  await raw.set('session-core:aor:mallory@example.test', '{"not":"bindings"}');
  t.deepEqual(await mine.bindings('mallory@example.test'), []);
});
