import test from 'ava';
import { isLogWorthy } from '../../../domain/logging/log-scale.js';

test('log scale: the 1st, 10th, 100th and 1000th occurrences are logged, nothing between', (t) => {
  const logged = Array.from({ length: 2_000 }, (_, i) => i + 1).filter(isLogWorthy);
  t.deepEqual(logged, [1, 10, 100, 1000]);
});
