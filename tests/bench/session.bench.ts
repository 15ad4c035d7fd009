import { performance } from 'node:perf_hooks';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import { AutoAnswerHandler } from '../../application/session/call-handler.js';
import { EventBus } from '../../application/session/event-bus.js';
import { measure, runFresh } from './bench-util.js';


/** Session setup latency on real loopback: INVITE sent → answered, per call, sequentially at a modest rate. */
const setupLatency = async (): Promise<void> => {
  const a = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMediaPorts(48000, 48999).build();
  const b = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMediaPorts(49000, 49999).withHandler(new AutoAnswerHandler()).build();
  await a.start();
  await b.start();
  const to = `sip:bench@127.0.0.1:${b.localEndpoint!.port}`;
  const from = `sip:caller@127.0.0.1:${a.localEndpoint!.port}`;
  const samples: number[] = [];
  for (let i = 0; i < 300; i++) {
    const start = performance.now();
    const call = await a.createOutgoingCall(from, to);
    await a.waitForAnswer(call.id, 5_000);
    samples.push(performance.now() - start);
    await a.terminateSession(call.id);
  }
  samples.sort((x, y) => x - y);
  const pct = (p: number): number => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;
  console.log(
    `session setup on loopback (INVITE → 200 → answered, incl. media ports and SDP): median ${pct(0.5).toFixed(2)} ms, p99 ${pct(0.99).toFixed(2)} ms (${samples.length} calls)`,
  );
  await a.stop();
  await b.stop();
};

/** Heap per held and per ended session, measured by heap-per-session.mjs in fresh processes: on dist/ and under tsx. */
const heapPerSession = (): void => {
  runFresh('heap-per-session.mjs', 'dist', [], ['--expose-gc']);
  runFresh('heap-per-session.mjs', 'source', [], ['--expose-gc']);
};

const eventsPerSecond = (): void => {
  const bus = new EventBus();
  let seen = 0;
  bus.subscribe(() => seen++);
  bus.subscribe(() => seen++, { types: ['CallEnded'] });
  const event = { type: 'StateChanged', sessionId: 's', from: 'Dialing', to: 'Ringing' } as const;
  const n = 2_000_000;
  measure(
    'event bus: publish to 2 subscribers (1 filtered)', n, () => { for (let i = 0; i < n; i++) bus.publish(event); },
  );
  if (seen === 0) console.log('(sink)');
};

/** Setup latency under 1,000 calls/s, measured by setup-under-load.mjs in a fresh process (as a server runs). */
const setupUnderLoad = (): void => void runFresh('setup-under-load.mjs', 'best');

export const run = async (): Promise<void> => {
  eventsPerSecond();
  await setupLatency();
  setupUnderLoad();
  heapPerSession();
};
