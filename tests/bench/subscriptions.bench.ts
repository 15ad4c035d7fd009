/**
 * `npm run bench -- subscriptions`: event notification (RFC 6665) between two coordinators on the simulated
 * network, in one process: the heap each active subscription costs (both ends, 2,000 of them) and how many
 * NOTIFYs per wall second go through the framework when every resource's state changes (notifier sends,
 * subscriber answers and publishes the event). Target: ≤ 2 KB per subscription.
 */
import { performance } from 'node:perf_hooks';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import { SimulatedNetwork } from '../../adapters/sim/simulated-network.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';

const SUBSCRIPTIONS = 2_000;
const ROUNDS = 5;

const heap = (): number => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
};

export const run = async (): Promise<void> => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed: 5, trace: false });
  const build = (host: string, serve: boolean) => {
    const b = new SessionManagerBuilder().withSipPort(5060).withMedia(false)
      .withSimulation({ network, host, seed: host === '10.0.0.1' ? 1 : 2 });
    return (serve ? b.withEventPackages(['message-summary']) : b).build();
  };
  const watcher = await build('10.0.0.1', false);
  const server = await build('10.0.0.2', true);
  await watcher.start();
  await server.start();
  let notified = 0;
  watcher.events.subscribe(() => void notified++, { types: ['SubscriptionNotified'] });
  const subscribeAll = async (prefix: string): Promise<void> => {
    for (let i = 0; i < SUBSCRIPTIONS; i += 100) {
      const batch = Array.from({ length: 100 }, (_, j) => watcher.subscribe(
        `sip:${prefix}${i + j}@10.0.0.2:5060`, 'message-summary', { expiresSec: 3600 },
      ));
      await clock.advanceBy(200);
      await Promise.all(batch);
    }
  };
  // A first round compiles the code paths, so the heap measured next holds subscriptions, not machine code.
  await subscribeAll('warm');
  await clock.advanceBy(40_000);
  const before = heap();
  await subscribeAll('u');
  // The SUBSCRIBE and NOTIFY transactions linger up to 64·T1 after their answers: let them go first.
  await clock.advanceBy(40_000);
  const perSubscription = (heap() - before) / SUBSCRIPTIONS;
  if (server.resources().subscriptions !== 2 * SUBSCRIPTIONS) throw new Error('not every subscription was made');
  const first = notified;
  const started = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      server.publishState(`u${i}@10.0.0.2`, 'message-summary', { waiting: true, voice: { new: round + 1, old: 0 } });
    }
    // Past the package's pace (1 s), so each change goes out.
    await clock.advanceBy(1_500);
  }
  const seconds = (performance.now() - started) / 1000;
  const sent = notified - first;
  if (sent < SUBSCRIPTIONS * ROUNDS) throw new Error(`only ${sent} NOTIFYs arrived`);
  console.log(`subscriptions (simulated network, one process): ${(perSubscription / 1024).toFixed(2)} KB of heap per `
    + `active subscription for both ends, ${(perSubscription / 2048).toFixed(2)} KB per end, with ${SUBSCRIPTIONS} `
    + `(target ≤ 2 KB); ${Math.round(sent / seconds)} NOTIFYs/s `
    + `through the framework (${sent} in ${seconds.toFixed(2)} s, sent, answered and published)`);
  const stopping = Promise.all([watcher.stop(), server.stop()]);
  await clock.advanceBy(10_000);
  await stopping;
};
