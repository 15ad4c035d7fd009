import test from 'ava';
import { MinHeap } from '../../../adapters/sim/min-heap.js';
import { SeededRandom } from '../../../adapters/sim/seeded-random.js';

test('MinHeap: pops random numbers in ascending order', (t) => {
  const random = new SeededRandom(3);
  const heap = new MinHeap<number>((a, b) => a < b);
  const values = Array.from({ length: 2000 }, () => random.nextUint32() % 500);
  for (const v of values) heap.push(v);
  const out: number[] = [];
  for (let v = heap.pop(); v !== undefined; v = heap.pop()) out.push(v);
  t.deepEqual(out, [...values].sort((a, b) => a - b));
  t.is(heap.size, 0);
  t.is(heap.peek(), undefined);
});
