/**
 * The dialog store on a real redis-server (started here on a free port): calls written, loaded, replaced and
 * removed in batches, expiring by themselves, foreign text under a key read as nothing; Redis killed → every
 * operation fails at once (no queue growing), Redis back → the client reconnects and writes work again.
 */
import test from 'ava';
import { RedisDialogStore } from '../../../adapters/node/redis-dialog-store.js';
import { SNAPSHOT_VERSION, snapshotKey, type CallSnapshot } from '../../../domain/cluster/call-snapshot.js';
import { requireRedis, startRedis } from '../../support/redis.js';
import { waitFor, waitForAsync } from '../../support/wait.js';
import { createConnection } from 'node:net';

const snapshot = (callId: string, localSeq = 1): CallSnapshot => ({
  version: SNAPSHOT_VERSION, sessionId: `sess-${callId}`, owner: 'w1', direction: 'incoming',
  from: '<sip:a@127.0.0.1>', to: '<sip:b@127.0.0.1>', connectedAtEpochMs: 1_700_000_000_000, protocol: 'udp',
  dialog: {
    callId, localTag: 'l1', remoteTag: 'r1', role: 'UAS', localSeq, remoteSeq: 1, localUri: '<sip:b@127.0.0.1>;tag=l1',
    remoteUri: '<sip:a@127.0.0.1>;tag=r1', remoteTarget: 'sip:a@127.0.0.1:5070', routeSet: [], secure: false,
  },
});

/** Sets a raw value through Redis's inline protocol (a record some other program wrote). */
const rawSet = (port: number, key: string, value: string): Promise<void> => new Promise((resolve, reject) => {
  const socket = createConnection(port, '127.0.0.1', () => socket.write(`SET "${key}" "${value}"\r\n`));
  socket.once('data', () => {
    socket.destroy();
    resolve();
  });
  socket.once('error', reject);
});

test.serial('Redis dialog store: batches saved, replaced, loaded and removed; keys expire; foreign text is nothing', async (t) => {
  if (!requireRedis(t)) return;
  const redis = await startRedis();
  const store = RedisDialogStore.open({ url: redis.url, prefix: 'test:' });
  t.teardown(async () => {
    await store.close();
    await redis.stop();
  });
  await waitFor(() => store.connected, 10_000, 'the client connected');
  const [a, b] = [snapshot('call-a'), snapshot('call-b')];
  await store.write({ save: [a, b], remove: [] }, 60_000);
  t.deepEqual(await store.load(snapshotKey(a)), a);
  await store.write({ save: [snapshot('call-a', 9)], remove: [snapshotKey(b)] }, 60_000);
  t.is((await store.load(snapshotKey(a)))?.dialog.localSeq, 9, 'a later write replaces');
  t.is(await store.load(snapshotKey(b)), undefined, 'removed');
  await store.write({ save: [snapshot('call-short')], remove: [] }, 200);
  await waitForAsync(async () => (await store.load(snapshotKey(snapshot('call-short')))) === undefined, 10_000,
    'the short-lived key expired');
  await rawSet(redis.port, 'test:call:foreign', 'not json');
  t.is(await store.load('foreign'), undefined);
});

test.serial('Redis dialog store: Redis killed → operations fail at once; restarted → writes work again', async (t) => {
  if (!requireRedis(t)) return;
  const redis = await startRedis();
  const store = RedisDialogStore.open({ url: redis.url, commandTimeoutMs: 500 });
  t.teardown(async () => {
    await store.close();
    await redis.stop();
  });
  await waitFor(() => store.connected, 10_000, 'the client connected');
  await redis.kill();
  await waitFor(() => !store.connected, 10_000, 'the client saw Redis go');
  // With an offline queue these would wait for Redis to come back (and this test would hang): they must fail now.
  const failures = await Promise.allSettled(
    Array.from({ length: 100 }, (_, i) => store.write({ save: [snapshot(`c${i}`)], remove: [] }, 60_000)),
  );
  t.true(failures.every((f) => f.status === 'rejected'), 'every write failed');
  await t.throwsAsync(store.load('anything'));
  await redis.restart();
  await waitFor(() => store.connected, 20_000, 'the client reconnected');
  await store.write({ save: [snapshot('after')], remove: [] }, 60_000);
  t.is((await store.load(snapshotKey(snapshot('after'))))?.sessionId, 'sess-after');
});
