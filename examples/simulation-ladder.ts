/**
 * A deterministic simulation: two coordinators on the seeded simulated network
 * (40 ms ± jitter, 10 % loss) place a call, talk, and hang up; the SIP ladder
 * is printed. The same --seed always prints the same ladder.
 *
 *   npx tsx examples/simulation-ladder.ts --seed 7
 */
import { parseArgs } from 'node:util';
import { AutoAnswerHandler, ladder, SessionManagerBuilder, type SipTraceEntry } from '../adapters/composition/index.js';
import { SimulatedNetwork, VirtualClock } from '../adapters/sim/index.js';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '1' }, loss: { type: 'string', default: '0.1' }, help: { type: 'boolean', default: false } } });
if (values.help) {
  console.log('Usage: npx tsx examples/simulation-ladder.ts [--seed N] [--loss RATIO]\nRuns one call on the simulated network and prints its SIP ladder; same seed, same output.');
  process.exit(0);
}
const seed = Number(values.seed);
const clock = new VirtualClock();
const network = new SimulatedNetwork(clock, { seed, link: { oneWayDelayMinMs: 40, oneWayDelayMeanMs: 10, lossRatio: Number(values.loss) } });
const trace: SipTraceEntry[] = [];
const build = (host: string) => new SessionManagerBuilder().withSimulation({ network, host, seed }).withHandler(new AutoAnswerHandler()).withSipTrace((e) => trace.push(e)).build();
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
console.log(ladder(trace, { label: 'alice 10.0.0.1', address: '10.0.0.1:5060' }, { label: 'bob 10.0.0.2', address: '10.0.0.2:5060' }));
console.log(`\nseed ${seed}: ${network.stats()['dropped:loss'] ?? 0} datagrams lost, trace digest ${network.trace.digest()}`);
const stopping = Promise.all([alice.stop(), bob.stop()]);
await clock.advanceBy(10_000);
await stopping;
