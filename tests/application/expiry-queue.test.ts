import test from 'ava';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import { ExpiryQueue } from '../../application/expiry-queue.js';

test('expiry queue: items expire in order at add time + length, behind one clock timer; a cancelled one never does', async (t) => {
  const clock = new VirtualClock();
  const expired: Array<[string, number]> = [];
  const queue = new ExpiryQueue<string>(clock, 1_000, (item) => expired.push([item, clock.nowMs()]));
  const a = queue.add('a');
  await clock.advanceBy(10);
  queue.add('b');
  const c = queue.add('c');
  await clock.advanceBy(5);
  queue.add('d');
  queue.cancel(c);
  t.is(clock.pendingTimers(), 1);
  t.is(queue.size, 4);
  await clock.runUntilIdle();
  t.deepEqual(expired, [['a', 1_000], ['b', 1_010], ['d', 1_015]]);
  t.is(queue.size, 0);
  t.is(clock.pendingTimers(), 0);
  t.is(a.item, undefined, 'an expired entry holds nothing');
});

test('expiry queue: an item added while others expire waits its full length; the earlier ones keep theirs', async (t) => {
  const clock = new VirtualClock();
  const expired: Array<[string, number]> = [];
  const queue: ExpiryQueue<string> = new ExpiryQueue<string>(clock, 100, (item) => {
    expired.push([item, clock.nowMs()]);
    if (item === 'first') queue.add('added-on-expiry');
  });
  queue.add('first');
  await clock.advanceBy(50);
  queue.add('second');
  await clock.runUntilIdle();
  t.deepEqual(expired, [['first', 100], ['second', 150], ['added-on-expiry', 200]]);
});

test('expiry queue: clear drops everything without expiring it; thousands expire in order while the array is compacted', async (t) => {
  const clock = new VirtualClock();
  const expired: number[] = [];
  const queue = new ExpiryQueue<number>(clock, 30, (item) => expired.push(item));
  for (let i = 0; i < 5; i++) queue.add(i);
  queue.clear();
  await clock.runUntilIdle();
  t.deepEqual(expired, []);
  t.is(clock.pendingTimers(), 0);
  for (let i = 0; i < 5_000; i++) {
    queue.add(i);
    if (i % 10 === 0) await clock.advanceBy(1);
  }
  await clock.runUntilIdle();
  t.deepEqual(expired, Array.from({ length: 5_000 }, (_, i) => i));
  t.is(queue.size, 0);
});
