/**
 * A dead worker's calls taken over with no request to bring them: each worker beats in the dialog store; when
 * the callee's worker dies (its machine gone, so no more beats), the other worker claims it, adopts its calls
 * and re-INVITEs each caller, whose audio then flows to it — a quiet call resumes by itself.
 */
import test from 'ava';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import { InMemoryDialogStore } from '../../adapters/memory/in-memory-dialog-store.js';
import { SimulatedNetwork } from '../../adapters/sim/simulated-network.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import { AutoAnswerHandler } from '../../application/session/call-handler.js';
import type { DialogStore } from '../../ports/dialog-store.js';
import type { SessionEvent } from '../../domain/session/session-event.js';
import { stopEverything } from '../support/coordinator-harness.js';

/** The store as one worker sees it: cut off when its machine dies (a dead process writes nothing). */
const severable = (store: DialogStore): { readonly store: DialogStore; sever(): void } => {
  let cut = false;
  const guard = <T>(run: () => Promise<T>): Promise<T> => (cut ? Promise.reject(new Error('dead')) : run());
  return {
    sever: () => void (cut = true),
    store: {
      write: (batch, ttl) => guard(() => store.write(batch, ttl)),
      load: (key) => guard(() => store.load(key)),
      heartbeat: (owner, ttl) => guard(() => store.heartbeat(owner, ttl)),
      workers: () => guard(() => store.workers()),
      claim: (owner, by, ttl) => guard(() => store.claim(owner, by, ttl)),
      forget: (owner) => guard(() => store.forget(owner)),
      callsOf: (owner) => guard(() => store.callsOf(owner)),
      close: () => Promise.resolve(),
    },
  };
};

const start = async (
  network: SimulatedNetwork, host: string, seed: number, mediaBase: number, store?: DialogStore, workerId?: string,
) => {
  let builder = new SessionManagerBuilder().withSipPort(5060).withMediaPorts(mediaBase, mediaBase + 199)
    .withHandler(new AutoAnswerHandler()).withSimulation({ network, host, seed });
  if (store !== undefined) builder = builder.withDialogStore(store, { workerId: workerId!, heartbeatMs: 500 });
  const coordinator = await builder.build();
  await coordinator.start();
  const events: SessionEvent[] = [];
  coordinator.events.subscribe((e) => events.push(e));
  return { coordinator, events };
};

test('takeover: the surviving worker finds the dead one by its missing heartbeat and moves its quiet calls to itself', async (t) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed: 91 });
  const shared = new InMemoryDialogStore(clock);
  const doomedView = severable(shared);
  const a = await start(network, '10.0.0.1', 910, 20000);
  const doomed = await start(network, '10.0.0.2', 911, 20000, doomedView.store, 'doomed');
  const survivor = await start(network, '10.0.0.3', 912, 30000, shared, 'survivor');
  const calls = await Promise.all([1, 2, 3].map(() => a.coordinator.createOutgoingCall(
    'sip:alice@10.0.0.1:5060', 'sip:bob@10.0.0.2:5060',
  )));
  await clock.advanceBy(2_000);
  t.is(shared.size(), 3, 'the three answered calls are stored');
  network.crashHost('10.0.0.2');
  doomedView.sever();
  const crashedAt = clock.nowMs();
  for (let i = 0; i < 100 && (survivor.coordinator.clusterStats()?.watch.adopted ?? 0) < 3; i++) {
    await clock.advanceBy(100);
  }
  t.log(`taken over within ${clock.nowMs() - crashedAt} ms (virtual) of the crash, heartbeat 500 ms`);
  await clock.advanceBy(500);
  t.like(survivor.coordinator.clusterStats()?.watch, { takeovers: 1, adopted: 3 });
  const recovered = survivor.events.filter((e) => e.type === 'CallRecovered');
  t.is(recovered.length, 3);
  for (const call of calls) {
    t.like(a.coordinator.getMediaInfo(call.id), { remoteAddress: '10.0.0.3' });
    const before = a.coordinator.getMediaStatistics(call.id).packetsReceived;
    await clock.advanceBy(1_000);
    t.true(a.coordinator.getMediaStatistics(call.id).packetsReceived - before >= 45, 'the caller hears the survivor');
  }
  await Promise.all(calls.map((c) => a.coordinator.terminateSession(c.id)));
  await clock.advanceBy(2_000);
  t.deepEqual(survivor.coordinator.listActiveSessions(), []);
  t.is(shared.size(), 0);
  await stopEverything(t, clock, network, [a.coordinator, doomed.coordinator, survivor.coordinator]);
});
