import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import type { SimulatedNetwork } from '../../adapters/sim/simulated-network.js';
import { B2bua } from '../../application/session/b2bua.js';
import type { CallHandle } from '../../application/session/call-handle.js';
import type { CallHandler, CallInfo } from '../../application/session/call-handler.js';
import type { SessionCoordinator } from '../../application/session/session-coordinator.js';
import type { CallDecision } from '../../domain/session/call-decision.js';
import type { CallLedger, CallRecord } from './call-ledger.js';
import type { AgentSpec, World } from './world.js';

export const SWARM_USER = 'swarm';
export const SWARM_PASSWORD = 'swarm-password';
export const SIP_PORT = 5060;

/** What an agent's handler needs from the run: time, guarded calls into the API, the ledger. */
export interface AgentContext {
  readonly ledger: CallLedger;
  /** Runs `action` after `ms` of virtual time, as the given agent acting on the given call. */
  later(ms: number, agent: AgentSpec, call: number | undefined, label: string, action: () => Promise<unknown>): void;
}

export interface Agent {
  readonly spec: AgentSpec;
  readonly coordinator: SessionCoordinator;
}

/** The URI that rings `agent` for swarm call `call` (`u` users) or as a transfer target (`t` users). */
export const agentUri = (agent: AgentSpec, user: string, tcp = false): string =>
  `sip:${user}@${agent.host}:${SIP_PORT}${tcp ? ';transport=tcp' : ''}`;

/**
 * Answers as the world says: each incoming call names its swarm call (`cN` caller), whose plan decides
 * at once or later through the API; a transfer target (`tN`) answers and hangs up a little later.
 */
class SwarmHandler implements CallHandler {
  /** Calls to `bN` users are relayed to agent N's `uN` by a B2BUA. */
  readonly b2bua: B2bua;

  constructor(
    private readonly spec: AgentSpec, private readonly world: World, private readonly ctx: AgentContext,
  ) {
    this.b2bua = new B2bua((call) => {
      const target = Number(/^sips?:b(\d+)@/.exec(call.to)?.[1] ?? 0);
      return agentUri(this.world.agents[target]!, `u${target}`);
    });
  }

  /** Rejects later; the ledger learns the status only if the rejection went out. */
  private async reject(handle: CallHandle, record: CallRecord, status: number): Promise<void> {
    await handle.reject(status);
    record.callee.status = status;
  }

  onIncomingCall(call: CallInfo, handle: CallHandle): CallDecision {
    if (/^sips?:b\d+@/.test(call.to)) return this.b2bua.onIncomingCall(call);
    const transfer = /^sips?:t(\d+)@/.exec(call.to)?.[1];
    if (transfer !== undefined) {
      this.ctx.later(1000 + ((Number(transfer) * 37) % 2000), this.spec, Number(transfer), 'transfer target hangs up',
        () => handle.hangUp());
      return { kind: 'Accept' };
    }
    const index = Number(/^sips?:c(\d+)@/.exec(call.from)?.[1] ?? -1);
    const spec = this.world.calls[index];
    if (spec === undefined) return { kind: 'Accept' };
    const record = this.ctx.ledger.calls[index]!;
    const answer = spec.answer;
    const later = (ms: number, label: string, action: () => Promise<unknown>): void =>
      this.ctx.later(ms, this.spec, index, label, action);
    switch (answer.kind) {
      case 'accept':
        if (answer.afterMs < 500) return { kind: 'Accept' };
        later(answer.afterMs, 'accept', () => handle.accept());
        return { kind: 'Defer' };
      case 'defer-accept':
        later(answer.afterMs, 'accept', () => handle.accept());
        return { kind: 'Defer' };
      case 'early-accept':
        later(0, 'early media', () => handle.sendEarlyMedia());
        later(answer.afterMs, 'accept', () => handle.accept());
        return { kind: 'Defer' };
      case 'reject':
        if (answer.afterMs < 500) {
          record.callee.status = answer.status;
          return { kind: 'Reject', status: answer.status };
        }
        later(answer.afterMs, 'reject', () => this.reject(handle, record, answer.status));
        return { kind: 'Defer' };
      case 'defer-reject':
        later(answer.afterMs, 'reject', () => this.reject(handle, record, answer.status));
        return { kind: 'Defer' };
      case 'ignore':
      case 'caller-cancels':
        return { kind: 'Defer' };
      case 'forward':
        record.callee.status = 302;
        return { kind: 'Forward', target: agentUri(this.world.agents[answer.target]!, `u${answer.target}`) };
    }
  }
}

export const startAgent = async (
  spec: AgentSpec, world: World, network: SimulatedNetwork, ctx: AgentContext,
): Promise<Agent> => {
  const handler = new SwarmHandler(spec, world, ctx);
  let builder = new SessionManagerBuilder().withSipPort(SIP_PORT).withMediaPorts(20000, 29999)
    .withTransports(spec.tcp ? ['udp', 'tcp'] : ['udp']).withCodecs(spec.codecs)
    .withMedia(spec.media ? true : 'sdp-only')
    .withSessionTimeout(spec.sessionTimeoutMs).withDeferTimeout(spec.deferTimeoutMs)
    .withCredentials(SWARM_USER, SWARM_PASSWORD).withMaxSessionsPerUser(10_000)
    .withHandler(handler)
    .withSimulation({ network, host: spec.host, seed: world.seed * 31 + spec.index });
  if (spec.registrar) builder = builder.withRegistrar({ domains: [spec.host], minExpiresSec: 60 });
  if (spec.authenticates) builder = builder.withAuthentication({
    realm: spec.host, users: { [SWARM_USER]: SWARM_PASSWORD },
  });
  const coordinator = await builder.build();
  handler.b2bua.attach(coordinator);
  await coordinator.start();
  coordinator.events.subscribe((event) => ctx.ledger.observe(event, network.clock.nowMs()));
  return { spec, coordinator };
};
