import test from 'ava';
import { MediaTicker, tickerFor, type FrameClocked } from '../../../application/media/media-ticker.js';
import { VirtualClock } from '../../../adapters/sim/virtual-clock.js';

const recorder = (clock: VirtualClock, log: string[], name: string): FrameClocked => ({
  onFrameTick: () => log.push(`${clock.nowMs()} ${name}`),
});

test('MediaTicker: one timer for every member, frames every 20 ms from the first start, in join order', (t) => {
  const clock = new VirtualClock(5);
  const ticker = new MediaTicker(clock);
  const log: string[] = [];
  const a = recorder(clock, log, 'a');
  const b = recorder(clock, log, 'b');
  ticker.add(a);
  clock.advanceBySync(10);
  ticker.add(b);
  t.is(clock.pendingTimers(), 1, 'one timer, not one per member');
  clock.advanceBySync(30);
  t.deepEqual(log, ['25 a', '25 b', '45 a', '45 b']);
  ticker.remove(a);
  clock.advanceBySync(20);
  t.deepEqual(log.slice(4), ['65 b']);
  ticker.remove(b);
  t.is(clock.pendingTimers(), 0, 'the last member leaving cancels the timer');
  t.is(ticker.size, 0);
});

test('MediaTicker: a member leaving during a tick is not called again; a throwing member does not silence others', (t) => {
  const clock = new VirtualClock();
  const ticker = new MediaTicker(clock);
  const log: string[] = [];
  const thrower: FrameClocked = {
    onFrameTick: () => {
      throw new Error('frame failed');
    },
  };
  const leaver: FrameClocked = { onFrameTick: () => ticker.remove(leaver) };
  ticker.add(thrower);
  ticker.add(leaver);
  ticker.add(recorder(clock, log, 'c'));
  t.throws(() => clock.advanceBySync(20), { message: 'frame failed' });
  t.deepEqual(log, ['20 c'], 'the member after the failing one had its frame');
  t.is(ticker.size, 2);
  ticker.remove(thrower);
  clock.advanceBySync(20);
  t.deepEqual(log, ['20 c', '40 c'], 'the clock kept running after the failure');
});

test('tickerFor: one ticker per clock, restarting on the clock\'s current time after going idle', (t) => {
  const clock = new VirtualClock();
  const other = new VirtualClock();
  t.is(tickerFor(clock), tickerFor(clock));
  t.not(tickerFor(clock), tickerFor(other));
  const log: string[] = [];
  const member = recorder(clock, log, 'm');
  tickerFor(clock).add(member);
  clock.advanceBySync(20);
  tickerFor(clock).remove(member);
  clock.advanceBySync(7);
  tickerFor(clock).add(member);
  clock.advanceBySync(20);
  t.deepEqual(log, ['20 m', '47 m']);
  tickerFor(clock).remove(member);
});
