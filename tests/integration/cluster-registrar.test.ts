/**
 * Registrar workers sharing their bindings in Redis, behind Kamailio: two baresips register through Kamailio
 * (each to whichever worker its Call-ID hashes to), Alice calls Bob by his address of record and they hear
 * each other; then the worker that took Bob's registration is killed, and Alice's next call still reaches
 * Bob — the surviving worker finds his binding in Redis.
 */
import test from 'ava';
import { startCluster } from '../../examples/cluster/processes.js';
import { heardTone, requireBaresip, startBaresip } from '../support/baresip.js';
import { requireKamailio } from '../support/kamailio.js';
import { freeUdpPort } from '../support/ports.js';
import { requireRedis } from '../support/redis.js';
import { reached, waitFor } from '../support/wait.js';
import { underLoadLock } from '../support/load-lock.js';

test.serial('cluster registrar: phones registered through Kamailio reach each other by AOR, even after the worker holding a registration died', (t) => underLoadLock(async () => {
  if (!requireBaresip(t) || !requireKamailio(t) || !requireRedis(t)) return;
  const cluster = await startCluster(2, [
    '--role', 'registrar', '--user', 'alice:wonder-land', '--user', 'bob:b0b-builds', '--digest', 'MD5',
  ]);
  const [aliceRtp, bobRtp] = [await freeUdpPort(), await freeUdpPort()];
  const port = cluster.kamailio.port;
  const alice = await startBaresip({
    sipPort: 0, rtpPorts: [aliceRtp, aliceRtp + 40], answerMode: 'manual', toneHz: 440,
    register: { registrarPort: port, user: 'alice', password: 'wonder-land' },
  });
  const bob = await startBaresip({
    sipPort: 0, rtpPorts: [bobRtp, bobRtp + 40], answerMode: 'auto', toneHz: 1000,
    register: { registrarPort: port, user: 'bob', password: 'b0b-builds' },
  });
  t.teardown(async () => {
    await alice.stop();
    await bob.stop();
    await cluster.stop();
  });
  const registered = (user: string) => cluster.workers.find((w) => w.output().includes(`registered "sip:${user}@`));
  await waitFor(() => registered('alice') !== undefined && registered('bob') !== undefined, 30_000, 'registrations');
  alice.keys(`/dial sip:bob@127.0.0.1:${port}\n`);
  await alice.waitFor(/Call established/, 30_000);
  await bob.waitFor(/Call established/, 30_000);
  await reached(() => bob.decodedBytes(), 44 + 2 * 12_000, 'audio decoded at bob');
  alice.keys('b');
  await bob.waitFor(/terminated/, 30_000);
  t.is(heardTone(await bob.decodedAudio()), 440, 'Bob heard Alice through the cluster');
  // The worker that took Bob's REGISTER dies: his binding lives on in Redis.
  const holder = registered('bob')!;
  await holder.stop('SIGKILL');
  const calls = (text: string): number => text.match(/Call established/g)?.length ?? 0;
  const before = calls(bob.output());
  alice.keys(`/dial sip:bob@127.0.0.1:${port}\n`);
  await waitFor(() => calls(bob.output()) > before, 30_000, 'Bob rings and answers again');
  await reached(() => bob.decodedBytes(), 44 + 2 * 12_000, 'audio decoded at bob on the second call');
  alice.keys('b');
  await bob.waitFor(/terminated[\s\S]*terminated/, 30_000);
  t.is(heardTone(await bob.decodedAudio()), 440, 'Bob heard Alice on the second call, through the survivor');
}));
