import test from 'ava';
import { SeededRandom } from '../../adapters/sim/seeded-random.js';
import { BRANCH_MAGIC_COOKIE, IdGenerator } from '../../application/id-generator.js';

test('IdGenerator: branches carry the RFC 3261 magic cookie and are unique (§8.1.1.7)', (t) => {
  const ids = new IdGenerator(new SeededRandom(1));
  const branches = new Set(Array.from({ length: 10_000 }, () => ids.branch()));
  t.is(branches.size, 10_000);
  for (const branch of branches) if (!branch.startsWith(BRANCH_MAGIC_COOKIE)) t.fail(branch);
  t.pass();
});

test('IdGenerator: the same seed yields the same tags and Call-IDs', (t) => {
  const a = new IdGenerator(new SeededRandom(5));
  const b = new IdGenerator(new SeededRandom(5));
  t.deepEqual([a.tag(), a.callId('example.com'), a.ssrc()], [b.tag(), b.callId('example.com'), b.ssrc()]);
  t.regex(new IdGenerator(new SeededRandom(5)).callId('h'), /^[0-9a-z]{20}@h$/);
  t.true(a.below(10) < 10);
});
