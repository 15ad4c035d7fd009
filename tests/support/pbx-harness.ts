import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import { SimulatedNetwork, type LinkImpairment } from '../../adapters/sim/simulated-network.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import type { CallHandler } from '../../application/session/call-handler.js';
import type { SessionCoordinator } from '../../application/session/session-coordinator.js';
import type { SessionEvent } from '../../domain/session/session-event.js';

/** A coordinator at 10.0.0.1 on a fresh simulated network, set up by `tweak` (a registrar, authentication…). */
export const pbx = async (
  seed: number, tweak: (b: SessionManagerBuilder) => SessionManagerBuilder = (b) => b,
  link: Partial<LinkImpairment> = {},
) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed, link });
  const coordinator: SessionCoordinator = await tweak(new SessionManagerBuilder().withSipPort(5060)
    .withMediaPorts(20000, 20199).withSimulation({ network, host: '10.0.0.1', seed })).build();
  await coordinator.start();
  const events: SessionEvent[] = [];
  coordinator.events.subscribe((e) => events.push(e));
  return { clock, network, coordinator, events };
};


/** A phone (a coordinator) at `host` on the PBX's network, recording its events. */
export const phoneOn = async (
  sim: { network: SimulatedNetwork }, host: string, handler: CallHandler,
  tweak: (b: SessionManagerBuilder) => SessionManagerBuilder = (b) => b,
) => {
  const coordinator = await tweak(new SessionManagerBuilder().withSipPort(5060).withMediaPorts(20000, 20199)
    .withHandler(handler).withSimulation({ network: sim.network, host, seed: Number(host.split('.').pop()) })).build();
  await coordinator.start();
  const events: SessionEvent[] = [];
  coordinator.events.subscribe((e) => events.push(e));
  return { coordinator, events, host };
};

export type Phone = Awaited<ReturnType<typeof phoneOn>>;

/** Lets the phone ring: every call waits for the test to accept or reject it. */
export const ringing: CallHandler = { onIncomingCall: () => ({ kind: 'Defer' }) };
