import test from 'ava';
import { SeededRandom } from '../../../adapters/sim/seeded-random.js';

const draw = (random: SeededRandom, n: number): number[] => Array.from({ length: n }, () => random.nextUint32());

test('SeededRandom: the same seed gives the same stream', (t) => {
  t.deepEqual(draw(new SeededRandom(42), 100), draw(new SeededRandom(42), 100));
});

test('SeededRandom: neighbouring seeds give different streams', (t) => {
  t.notDeepEqual(draw(new SeededRandom(1), 10), draw(new SeededRandom(2), 10));
});

test('SeededRandom: values are unsigned 32-bit integers, roughly uniform', (t) => {
  const random = new SeededRandom(7);
  const buckets = new Array<number>(16).fill(0);
  const n = 160_000;
  for (let i = 0; i < n; i++) {
    const value = random.nextUint32();
    t.true(Number.isInteger(value) && value >= 0 && value < 2 ** 32) || t.fail(`bad value ${value}`);
    buckets[value >>> 28] = (buckets[value >>> 28] ?? 0) + 1;
  }
  for (const count of buckets) t.true(Math.abs(count - n / 16) < n / 16 * 0.05, `bucket ${count}`);
});

test('SeededRandom: nextFloat lies in [0, 1) and fork is reproducible', (t) => {
  const a = new SeededRandom(9);
  const b = new SeededRandom(9);
  for (let i = 0; i < 1000; i++) {
    const f = a.nextFloat();
    if (!(f >= 0 && f < 1)) t.fail(`float ${f}`);
    b.nextFloat();
  }
  t.deepEqual(draw(a.fork(), 5), draw(b.fork(), 5));
});
