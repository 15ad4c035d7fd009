// Heap per held signaling-only session, measured on the compiled package (dist/),
// which is what users run. Under tsx every closure carries an extra name
// property (esbuild's keepNames), which inflates the same figure by a third.
import { AutoAnswerHandler, SessionManagerBuilder } from '../../dist/adapters/composition/index.js';
import { SimulatedNetwork, VirtualClock } from '../../dist/adapters/sim/index.js';

const count = 10_000;
const clock = new VirtualClock();
const network = new SimulatedNetwork(clock, { seed: 1, trace: false });
const build = (host) => new SessionManagerBuilder().withSimulation({ network, host, seed: 1 }).withMedia(false)
  .withMaxSessions(20_000).withMaxSessionsPerUser(20_000).withHandler(new AutoAnswerHandler()).build();
const a = await build('10.0.0.1');
const b = await build('10.0.0.2');
await a.start();
await b.start();
globalThis.gc();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < count; i++) await a.createOutgoingCall('sip:a@10.0.0.1', 'sip:b@10.0.0.2:5060');
// Let every transaction finish (Timer L/M/J/K) so only the held dialogs remain.
clock.advanceBySync(40_000);
await clock.advanceBy(1);
clock.advanceBySync(40_000);
globalThis.gc();
const after = process.memoryUsage().heapUsed;
console.log(`heap per held signaling-only session, compiled dist/: ${Math.round((after - before) / count / 2)} bytes per end (${a.listActiveSessions().length} calls up)`);
