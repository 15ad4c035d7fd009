/**
 * `npm run bench -- cluster`: the cluster of examples/cluster on this machine — the highest call rate SIPp
 * sustains with no failed call through Kamailio with one worker and with two (same run, same ladder; SIPp,
 * Kamailio, Redis and the workers share the machine's cores), what each call costs the workers and Redis,
 * the store operations per call, and the time a survivor takes to adopt a dead worker's calls.
 * Environment: CLUSTER_RATE_STEPS="200,400" for other steps, CLUSTER_RATE_SECONDS for a step's length.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster, type Cluster } from '../../examples/cluster/processes.js';
import { kamailioModules } from '../../examples/cluster/kamailio-dispatcher.js';
import { runSipp, sippAvailable } from '../support/sipp.js';
import { redisAvailable } from '../support/redis.js';
import { waitFor, waitForAsync } from '../support/wait.js';

const SCENARIO = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'cluster', 'uac.xml');
const LADDER = (process.env['CLUSTER_RATE_STEPS'] ?? '250,500,750,1000,1500,2000,3000').split(',').map(Number);
const STEP_SECONDS = Number(process.env['CLUSTER_RATE_SECONDS'] ?? 5);

/** User + system CPU of a process, ms (Linux /proc, 10 ms ticks). */
const cpuMs = (pid: number | undefined): number => {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
};

const calls = (rate: number, seconds: number, target: number, hold = 0): ReadonlyArray<string> => [
  '-sf', SCENARIO, '-r', String(rate), '-m', String(rate * seconds), '-l', String(rate * seconds * 2),
  '-d', String(hold), '-i', '127.0.0.1', '-buff_size', String(4 * 1024 * 1024), '-timeout', `${seconds + 40}s`,
  `127.0.0.1:${target}`,
];

const climb = async (cluster: Cluster): Promise<string> => {
  await runSipp(calls(200, 3, cluster.kamailio.port), 60_000);
  let best = 0;
  const lines: string[] = [];
  for (const rate of LADDER) {
    const pids = cluster.workers.map((w) => w.pid);
    const before = pids.map(cpuMs);
    const redisBefore = cpuMs(cluster.redis.pid);
    const result = await runSipp(calls(rate, STEP_SECONDS, cluster.kamailio.port), (STEP_SECONDS + 60) * 1000);
    const made = rate * STEP_SECONDS;
    const workersUs = (pids.map(cpuMs).reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0)) * 1000 / made;
    const redisUs = ((cpuMs(cluster.redis.pid) - redisBefore) * 1000) / made;
    const clean = result.failed === 0 && result.successful === made && result.callRate >= 0.95 * rate;
    lines.push(`${rate}/s: ${result.successful} ok, ${result.failed} failed, `
      + `generated ${result.callRate.toFixed(0)}/s, workers ${workersUs.toFixed(0)} µs/call, `
      + `Redis ${redisUs.toFixed(0)} µs/call`);
    if (!clean) break;
    best = rate;
  }
  return `best clean rate ${best} calls/s (${lines.join('; ')})`;
};

/** 600 calls held, the worker with the most killed: how long the survivor takes to adopt them. */
const takeover = async (cluster: Cluster): Promise<string> => {
  const held = runSipp(calls(200, 3, cluster.kamailio.port, 15_000), 120_000);
  const [doomed, survivor] = cluster.workers as [Cluster['workers'][0], Cluster['workers'][0]];
  const redis = new Redis(`redis://127.0.0.1:${cluster.redis.port}`);
  await waitForAsync(async () => (await redis.keys('session-core:call:*')).length >= 550, 30_000, '550 calls held');
  redis.disconnect();
  await doomed.stop('SIGKILL');
  const killedAt = Date.now();
  await waitFor(() => /took over/.test(survivor.output()), 30_000, 'the survivor to take over');
  const seen = Date.now() - killedAt;
  const line = survivor.output().split('\n').find((l) => l.includes('took over')) ?? '';
  const adopted = Number(/"adopted":(\d+)/.exec(line)?.[1] ?? 0);
  const ms = Number(/"ms":(\d+)/.exec(line)?.[1] ?? 0);
  const result = await held;
  return `${adopted} calls adopted ${seen} ms after the kill (heartbeat 500 ms, dead after 1.5 s), the adoption `
    + `itself ${ms} ms = ${adopted === 0 ? 'n/a' : (ms / adopted).toFixed(2)} ms per call; `
    + `SIPp ${result.successful} ok, ${result.failed} failed`;
};

export const run = async (): Promise<void> => {
  if (!sippAvailable() || kamailioModules() === undefined || !redisAvailable()) {
    return void console.log('SIPp, Kamailio or redis-server missing: skipped');
  }
  for (const workers of [1, 2]) {
    const cluster = await startCluster(workers, ['--no-media', '--quiet', '--max-sessions', '1000000']);
    try {
      console.log(`through Kamailio, ${workers} worker${workers === 1 ? '' : 's'} (SDP only, calls of 0 s): `
        + `${await climb(cluster)}`);
    } finally {
      await cluster.stop();
    }
  }
  const cluster = await startCluster(2, ['--no-media', '--quiet']);
  try {
    console.log(`takeover: ${await takeover(cluster)}`);
  } finally {
    await cluster.stop();
  }
  console.log('store operations per call: one SET PX at the answer (batched with others), one DEL at the end');
};
