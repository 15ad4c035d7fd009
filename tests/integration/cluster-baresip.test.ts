/**
 * A real phone's call survives its worker: baresip calls through Kamailio to the cluster, hears the worker's
 * 440 Hz tone; the worker carrying the call is killed (SIGKILL); the other worker finds it dead by its
 * missing heartbeat, adopts the call from Redis and re-INVITEs baresip, which hears the tone again; baresip's
 * BYE then ends the call cleanly at the survivor.
 */
import test from 'ava';
import { Redis } from 'ioredis';
import { startCluster } from '../../examples/cluster/processes.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { requireBaresip, startBaresip } from '../support/baresip.js';
import { startExample } from '../support/example-process.js';
import { requireKamailio } from '../support/kamailio.js';
import { freeUdpPort } from '../support/ports.js';
import { requireRedis } from '../support/redis.js';
import { reached, waitFor, waitForAsync } from '../support/wait.js';
import { underLoadLock } from '../support/load-lock.js';

/** The owner of the one stored call. */
const ownerOfTheCall = async (redis: Redis): Promise<string | undefined> => {
  const keys = await redis.keys('session-core:call:*');
  const value = keys[0] === undefined ? null : await redis.get(keys[0]);
  return value === null ? undefined : (JSON.parse(value) as { owner: string }).owner;
};

/** Root mean square of a stretch of audio: tone, not silence. */
const rms = (samples: Int16Array): number =>
  Math.sqrt(samples.reduce((sum, s) => sum + s * s, 0) / Math.max(1, samples.length));

test.serial('cluster: baresip hears the tone again after its worker is killed; its BYE ends the call at the survivor', (t) => underLoadLock(async () => {
  if (!requireBaresip(t) || !requireKamailio(t) || !requireRedis(t)) return;
  const cluster = await startCluster(2);
  const redis = new Redis(`redis://127.0.0.1:${cluster.redis.port}`);
  const rtp = await freeUdpPort();
  const phone = await startBaresip({ sipPort: 0, rtpPorts: [rtp, rtp + 40], answerMode: 'auto', toneHz: 1000 });
  t.teardown(async () => {
    await phone.stop();
    redis.disconnect();
    await cluster.stop();
  });
  phone.keys(`/dial sip:tone@127.0.0.1:${cluster.kamailio.port}\n`);
  await phone.waitFor(/Call established/);
  // Two seconds of the worker's tone decoded by baresip (16-bit samples at 8 kHz: 16,000 bytes a second).
  await reached(() => phone.decodedBytes(), 32_000, 'audio decoded by baresip');
  let owner: string | undefined;
  await waitForAsync(async () => (owner = await ownerOfTheCall(redis)) !== undefined, 10_000, 'the stored call');
  const doomed = cluster.workers.find((w) => w.name === owner)!;
  const survivor = cluster.workers.find((w) => w.name !== owner)!;
  await doomed.stop('SIGKILL');
  const killedAt = Date.now();
  await waitFor(() => survivor.output().includes('recovered'), 20_000, 'the survivor to adopt the call');
  const adoptedAfterMs = Date.now() - killedAt;
  const atAdoption = phone.decodedBytes();
  // Three more seconds of audio after the adoption, then baresip hangs up.
  await reached(() => phone.decodedBytes(), atAdoption + 48_000, 'audio after the takeover');
  phone.keys('b');
  await phone.waitFor(/terminated/);
  await waitFor(() => /ended \S+: Remote hangup/.test(survivor.output()), 20_000, 'the survivor to end the call');
  const audio = await phone.decodedAudio();
  // The last two seconds before the hang-up (its final 200 ms left out): the survivor's tone.
  const tail = audio.subarray(Math.max(0, audio.length - 17_600), audio.length - 1_600);
  t.log(`adopted ${adoptedAfterMs} ms after the kill; tail level ${Math.round(rms(tail))}`);
  t.is(dominantFrequency(tail, [440, 1000]).frequencyHz, 440, 'baresip hears the survivor\'s 440 Hz');
  t.true(rms(tail) > 500, 'a tone, not silence');
  await waitForAsync(async () => (await redis.keys('session-core:call:*')).length === 0, 10_000, 'the store empty');
}));

test.serial('cluster: a B2BUA worker killed mid-call — the survivor recovers both legs, baresip hears the far end again, its BYE ends both', (t) => underLoadLock(async () => {
  if (!requireBaresip(t) || !requireKamailio(t) || !requireRedis(t)) return;
  const far = await startExample('auto-answer', ['--port', '0', '--media-ports', '46000-46199'],
    /listening on 127\.0\.0\.1:(\d+)/);
  const farPort = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(far.output())![1]);
  const cluster = await startCluster(2, ['--role', 'b2bua', '--target', `sip:tone@127.0.0.1:${farPort}`]);
  const redis = new Redis(`redis://127.0.0.1:${cluster.redis.port}`);
  const rtp = await freeUdpPort();
  const phone = await startBaresip({ sipPort: 0, rtpPorts: [rtp, rtp + 40], answerMode: 'auto', toneHz: 1000 });
  t.teardown(async () => {
    await phone.stop();
    redis.disconnect();
    await cluster.stop();
    far.child.kill('SIGKILL');
  });
  phone.keys(`/dial sip:anyone@127.0.0.1:${cluster.kamailio.port}\n`);
  await phone.waitFor(/Call established/);
  await reached(() => phone.decodedBytes(), 32_000, 'the far end\'s tone through the B2BUA');
  let owner: string | undefined;
  await waitForAsync(async () => (owner = await ownerOfTheCall(redis)) !== undefined, 10_000, 'the stored legs');
  const doomed = cluster.workers.find((w) => w.name === owner)!;
  const survivor = cluster.workers.find((w) => w.name !== owner)!;
  await doomed.stop('SIGKILL');
  await waitFor(() => (survivor.output().match(/recovered/g) ?? []).length >= 2, 20_000, 'both legs recovered');
  const atAdoption = phone.decodedBytes();
  await reached(() => phone.decodedBytes(), atAdoption + 48_000, 'audio after the takeover');
  phone.keys('b');
  await phone.waitFor(/terminated/);
  await waitFor(() => /ended \S+: Remote hangup/.test(far.output()), 20_000, 'the far end to get its BYE');
  const audio = await phone.decodedAudio();
  const tail = audio.subarray(Math.max(0, audio.length - 17_600), audio.length - 1_600);
  t.is(dominantFrequency(tail, [440, 1000]).frequencyHz, 440, 'baresip hears the far end through the survivor');
  t.true(rms(tail) > 500, 'a tone, not silence');
  await waitForAsync(async () => (await redis.keys('session-core:call:*')).length === 0, 10_000, 'the store empty');
}));
