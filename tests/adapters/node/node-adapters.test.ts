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
