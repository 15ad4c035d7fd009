/**
 * A conference outlives its server: three callers in one bridge on 10.0.0.2; the server's machine crashes and
 * a new one starts there with the same dialog store. The first caller's next request (a re-INVITE) brings
 * its call back, and with it the other two members — adopted, moved by their own re-INVITEs, and put in
 * one bridge again, so everyone hears the others once more.
 */
import test from 'ava';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import { InMemoryDialogStore } from '../../adapters/memory/in-memory-dialog-store.js';
import { SimulatedNetwork } from '../../adapters/sim/simulated-network.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import { AutoAnswerHandler, type CallHandler } from '../../application/session/call-handler.js';
import type { SessionCoordinator } from '../../application/session/session-coordinator.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import { stopEverything } from '../support/coordinator-harness.js';

const SERVER = '10.0.0.2';

const build = async (
  network: SimulatedNetwork, host: string, seed: number, handler: CallHandler, store?: InMemoryDialogStore,
  workerId?: string, mediaBase = 20000,
): Promise<SessionCoordinator> => {
  let builder = new SessionManagerBuilder().withSipPort(5060).withMediaPorts(mediaBase, mediaBase + 199)
    .withHandler(handler).withSimulation({ network, host, seed });
  if (store !== undefined) builder = builder.withDialogStore(store, { workerId: workerId! });
  const coordinator = await builder.build();
  await coordinator.start();
  return coordinator;
};

/** A conference server: every answered call joins one room. */
const conferenceServer = (): { handler: CallHandler; attach(c: SessionCoordinator): void } => {
  let coordinator: SessionCoordinator | undefined;
  let room: string | undefined;
  return {
    attach: (c) => void (coordinator = c),
    handler: {
      onIncomingCall: () => CallDecision.accept(),
      onCallEstablished: (call) => {
        room ??= coordinator!.createBridge(false);
        coordinator!.addSessionToBridge(room, call.id);
      },
    },
  };
};

test('conference recovery: after the server crashes, one member\'s re-INVITE brings all three back into one bridge', async (t) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed: 121 });
  const store = new InMemoryDialogStore(clock);
  const server = conferenceServer();
  const first = await build(network, SERVER, 1211, server.handler, store, 'first');
  server.attach(first);
  const callers = await Promise.all(['10.0.0.1', '10.0.0.3', '10.0.0.4'].map(
    (host, i) => build(network, host, 1220 + i, new AutoAnswerHandler()),
  ));
  const calls = [];
  for (const [i, caller] of callers.entries()) {
    calls.push(await caller.createOutgoingCall(`sip:p${i}@10.0.0.${i + 1}:5060`, `sip:room@${SERVER}:5060`));
  }
  await clock.advanceBy(3_000);
  const stored = await store.callsOf('first');
  t.deepEqual(stored.map((s) => s.bridge?.length), [2, 2, 2], 'each member is stored with the two others');
  network.crashHost(SERVER);
  const again = conferenceServer();
  const second = await build(network, SERVER, 1212, again.handler, store, 'second', 30000);
  again.attach(second);
  const held = callers[0]!.holdSession(calls[0]!.id);
  await clock.advanceBy(3_000);
  await held;
  const resumed = callers[0]!.resumeSession(calls[0]!.id);
  await clock.advanceBy(3_000);
  await resumed;
  const members = second.listActiveSessions();
  t.is(members.length, 3, 'all three calls live at the new server');
  const bridges = new Set(members.map((id) => second.getSessionBridge(id)));
  t.is(bridges.size, 1, 'in one bridge');
  t.truthy([...bridges][0]);
  for (const [i, caller] of callers.entries()) {
    t.like(caller.getMediaInfo(calls[i]!.id), { remoteAddress: SERVER }, `caller ${i}`);
    const before = caller.getMediaStatistics(calls[i]!.id).packetsReceived;
    await clock.advanceBy(1_000);
    t.true(caller.getMediaStatistics(calls[i]!.id).packetsReceived - before >= 45, `caller ${i} hears the room`);
  }
  for (const [i, caller] of callers.entries()) await caller.terminateSession(calls[i]!.id);
  await clock.advanceBy(3_000);
  t.deepEqual(second.listActiveSessions(), []);
  t.is(store.size(), 0);
  await stopEverything(t, clock, network, [first, second, ...callers]);
});
