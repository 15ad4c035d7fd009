import type { SimulatedNetwork } from '../../adapters/sim/simulated-network.js';
import type { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import type { World } from './world.js';

/** Which agents a timed fault disturbed, and when: calls across it are not expected to carry audio. */
export interface FaultWindows {
  disturbed(a: number, b: number, fromMs: number, toMs: number): boolean;
}

interface Window {
  readonly agents: ReadonlyArray<number>;
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * Puts the world's timed faults on the virtual clock: latency spikes and one-way loss on a link for a
 * while, partitions that heal and one that never does. The network heals all partitions at once, so the
 * ones still due are cut again after each heal.
 */
export const scheduleFaults = (world: World, network: SimulatedNetwork, clock: VirtualClock): FaultWindows => {
  const windows: Window[] = [];
  const cut = new Map<number, number>();
  const others = (isolated: number): string[] => world.agents.filter((a) => a.index !== isolated).map((a) => a.host);
  const applyPartitions = (): void => {
    network.heal();
    for (const isolated of cut.keys()) network.partition([world.agents[isolated]!.host], others(isolated));
  };
  const host = (i: number): string => world.agents[i]!.host;
  for (const fault of world.faults) {
    switch (fault.kind) {
      case 'spike':
        windows.push({ agents: [fault.a, fault.b], fromMs: fault.atMs, toMs: fault.atMs + fault.durationMs });
        clock.schedule(fault.atMs, () => network.setLink(host(fault.a), host(fault.b), {
          oneWayDelayMinMs: fault.delayMs,
        }));
        clock.schedule(fault.atMs + fault.durationMs, () => network.setLink(host(fault.a), host(fault.b), {
          oneWayDelayMinMs: 5,
        }));
        break;
      case 'one-way-loss':
        windows.push({ agents: [fault.from, fault.to], fromMs: fault.atMs, toMs: fault.atMs + fault.durationMs });
        clock.schedule(fault.atMs, () => network.setLink(host(fault.from), host(fault.to), {
          lossRatio: fault.ratio,
        }, true));
        clock.schedule(fault.atMs + fault.durationMs, () => {
          const base = world.faults.find((f) => f.kind === 'loss');
          const lossRatio = base?.kind === 'loss' ? base.ratio : 0;
          network.setLink(host(fault.from), host(fault.to), { lossRatio }, true);
        });
        break;
      case 'partition':
      case 'partition-forever': {
        const toMs = fault.kind === 'partition' ? fault.atMs + fault.durationMs : Number.POSITIVE_INFINITY;
        windows.push({ agents: [fault.isolated], fromMs: fault.atMs, toMs });
        clock.schedule(fault.atMs, () => {
          cut.set(fault.isolated, (cut.get(fault.isolated) ?? 0) + 1);
          applyPartitions();
        });
        if (fault.kind === 'partition') clock.schedule(toMs, () => {
          const left = (cut.get(fault.isolated) ?? 1) - 1;
          if (left === 0) cut.delete(fault.isolated);
          else cut.set(fault.isolated, left);
          applyPartitions();
        });
        break;
      }
      default:
        // Loss, duplication and reordering hold for the whole run (the network's default link); audio still
        // gets through them.
        break;
    }
  }
  return {
    disturbed: (a, b, fromMs, toMs) => windows.some((w) => w.fromMs < toMs && w.toMs > fromMs
      && (w.agents.includes(a) || w.agents.includes(b))),
  };
};
