/**
 * The swarm on every CI run: a fixed short swarm must find nothing, a seed must replay identically in
 * another process, and each invariant must be able to fail — a planted bug of its kind is reported with
 * the seed that reproduces it.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SABOTAGES, type Sabotage } from './sabotage.js';
import { runWorld } from './swarm-run.js';
import { generateWorld, type World } from './world.js';

const run = promisify(execFile);

const simCli = (args: ReadonlyArray<string>) => run(
  process.execPath, ['--import', 'tsx/esm', 'tests/swarm/sim.ts', ...args], { env: { ...process.env, SIM_SEED: '' } },
).then(
  ({ stdout }) => ({ stdout, code: 0 }), (e: { stdout: string; code: number }) => ({ stdout: e.stdout, code: e.code }),
);

test('a fixed short swarm: 10 worlds of 100 random calls under random faults break no invariant', async (t) => {
  let calls = 0;
  for (let seed = 1; seed <= 10; seed++) {
    const result = await runWorld(generateWorld(seed, { calls: 100 }));
    calls += result.calls;
    t.deepEqual(result.violations, [], `SIM_SEED=${seed} npm run sim -- --seed ${seed} --calls 100`);
    t.true(result.sipMessages > 300, `seed ${seed}: the calls were placed`);
  }
  t.is(calls, 1000);
});

test('the same seed gives the same trace digest in two separate processes; another seed another digest', async (t) => {
  const digestOf = async (seed: number): Promise<string> => {
    const { stdout, code } = await simCli(['--seed', String(seed), '--calls', '40']);
    t.is(code, 0, stdout);
    const digest = /trace ([0-9a-f]{8})/.exec(stdout)?.[1];
    t.truthy(digest, stdout);
    return digest ?? '';
  };
  const [first, second, other] = await Promise.all([digestOf(7), digestOf(7), digestOf(8)]);
  t.is(first, second);
  t.not(first, other);
});

/** A calm world where every agent carries RTP: each planted bug has room to show. */
const calmWorld = (seed: number): World => {
  return generateWorld(seed, { calls: 40, agents: 3, faults: [], allRtp: true });
};

const EXPECTED: Record<Exclude<Sabotage, 'unhandled-rejection'>, string> = {
  'leak-timer': 'leaks',
  'leak-rtp-port': 'leaks',
  'drop-ack': 'ack-for-every-2xx',
  'lower-cseq': 'cseq-increases',
  'resend-after-final': 'retransmission-timing',
  'swallow-bye': 'calls-end',
  'rewrite-reject': 'sides-agree',
  'untyped-error': 'typed-errors',
  'drop-rtp': 'audio-flows',
  'corrupt-dtmf': 'dtmf-once-in-order',
};

for (const [sabotage, invariant] of Object.entries(EXPECTED) as Array<[Sabotage, string]>) {
  test(`the swarm catches ${SABOTAGES[sabotage]} and names the seed`, async (t) => {
    const world = calmWorld(1);
    t.deepEqual((await runWorld(world)).violations, [], 'without the sabotage the world is clean');
    const result = await runWorld(world, { sabotage });
    t.is(result.seed, 1);
    t.true(result.violations.some((v) => v.invariant === invariant),
      `expected ${invariant}, got ${result.violations.map((v) => v.invariant).join(', ') || 'nothing'}`);
  });
}

test('npm run sim reports an unhandled rejection, prints the seed and the ladder, shrinks, and exits 1', async (t) => {
  const { stdout, code } = await simCli(['--seed', '3', '--calls', '20', '--sabotage', 'unhandled-rejection']);
  t.is(code, 1);
  t.regex(stdout, /SIM_SEED=3 npm run sim -- --seed 3 --calls 20/);
  t.regex(stdout, /first violation: \[no-unhandled\] unhandled: Error: sabotaged/);
  t.regex(stdout, /shrunk in \d+ reruns to \d+ calls/);
});

test('npm run sim shrinks a failing world to a smaller one that still fails, saved for --replay', async (t) => {
  const { stdout, code } = await simCli(['--seed', '3', '--calls', '40', '--sabotage', 'drop-ack']);
  t.is(code, 1);
  t.regex(stdout, /first violation: \[ack-for-every-2xx\]/);
  t.regex(stdout, /ladder of that call:\n.*INVITE/);
  const shrunk = /shrunk in \d+ reruns to (\d+) calls, \d+ faults: npm run sim -- --replay (\S+)/.exec(stdout);
  t.truthy(shrunk, stdout);
  t.true(Number(shrunk![1]) < 40);
  const replay = await simCli(['--replay', shrunk![2]!, '--sabotage', 'drop-ack', '--no-shrink']);
  t.is(replay.code, 1);
  t.regex(replay.stdout, /first violation: \[ack-for-every-2xx\]/);
});
