// The auto-answer server of the soak bench, on the compiled dist/: answers
// every call with a tone and, on each line of stdin, prints its heap (after a
// full GC), RSS and live resources as one JSON line.
import { createInterface } from 'node:readline';
const { CallDecision, PinoLogger, SessionManagerBuilder } = await import('../../dist/adapters/composition/index.js');
const source = { kind: 'tone', frequenciesHz: [440] };
const coordinator = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMediaPorts(20000, 59999).withMaxSessions(20_000)
  .withHandler({
    onIncomingCall: () => CallDecision.accept(),
    onCallEstablished: (call) => {
      try {
        coordinator.startAudioTransmission(call.id, source);
      } catch {
        // The call may already be over.
      }
    },
  })
  .withLogger(PinoLogger.create({ level: 'warn' })).build();
await coordinator.start();
console.log(`listening on 127.0.0.1:${coordinator.localEndpoint.port}`);
createInterface({ input: process.stdin }).on('line', () => {
  globalThis.gc();
  const m = process.memoryUsage();
  console.log(JSON.stringify({ heapMB: m.heapUsed / 1e6, rssMB: m.rss / 1e6, ...coordinator.resources() }));
});
process.stdin.once('end', async () => {
  await coordinator.stop();
  process.exit(0);
});
