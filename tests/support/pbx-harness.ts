import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import { SimulatedNetwork, type LinkImpairment } from '../../adapters/sim/simulated-network.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
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

