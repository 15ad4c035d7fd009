import test from 'ava';
import { createContainer } from '../../../adapters/composition/container.js';
import { InMemoryLogger } from '../../../adapters/memory/in-memory-logger.js';
import { CryptoRandom } from '../../../adapters/node/crypto-random.js';
import { SystemClock } from '../../../adapters/node/system-clock.js';
import { SeededRandom } from '../../../adapters/sim/seeded-random.js';
import { VirtualClock } from '../../../adapters/sim/virtual-clock.js';
import type { Clock } from '../../../ports/clock.js';
import type { Random } from '../../../ports/random.js';
import { TOKENS } from '../../../ports/tokens.js';

test('composition: the real wiring binds the system adapters as singletons', (t) => {
  const container = createContainer({ kind: 'real', logger: new InMemoryLogger() });
  t.true(container.get<Clock>(TOKENS.Clock) instanceof SystemClock);
  t.true(container.get<Random>(TOKENS.Random) instanceof CryptoRandom);
  t.is(container.get(TOKENS.Clock), container.get(TOKENS.Clock));
});

test('composition: the simulated wiring binds the virtual clock and a seeded random', (t) => {
  const clock = new VirtualClock();
  const a = createContainer({ kind: 'simulated', seed: 11, clock });
  const b = createContainer({ kind: 'simulated', seed: 11 });
  t.is(a.get<Clock>(TOKENS.Clock), clock);
  t.true(b.get<Clock>(TOKENS.Clock) instanceof VirtualClock);
  const ra = a.get<Random>(TOKENS.Random);
  t.true(ra instanceof SeededRandom);
  t.is(ra.nextUint32(), b.get<Random>(TOKENS.Random).nextUint32());
  t.true(a.get(TOKENS.Logger) instanceof InMemoryLogger);
});
