import { NodeHash } from '../../adapters/node/node-hash.js';
import { SimulatedNetwork, type LinkImpairment } from '../../adapters/sim/simulated-network.js';
import { SimulatedSipTransport } from '../../adapters/sim/simulated-sip-transport.js';
import { SeededRandom } from '../../adapters/sim/seeded-random.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import type { IncomingInvite } from '../../application/ua/incoming-invite.js';
import type { InviteSession, SessionEndReason } from '../../application/ua/invite-session.js';
import { UaCore, type UaHandler } from '../../application/ua/ua-core.js';
import type { UaConfig } from '../../application/ua/ua-context.js';
import type { NameAddr } from '../../domain/sip/name-addr.js';
import { sipUri } from '../../domain/sip/uri.js';
import { unwrap } from './either.js';

export interface SimUa {
  readonly host: string;
  readonly transport: SimulatedSipTransport;
  readonly ua: UaCore;
  readonly invites: IncomingInvite[];
  readonly ended: Array<{ reason: SessionEndReason; atMs: number; session: InviteSession }>;
  /** What this UA does with each new INVITE (default: nothing, it keeps ringing). */
  onInvite: (invite: IncomingInvite) => void;
  readonly address: NameAddr;
}

export const simUa = (
  network: SimulatedNetwork, clock: VirtualClock, host: string, seed: number, extra: Partial<UaHandler> = {},
  config: Partial<UaConfig> = {},
): SimUa => {
  const transport = unwrap(SimulatedSipTransport.listen(network, { host, port: 5060, protocols: ['udp', 'tcp'] }));
  const node: SimUa = {
    host, transport, invites: [], ended: [], onInvite: () => undefined,
    address: { uri: sipUri(host, { user: host.replace(/\./g, '-'), port: 5060 }), params: [] },
    ua: undefined as unknown as UaCore,
  };
  const ua = new UaCore(transport, clock, new SeededRandom(seed), {
    onIncomingInvite: (invite) => {
      node.invites.push(invite);
      node.onInvite(invite);
    },
    onSessionEnded: (session, reason) => node.ended.push({ reason, atMs: clock.nowMs(), session }),
    ...extra,
  }, { contactUser: host.replace(/\./g, '-'), ...config }, undefined, new NodeHash());
  (node as { ua: UaCore }).ua = ua;
  return node;
};

/** alice (10.0.0.1) and bob (10.0.0.2) on one simulated network. */
export const uaPair = (seed: number, link: Partial<LinkImpairment> = {}) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed, link });
  const alice = simUa(network, clock, '10.0.0.1', seed * 2 + 1);
  const bob = simUa(network, clock, '10.0.0.2', seed * 2 + 2);
  return { clock, network, alice, bob };
};

/** True when nothing is left: no dialogs, transactions, timers or sockets. */
export const leakReport = (sim: { clock: VirtualClock; alice: SimUa; bob: SimUa }): string[] => {
  const problems: string[] = [];
  for (const node of [sim.alice, sim.bob]) {
    const counts = node.ua.counts();
    if (counts.dialogs !== 0) problems.push(`${node.host}: ${counts.dialogs} dialogs`);
    if (counts.registrations !== 0) problems.push(`${node.host}: ${counts.registrations} registrations`);
    const tx = node.ua.layer.counts();
    for (const [kind, n] of Object.entries(tx)) if (n !== 0) problems.push(`${node.host}: ${n} ${kind}`);
  }
  if (sim.clock.pendingTimers() !== 0) problems.push(`${sim.clock.pendingTimers()} pending timers`);
  return problems;
};
