import type { ExecutionContext } from 'ava';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import { SimulatedNetwork, type LinkImpairment } from '../../adapters/sim/simulated-network.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import type { CallHandler } from '../../application/session/call-handler.js';
import type { SessionCoordinator } from '../../application/session/session-coordinator.js';
import type { SessionEvent } from '../../domain/session/session-event.js';

export interface SimPeer {
  readonly coordinator: SessionCoordinator;
  readonly events: SessionEvent[];
  readonly uri: string;
}

/** Two (or more) coordinators on one simulated network. */
export const simPeers = async (
  seed: number, handlers: ReadonlyArray<CallHandler>, link: Partial<LinkImpairment> = {},
  tweak?: (b: SessionManagerBuilder, i: number, network: SimulatedNetwork) => SessionManagerBuilder,
) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed, link });
  const peers: SimPeer[] = [];
  for (const [i, handler] of handlers.entries()) {
    const host = `10.0.0.${i + 1}`;
    let builder = new SessionManagerBuilder().withSipPort(5060).withMediaPorts(20000, 20199).withHandler(handler).withSimulation({ network, host, seed: seed * 10 + i });
    if (tweak !== undefined) builder = tweak(builder, i, network);
    const coordinator = await builder.build();
    await coordinator.start();
    const events: SessionEvent[] = [];
    coordinator.events.subscribe((e) => events.push(e));
    peers.push({ coordinator, events, uri: `sip:user${i + 1}@${host}:5060` });
  }
  return { clock, network, peers };
};

/** Stops every coordinator while letting virtual time run, so BYE/CANCEL exchanges can finish. */
export const stopAll = async (sim: { clock: VirtualClock; peers: ReadonlyArray<SimPeer> }): Promise<void> => {
  const stopping = Promise.all(sim.peers.map((p) => p.coordinator.stop()));
  await sim.clock.advanceBy(10_000);
  await stopping;
  await sim.clock.runUntilIdle();
};

/** Every peer's calls are over: stop them all, then nothing may be left — no session, timer or socket. */
export const stopAndExpectReleased = async (
  t: ExecutionContext, sim: { clock: VirtualClock; network: SimulatedNetwork; peers: ReadonlyArray<SimPeer> },
): Promise<void> => {
  for (const peer of sim.peers) t.deepEqual(peer.coordinator.listActiveSessions(), [], `${peer.uri} still has calls`);
  await stopAll(sim);
  t.is(sim.clock.pendingTimers(), 0);
  t.is(sim.network.openSockets(), 0);
};

/**
 * Stops every coordinator given — a crashed one too (its sockets are gone, its timers are not) — letting virtual
 * time run for their BYEs, then nothing may be left: no timer, no socket.
 */
export const stopEverything = async (
  t: ExecutionContext, clock: VirtualClock, network: SimulatedNetwork, coordinators: ReadonlyArray<SessionCoordinator>,
): Promise<void> => {
  const stopping = Promise.all(coordinators.map((c) => c.stop()));
  await clock.advanceBy(40_000);
  await stopping;
  await clock.runUntilIdle();
  t.is(clock.pendingTimers(), 0);
  t.is(network.openSockets(), 0);
};
