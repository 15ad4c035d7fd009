/**
 * `npm start`: the main job. Until the call stack lands this runs a small
 * deterministic simulation: retransmission timers on the virtual clock.
 */
import { IdGenerator } from '../adapters/composition/index.js';
import { SeededRandom, VirtualClock } from '../adapters/sim/index.js';

const clock = new VirtualClock();
const ids = new IdGenerator(new SeededRandom(Number(process.env['SIM_SEED'] ?? 1)));
const branch = ids.branch();
let intervalMs = 500;
const fire = (): void => {
  console.log(`t=${String(clock.nowMs()).padStart(6)} ms  retransmit INVITE (branch ${branch}), next in ${intervalMs * 2} ms`);
  intervalMs *= 2;
  if (clock.nowMs() + intervalMs < 32_000) clock.schedule(intervalMs, fire);
};
clock.schedule(intervalMs, fire);
clock.schedule(32_000, () => console.log(`t=${clock.nowMs()} ms  Timer B: transaction timed out`));
clock.runUntilIdleSync();
console.log(`pending timers: ${clock.pendingTimers()}`);
