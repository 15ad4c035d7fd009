/**
 * `npm run sim -- [--seed N] [--runs R] [--calls C] [--agents A] [--minutes M] [--faults LIST]`: the swarm.
 * Each run draws a world from its seed (run i uses seed N + i), plays it on the virtual network and checks
 * the invariants; a failure prints its seed, the first violation, the call's SIP ladder, and then a
 * shrunk reproduction saved as JSON (`--replay FILE` plays it again).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isSabotage, SABOTAGES, type Sabotage } from './sabotage.js';
import { shrink } from './shrink.js';
import { runWorld, type RunResult } from './swarm-run.js';
import { FAULT_KINDS, generateWorld, type FaultKind, type World } from './world.js';

const USAGE = `usage: npm run sim -- [options]
  --seed N         first seed (default: SIM_SEED, else 1); run i uses seed N+i
  --runs R         how many worlds to play (default 1)
  --calls C        calls per world (default 100)
  --agents A       agents per world, 3-20 (default: drawn from 3-8)
  --minutes M      virtual minutes over which calls start (default: 0.2 s per call, at least 20 s)
  --faults LIST    fault kinds allowed, comma-separated, or none (default all: ${FAULT_KINDS.join(',')})
  --all-rtp        every agent carries RTP (default: about a third; the others SDP only)
  --no-shrink      report a failure without shrinking it
  --replay FILE    play a world saved by an earlier failure
  --sabotage NAME  plant a known bug, to see the swarm catch it: ${Object.keys(SABOTAGES).join(', ')}
  --quiet          only the summary line
  --help`;

const fail = (message: string): never => {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
};

const integer = (value: string | undefined, name: string, min: number, max: number, fallback: number): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name}: expected an integer from ${min} to ${max}`);
  return n;
};

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        seed: { type: 'string' }, runs: { type: 'string' }, calls: { type: 'string' }, agents: { type: 'string' },
        minutes: { type: 'string' }, faults: { type: 'string' }, replay: { type: 'string' },
        sabotage: { type: 'string' }, 'no-shrink': { type: 'boolean' }, 'all-rtp': { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    });
  } catch (error) {
    return fail((error as Error).message);
  }
})();
if (values.help === true) {
  console.log(USAGE);
  process.exit(0);
}
const firstSeed = integer(values.seed ?? process.env['SIM_SEED'], 'seed', 0, 2 ** 32 - 1, 1);
const runs = integer(values.runs, 'runs', 1, 1_000_000, 1);
const calls = integer(values.calls, 'calls', 1, 100_000, 100);
const agents = values.agents === undefined ? undefined : integer(values.agents, 'agents', 3, 20, 3);
const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
if (minutes !== undefined && !(minutes > 0 && minutes <= 60)) fail('--minutes: expected a number above 0, up to 60');
const faults: ReadonlyArray<FaultKind> | undefined = values.faults === undefined ? undefined
  : values.faults === 'none' ? [] : values.faults.split(',').map((f) => {
    if (!(FAULT_KINDS as ReadonlyArray<string>).includes(f)) fail(`--faults: unknown fault ${f}`);
    return f as FaultKind;
  });
const sabotage: Sabotage | undefined = values.sabotage === undefined ? undefined
  : isSabotage(values.sabotage) ? values.sabotage : fail(`--sabotage: unknown ${values.sabotage}`);

const summary = (r: RunResult): string => `seed ${r.seed}: ${r.agents} agents, ${r.calls} calls (${r.connected} `
  + `answered), ${r.operations} `
  + `operations, ${r.faults} faults, ${r.violations.length} violations, ${Math.round(r.wallMs)} ms wall `
  + `(${Math.round(r.simulatedMs / 1000)} s simulated), ${r.sipMessages} SIP messages, trace ${r.digest}`;

const report = (r: RunResult, world: World): void => {
  const first = r.violations[0]!;
  const flags = [
    agents === undefined ? '' : ` --agents ${agents}`, values.faults === undefined ? '' : ` --faults ${values.faults}`,
    sabotage === undefined ? '' : ` --sabotage ${sabotage}`,
  ].join('');
  console.log(`\nSIM_SEED=${r.seed} npm run sim -- --seed ${r.seed} --calls ${world.calls.length}${flags}`);
  console.log(`first violation: [${first.invariant}] ${first.detail}`);
  const where = [
    first.agent === undefined ? '' : `, agent ${first.agent}`, first.call === undefined ? '' : `, call ${first.call}`,
    first.callId === undefined ? '' : ` (${first.callId})`,
  ].join('');
  console.log(`  at ${first.atMs} ms${where}`);
  for (const v of r.violations.slice(1, 6)) console.log(`  also [${v.invariant}] ${v.detail}`);
  if (r.ladder.length > 0) console.log(`ladder of that call:\n${r.ladder.join('\n')}`);
};

const main = async (): Promise<number> => {
  const watch = { watchProcess: true, ...(sabotage === undefined ? {} : { sabotage }) };
  const worlds: Array<() => World> = values.replay !== undefined
    ? [() => JSON.parse(readFileSync(values.replay!, 'utf8')) as World]
    : Array.from({ length: runs }, (_, i) => () => generateWorld(firstSeed + i, {
      calls, ...(agents === undefined ? {} : { agents }), ...(minutes === undefined ? {} : { minutes }),
      ...(faults === undefined ? {} : { faults }), allRtp: values['all-rtp'] === true,
    }));
  let totalCalls = 0;
  let totalWall = 0;
  let failures = 0;
  for (const make of worlds) {
    const world = make();
    const result = await runWorld(world, watch);
    totalCalls += result.calls;
    totalWall += result.wallMs;
    if (values.quiet !== true || result.violations.length > 0) console.log(summary(result));
    if (result.violations.length === 0) continue;
    failures++;
    report(result, world);
    if (values['no-shrink'] === true) break;
    const small = await shrink(world, result, runWorld, watch);
    const file = join(tmpdir(), `swarm-seed-${world.seed}-${small.world.calls.length}-calls.json`);
    writeFileSync(file, JSON.stringify(small.world));
    console.log(`\nshrunk in ${small.runs} reruns to ${small.world.calls.length} calls, `
      + `${small.world.faults.length} faults: npm run sim -- --replay ${file}`
      + `${sabotage === undefined ? '' : ` --sabotage ${sabotage}`}`);
    report(small.result, small.world);
    break;
  }
  console.log(`swarm: ${totalCalls} calls in ${(totalWall / 1000).toFixed(1)} s wall, `
    + `${Math.round(totalCalls / (totalWall / 1000))} simulated calls per wall second, ${failures} failing runs`);
  return failures === 0 ? 0 : 1;
};

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
