// Session setup latency while placing 1,000 calls/s for 4 s on real loopback
// UDP, caller and callee in this one process (two processes' worth of work).
// Runs in a fresh process, like a server would, so earlier benchmarks' heap and
// JIT state do not count; the first second is warm-up (the JIT compiles the
// call path) and is not sampled. `dist` measures the compiled package, `source`
// the TypeScript under tsx (--import tsx/esm).
import { performance } from 'node:perf_hooks';

const mode = process.argv[2] === 'source' ? 'source' : 'dist';
const root = mode === 'dist' ? '../../dist' : '../..';
const { AutoAnswerHandler, SessionManagerBuilder } = await import(`${root}/adapters/composition/index.js`);

const rate = 1_000;
const seconds = 4;
const warmupCalls = rate;
const build = (handler) => {
  const builder = new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMedia(false).withMaxSessionsPerUser(100_000);
  return (handler === undefined ? builder : builder.withHandler(handler)).build();
};
const a = await build();
const b = await build(new AutoAnswerHandler());
await a.start();
await b.start();
const to = `sip:load@127.0.0.1:${b.localEndpoint.port}`;
const from = `sip:caller@127.0.0.1:${a.localEndpoint.port}`;
const samples = [];
let failed = 0;
const pending = [];
const start = performance.now();
for (let i = 0; i < rate * seconds; i++) {
  // Pace by the wall clock: call i leaves at start + i / rate seconds.
  const wait = start + (i * 1000) / rate - performance.now();
  if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
  const t0 = performance.now();
  pending.push(a.createOutgoingCall(from, to).then(async (call) => {
    await a.waitForAnswer(call.id, 5_000);
    if (i >= warmupCalls) samples.push(performance.now() - t0);
    await a.terminateSession(call.id);
  }).catch(() => void failed++));
}
await Promise.all(pending);
const achieved = (rate * seconds) / ((performance.now() - start) / 1000);
samples.sort((x, y) => x - y);
const pct = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] ?? NaN;
const heapMb = (process.memoryUsage().heapUsed / 1e6).toFixed(0);
console.log(`session setup at ${rate} calls/s offered (${achieved.toFixed(0)}/s achieved, signaling only, caller and callee in one fresh process, ${mode}, first ${warmupCalls} calls as warm-up): median ${pct(0.5).toFixed(2)} ms, p99 ${pct(0.99).toFixed(2)} ms, max ${pct(1).toFixed(2)} ms, ${failed} failed; heap ${heapMb} MB after (ended calls' transactions linger 64·T1)`);
await a.stop();
await b.stop();
