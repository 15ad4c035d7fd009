import test from 'ava';
import { VirtualClock } from '../../../adapters/sim/virtual-clock.js';

test('VirtualClock: time stands still until advanced', (t) => {
  const clock = new VirtualClock();
  let fired = false;
  clock.schedule(10, () => (fired = true));
  t.is(clock.nowMs(), 0);
  t.false(fired);
  clock.advanceBySync(9);
  t.false(fired);
  clock.advanceBySync(1);
  t.true(fired);
  t.is(clock.nowMs(), 10);
});

test('VirtualClock: timers fire in deadline order, ties in scheduling order', (t) => {
  const clock = new VirtualClock();
  const order: string[] = [];
  clock.schedule(30, () => order.push('c30'));
  clock.schedule(10, () => order.push('a10'));
  clock.schedule(20, () => order.push('b20-1'));
  clock.schedule(20, () => order.push('b20-2'));
  clock.schedule(20, () => order.push('b20-3'));
  clock.schedule(0, () => order.push('z0'));
  clock.runUntilIdleSync();
  t.deepEqual(order, ['z0', 'a10', 'b20-1', 'b20-2', 'b20-3', 'c30']);
  t.is(clock.pendingTimers(), 0);
});

test('VirtualClock: each timer sees nowMs equal to its deadline', (t) => {
  const clock = new VirtualClock(1000);
  const seen: number[] = [];
  for (const delay of [5, 1, 3]) clock.schedule(delay, () => seen.push(clock.nowMs()));
  clock.advanceBySync(100);
  t.deepEqual(seen, [1001, 1003, 1005]);
  t.is(clock.nowMs(), 1100);
});

test('VirtualClock: a cancelled timer never fires and is not pending', (t) => {
  const clock = new VirtualClock();
  let fired = 0;
  const keep = clock.schedule(5, () => fired++);
  const drop = clock.schedule(5, () => (fired += 100));
  t.is(clock.pendingTimers(), 2);
  clock.cancel(drop);
  clock.cancel(drop); // twice is harmless
  t.is(clock.pendingTimers(), 1);
  clock.runUntilIdleSync();
  t.is(fired, 1);
  clock.cancel(keep); // after firing is harmless
  t.is(clock.pendingTimers(), 0);
});

test('VirtualClock: timers scheduled from inside a timer fire in the same run, in order', (t) => {
  const clock = new VirtualClock();
  const order: string[] = [];
  clock.schedule(10, () => {
    order.push('outer@10');
    clock.schedule(0, () => order.push('inner0@10'));
    clock.schedule(5, () => order.push('inner5@15'));
  });
  clock.schedule(10, () => order.push('sibling@10'));
  clock.schedule(12, () => order.push('later@12'));
  clock.advanceBySync(20);
  t.deepEqual(order, ['outer@10', 'sibling@10', 'inner0@10', 'later@12', 'inner5@15']);
  t.is(clock.pendingTimers(), 0);
});

test('VirtualClock: advanceBy stops at its target and leaves later timers pending', (t) => {
  const clock = new VirtualClock();
  clock.schedule(50, () => undefined);
  clock.schedule(150, () => undefined);
  t.is(clock.advanceBySync(100), 1);
  t.is(clock.pendingTimers(), 1);
  t.is(clock.nextDeadlineMs(), 150);
});

test('VirtualClock: runUntilIdle with a limit stops a self-rescheduling timer', (t) => {
  const clock = new VirtualClock();
  let ticks = 0;
  const tick = (): void => {
    ticks++;
    clock.schedule(20, tick);
  };
  clock.schedule(20, tick);
  clock.runUntilIdleSync(1000);
  t.is(ticks, 50);
  t.is(clock.pendingTimers(), 1);
});

test('VirtualClock: async advanceBy lets promise continuations run between timers in a fixed order', async (t) => {
  const clock = new VirtualClock();
  const order: string[] = [];
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => clock.schedule(ms, resolve));
  const worker = async (name: string, ms: number): Promise<void> => {
    await sleep(ms);
    order.push(`${name} woke@${clock.nowMs()}`);
    await sleep(ms);
    order.push(`${name} done@${clock.nowMs()}`);
  };
  const done = Promise.all([worker('a', 10), worker('b', 15)]);
  await clock.runUntilIdle();
  await done;
  t.deepEqual(order, ['a woke@10', 'b woke@15', 'a done@20', 'b done@30']);
  t.is(clock.pendingTimers(), 0);
});

test('VirtualClock: a long promise chain started by a timer finishes before the next timer fires', async (t) => {
  const clock = new VirtualClock();
  const order: string[] = [];
  clock.schedule(10, () => void (async () => {
    for (let hop = 0; hop < 500; hop++) await Promise.resolve();
    order.push(`chain done@${clock.nowMs()}`);
  })());
  clock.schedule(10, () => order.push('silent timer'));
  clock.schedule(11, () => order.push('next timer'));
  await clock.advanceBy(20);
  t.deepEqual(order, ['chain done@10', 'silent timer', 'next timer']);
});

test('VirtualClock: a promise rejected in a timer and left unhandled is reported before the next timer', async (t) => {
  const clock = new VirtualClock();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  let late: Promise<void> | undefined;
  clock.schedule(10, () => void (late = Promise.reject(new Error('nobody listens yet'))));
  clock.schedule(500, () => void late?.catch(() => undefined));
  await clock.advanceBy(1000);
  process.off('unhandledRejection', onUnhandled);
  t.is(unhandled.length, 1, 'as on a real network, where other events pass in between');
});
