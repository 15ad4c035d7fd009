// Heap per held signaling-only session (withMedia(false)), 10,000 held calls on
// the simulated network, in a fresh process so earlier benchmarks' garbage and
// the network trace do not count. `dist` measures the compiled package, which
// is what users run; `source` the TypeScript under tsx (--import tsx/esm).
const mode = process.argv[2] === 'source' ? 'source' : 'dist';
const root = mode === 'dist' ? '../../dist' : '../..';
const { AutoAnswerHandler, SessionManagerBuilder } = await import(`${root}/adapters/composition/index.js`);
const { SimulatedNetwork, VirtualClock } = await import(`${root}/adapters/sim/index.js`);

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
const where = mode === 'dist' ? 'compiled dist/' : 'TypeScript under tsx';
console.log(`heap per held signaling-only session, ${where}: ${Math.round((after - before) / count / 2)} bytes per end (${a.listActiveSessions().length} calls up, transactions finished)`);

// Heap per ended call while its transactions linger (Timers J, L, M run 64·T1 =
// 32 s after a call): at a steady call rate a server holds rate × 32 s of these.
// Calls are placed and hung up in batches, then measured after Timer K (5 s).
const hangUps = a.listActiveSessions().map((id) => a.terminateSession(id));
await clock.advanceBy(1_000);
await Promise.all(hangUps);
clock.advanceBySync(40_000);
await clock.advanceBy(1);
clock.advanceBySync(40_000);
const ended = 5_000;
globalThis.gc();
const beforeEnded = process.memoryUsage().heapUsed;
for (let i = 0; i < ended; i += 100) {
  const calls = [];
  for (let k = 0; k < 100; k++) calls.push(await a.createOutgoingCall('sip:a@10.0.0.1', 'sip:b@10.0.0.2:5060'));
  await clock.advanceBy(50);
  const byes = calls.map((c) => a.terminateSession(c.id));
  await clock.advanceBy(50);
  await Promise.all(byes);
}
await clock.advanceBy(6_000);
globalThis.gc();
console.log(`heap per ended call while its transactions linger, ${where}: ${Math.round((process.memoryUsage().heapUsed - beforeEnded) / ended)} bytes (both ends, ${ended} calls, ${a.listActiveSessions().length} up)`);
