/**
 * A B2BUA's calls outlive it: A calls through the B2BUA on 10.0.0.2 to C; the B2BUA's machine crashes and a
 * new B2BUA starts on the same address with the same dialog store. A's BYE reaches it: it recovers both legs
 * (the stored link names the other), answers A 200 and hangs up C — no 481, nothing left in the store. A
 * re-INVITE instead brings both legs back to life, bridged again: A and C hear each other through the new one.
 */
import test from 'ava';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import { InMemoryDialogStore } from '../../adapters/memory/in-memory-dialog-store.js';
import { SimulatedNetwork } from '../../adapters/sim/simulated-network.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import { B2bua } from '../../application/session/b2bua.js';
import { AutoAnswerHandler, type CallHandler } from '../../application/session/call-handler.js';
import type { SessionEvent } from '../../domain/session/session-event.js';
import { stopEverything } from '../support/coordinator-harness.js';

const start = async (
  network: SimulatedNetwork, host: string, seed: number, handler: CallHandler, mediaBase: number,
  store?: InMemoryDialogStore, workerId?: string,
) => {
  let builder = new SessionManagerBuilder().withSipPort(5060).withMediaPorts(mediaBase, mediaBase + 199)
    .withHandler(handler).withSimulation({ network, host, seed });
  if (store !== undefined) builder = builder.withDialogStore(store, { workerId: workerId! });
  const coordinator = await builder.build();
  if (handler instanceof B2bua) handler.attach(coordinator);
  await coordinator.start();
  const events: SessionEvent[] = [];
  coordinator.events.subscribe((e) => events.push(e));
  return { coordinator, events };
};

const crashedB2bua = async (seed: number) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed });
  const store = new InMemoryDialogStore(clock);
  const a = await start(network, '10.0.0.1', seed * 10, new AutoAnswerHandler(), 20000);
  const c = await start(network, '10.0.0.3', seed * 10 + 3, new AutoAnswerHandler(), 20000);
  const target = () => 'sip:carol@10.0.0.3:5060';
  const first = await start(network, '10.0.0.2', seed * 10 + 1, new B2bua(target), 20000, store, 'first');
  const call = await a.coordinator.createOutgoingCall('sip:alice@10.0.0.1:5060', 'sip:bob@10.0.0.2:5060');
  await clock.advanceBy(3_000);
  const stored = store.size();
  network.crashHost('10.0.0.2');
  const second = await start(network, '10.0.0.2', seed * 10 + 2, new B2bua(target), 30000, store, 'second');
  return { clock, network, store, a, c, first, second, callId: call.id, stored };
};


test('B2BUA recovery: the caller\'s BYE after the crash ends both legs at the new B2BUA — 200 to A, BYE to C', async (t) => {
  const { clock, network, store, a, c, first, second, callId, stored } = await crashedB2bua(101);
  t.is(stored, 2, 'both legs were stored, linked');
  await a.coordinator.terminateSession(callId);
  await clock.advanceBy(3_000);
  t.false(network.trace.lines.some((l) => l.includes('SIP/2.0 481')), 'no 481 anywhere');
  t.deepEqual(c.coordinator.listActiveSessions(), [], 'C got its BYE from the new B2BUA');
  t.true(c.events.some((e) => e.type === 'CallEnded' && e.reason === 'Remote hangup'));
  t.like(second.coordinator.clusterStats()?.recovery, { recovered: 2 });
  t.deepEqual(second.coordinator.listActiveSessions(), []);
  t.is(store.size(), 0);
  await stopEverything(t, clock, network, [a.coordinator, c.coordinator, first.coordinator, second.coordinator]);
});

test('B2BUA recovery: a re-INVITE after the crash brings both legs back, bridged: A and C hear each other again', async (t) => {
  const { clock, network, a, c, first, second, callId } = await crashedB2bua(102);
  const held = a.coordinator.holdSession(callId);
  await clock.advanceBy(2_000);
  await held;
  const resumed = a.coordinator.resumeSession(callId);
  await clock.advanceBy(2_000);
  await resumed;
  const legs = second.coordinator.listActiveSessions();
  t.is(legs.length, 2, 'both legs live at the new B2BUA');
  t.truthy(second.coordinator.getSessionBridge(legs[0]!), 'bridged again');
  const [cCall] = c.coordinator.listActiveSessions();
  const [heardA, heardC] = [a.coordinator.getMediaStatistics(callId), c.coordinator.getMediaStatistics(cCall!)];
  await clock.advanceBy(1_000);
  t.true(a.coordinator.getMediaStatistics(callId).packetsReceived - heardA.packetsReceived >= 45, 'A hears');
  t.true(c.coordinator.getMediaStatistics(cCall!).packetsReceived - heardC.packetsReceived >= 45, 'C hears');
  t.like(c.coordinator.getMediaInfo(cCall!), { remoteAddress: '10.0.0.2', remoteRtpPort: 30002 });
  await a.coordinator.terminateSession(callId);
  await clock.advanceBy(3_000);
  t.deepEqual(c.coordinator.listActiveSessions(), [], 'A\'s BYE still ends C\'s leg');
  await stopEverything(t, clock, network, [a.coordinator, c.coordinator, first.coordinator, second.coordinator]);
});
