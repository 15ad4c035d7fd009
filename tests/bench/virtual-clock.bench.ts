import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import { SeededRandom } from '../../adapters/sim/seeded-random.js';
import { measure } from './bench-util.js';

export const run = (): void => {
  const count = 1_000_000;
  const random = new SeededRandom(1);
  const delays = Array.from({ length: count }, () => random.nextUint32() % 60_000);
  let fired = 0;
  const fire = (): void => {
    fired++;
  };
  measure('VirtualClock: schedule + fire 1,000,000 timers', count, () => {
    const clock = new VirtualClock();
    for (let i = 0; i < count; i++) clock.schedule(delays[i] as number, fire);
    clock.runUntilIdleSync();
  });
  measure('VirtualClock: schedule + cancel 1,000,000 timers', count, () => {
    const clock = new VirtualClock();
    for (let i = 0; i < count; i++) clock.cancel(clock.schedule(delays[i] as number, fire));
    clock.runUntilIdleSync();
  });
  if (fired !== 2 * count) throw new Error(`fired ${fired}`);
};
