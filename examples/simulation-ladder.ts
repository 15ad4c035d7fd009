/**
 * A deterministic simulation: two coordinators on the seeded simulated network
 * (40 ms ± jitter, 10 % loss) place a call, talk, and hang up; the SIP ladder
 * is printed. The same --seed always prints the same ladder.
 *
 *   npx tsx examples/simulation-ladder.ts --seed 7
 */
import { AutoAnswerHandler, ladder, SessionManagerBuilder, type SipTraceEntry } from '../adapters/composition/index.js';
import { SimulatedNetwork, VirtualClock } from '../adapters/sim/index.js';
import { commandLine, integerFlag, usageError } from './support/command-line.js';

const HELP = `Usage: npx tsx examples/simulation-ladder.ts [options]

Runs one call on the simulated network (40 ms one way plus jitter, some loss)
and prints its SIP ladder, messages the network lost marked "(lost)" and copies
it duplicated "(duplicate)". The same seed always prints the same ladder.

Options:
  --seed N             the simulation's seed (default 1)
  --loss RATIO         share of datagrams lost, 0 to 1 (default 0.1)
  --duplicate RATIO    share of datagrams delivered twice, 0 to 1 (default 0)
  --help               show this help`;

const { values } = commandLine('simulation-ladder', HELP, {
  options: {
    seed: { type: 'string', default: '1' }, loss: { type: 'string', default: '0.1' },
    duplicate: { type: 'string', default: '0' },
    help: { type: 'boolean', default: false },
  },
});
const ratio = (flag: string, value: string): number => {
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 && n <= 1 ? n : usageError(
    'simulation-ladder', HELP, `--${flag} takes a ratio from 0 to 1, not ${value}`,
  );
};
const seed = integerFlag('simulation-ladder', HELP, 'seed', values.seed);
const clock = new VirtualClock();
const network = new SimulatedNetwork(clock, {
  seed,
  link: {
    oneWayDelayMinMs: 40, oneWayDelayMeanMs: 10,
    lossRatio: ratio('loss', values.loss), duplicateRatio: ratio('duplicate', values.duplicate),
  },
});
const trace: SipTraceEntry[] = [];
const build = (host: string) =>
  new SessionManagerBuilder().withSimulation({ network, host, seed }).withHandler(new AutoAnswerHandler())
    .withSipTrace((e) => trace.push(e)).build();
const alice = await build('10.0.0.1');
const bob = await build('10.0.0.2');
await alice.start();
await bob.start();
const call = await alice.createOutgoingCall('sip:alice@10.0.0.1', 'sip:bob@10.0.0.2:5060');
const answered = alice.waitForAnswer(call.id, 60_000).then(() => true, () => false);
await clock.advanceBy(40_000);
if (await answered) {
  const bye = alice.terminateSession(call.id);
  await clock.advanceBy(40_000);
  await bye;
}
console.log(
  ladder(
    trace, { label: 'alice 10.0.0.1', address: '10.0.0.1:5060' }, { label: 'bob 10.0.0.2', address: '10.0.0.2:5060' },
  ),
);
const stats = network.stats();
console.log(
  `\nseed ${seed}: ${stats['dropped:loss'] ?? 0} datagrams lost, ${stats['duplicated'] ?? 0} duplicated, `
  + `trace digest ${network.trace.digest()}`,
);
const stopping = Promise.all([alice.stop(), bob.stop()]);
await clock.advanceBy(10_000);
await stopping;
