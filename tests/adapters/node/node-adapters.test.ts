import { Writable } from 'node:stream';
import test from 'ava';
import { CryptoRandom } from '../../../adapters/node/crypto-random.js';
import { PinoLogger } from '../../../adapters/node/pino-logger.js';
import { SystemClock } from '../../../adapters/node/system-clock.js';

test('SystemClock: a scheduled timer fires after its delay; a cancelled one never does', async (t) => {
  const clock = new SystemClock();
  const start = clock.nowMs();
  let cancelledFired = false;
  const handle = clock.schedule(5, () => (cancelledFired = true));
  clock.cancel(handle);
  await new Promise<void>((resolve) => clock.schedule(20, resolve));
  t.true(clock.nowMs() - start >= 19);
  t.false(cancelledFired);
});

test('SystemClock: a delay beyond Node\'s 2^31-1 ms limit is armed in steps, never run at once', async (t) => {
  const clock = new SystemClock();
  let fired = false;
  const long = clock.schedule(2 ** 31 + 5_000, () => (fired = true));
  await new Promise<void>((resolve) => clock.schedule(30, resolve));
  t.false(fired, 'Node alone would run it after 1 ms');
  clock.cancel(long);
  // The steps themselves, with Node's setTimeout observed: the longest step, then the rest.
  const real = globalThis.setTimeout;
  const armed: Array<{ run: () => void; ms: number }> = [];
  globalThis.setTimeout = ((run: () => void, ms: number) => {
    armed.push({ run, ms });
    return real(() => undefined, 0);
  }) as typeof setTimeout;
  try {
    clock.schedule(2 ** 31 + 5_000, () => (fired = true));
    t.deepEqual(armed.map((a) => a.ms), [2 ** 31 - 1]);
    armed[0]!.run();
    t.deepEqual(armed.map((a) => a.ms), [2 ** 31 - 1, 5_001]);
    t.false(fired);
    armed[1]!.run();
    t.true(fired);
  } finally {
    globalThis.setTimeout = real;
  }
});

test('CryptoRandom: yields distinct uint32 values across batch boundaries', (t) => {
  const random = new CryptoRandom();
  const values = Array.from({ length: 1000 }, () => random.nextUint32());
  t.true(values.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32));
  t.true(new Set(values).size > 990);
});

test('PinoLogger: writes JSON lines with child fields through pino', (t) => {
  const chunks: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { chunks.push(String(chunk)); done(); } });
  const logger = PinoLogger.create({ level: 'trace' }, sink);
  logger.child({ callId: 'x1' }).info('ringing', { status: 180 });
  logger.trace('t');
  logger.debug('d');
  logger.warn('w');
  logger.error('e');
  const first = JSON.parse(chunks[0] ?? '{}') as Record<string, unknown>;
  t.is(first['msg'], 'ringing');
  t.is(first['callId'], 'x1');
  t.is(first['status'], 180);
  t.is(chunks.length, 5);
});
