import test from 'ava';
import { InMemoryLogger } from '../../../adapters/memory/in-memory-logger.js';

test('InMemoryLogger: child loggers add their fields and share one sink', (t) => {
  const logger = new InMemoryLogger();
  logger.info('started', { port: 5060 });
  logger.child({ callId: 'abc' }).warn('late ACK', { cseq: 2 });
  t.deepEqual(logger.lines, [
    { level: 'info', message: 'started', fields: { port: 5060 } },
    { level: 'warn', message: 'late ACK', fields: { callId: 'abc', cseq: 2 } },
  ]);
  t.is(logger.linesAt('warn').length, 1);
});

test('InMemoryLogger: keeps at most capacity lines, dropping the oldest', (t) => {
  const logger = new InMemoryLogger(3);
  for (let i = 0; i < 5; i++) logger.debug(`line ${i}`);
  logger.trace('t');
  logger.error('e');
  t.deepEqual(logger.lines.map((l) => l.message), ['line 4', 't', 'e']);
});
