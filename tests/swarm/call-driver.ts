import type { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import type { CallLedger, CallRecord } from './call-ledger.js';
import type { FaultWindows } from './fault-schedule.js';
import type { Sabotage } from './sabotage.js';
import type { SipChecker, Violation } from './sip-checker.js';
import { agentUri, type Agent } from './swarm-agent.js';
import type { AgentSpec, CallOp, Side, World } from './world.js';

export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: { readonly kind?: string; readonly status?: number } };

/** Calls the API as an agent; a rejection that is not a typed SessionError is a violation. */
export type Guard = <T>(
  agent: AgentSpec, call: number | undefined, label: string, action: () => Promise<T>,
) => Promise<Outcome<T>>;

export interface DriverContext {
  readonly world: World;
  readonly agents: ReadonlyArray<Agent>;
  readonly ledger: CallLedger;
  readonly clock: VirtualClock;
  readonly guard: Guard;
  readonly violations: Violation[];
  readonly faultWindows: FaultWindows;
  readonly sabotage: Sabotage | undefined;
  readonly checker: SipChecker;
}

/** A call must have been up this long on both sides, undisturbed and not held, for audio to be required. */
const AUDIO_SETTLE_MS = 1000;

/** Plays one swarm call from the caller's side: dial, wait, the operations in order, hang up. */
export class CallDriver {
  constructor(private readonly c: DriverContext) {}

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => void this.c.clock.schedule(ms, resolve));
  }

  async run(record: CallRecord): Promise<void> {
    const { spec } = record;
    const { world, agents, guard } = this.c;
    await this.sleep(spec.startMs);
    const caller = agents[spec.caller]!;
    const callee = world.agents[spec.callee]!;
    const created = await guard(caller.spec, spec.index, 'createOutgoingCall',
      () => caller.coordinator.createOutgoingCall(
        `sip:c${spec.index}@${caller.spec.host}`, spec.via === undefined ? agentUri(callee, `u${spec.callee}`, spec.tcp)
          : agentUri(world.agents[spec.via]!, `b${spec.callee}`, spec.tcp), undefined, [],
        { delayedOffer: spec.delayedOffer },
      ));
    if (!created.ok) return;
    const id = created.value.id;
    if (spec.answer.kind === 'caller-cancels') {
      const afterMs = spec.answer.afterMs;
      void this.sleep(afterMs).then(() => {
        if (record.caller.connectedAtMs !== undefined) return;
        record.callerGaveUp = true;
        return guard(caller.spec, spec.index, 'cancel', () => caller.coordinator.terminateSession(id));
      });
    }
    const answered = await guard(caller.spec, spec.index, 'waitForAnswer',
      () => caller.coordinator.waitForAnswer(id, spec.answerTimeoutMs));
    if (!answered.ok) {
      if (answered.error.kind === 'Rejected') record.caller.status = answered.error.status;
      if (answered.error.kind === 'Timeout') record.callerGaveUp = true;
      return;
    }
    for (const op of spec.ops) {
      await this.sleep(op.afterMs);
      if (this.ended(record)) return;
      if (!(await this.perform(record, op))) return;
    }
    await this.sleep(spec.hangupAfterMs);
    if (this.ended(record)) return;
    this.checkAudio(record);
    const by = this.side(record, spec.hangupBy);
    if (by.sessionId === undefined) return;
    const sessionId = by.sessionId;
    await guard(by.agent.spec, spec.index, 'terminateSession', () => by.agent.coordinator.terminateSession(sessionId));
  }

  private ended(record: CallRecord): boolean {
    return record.caller.endedAtMs !== undefined || record.callee.endedAtMs !== undefined;
  }

  private side(record: CallRecord, by: Side): { readonly agent: Agent; readonly sessionId: string | undefined } {
    const agent = this.c.agents[by === 'caller' ? record.spec.caller : record.spec.callee]!;
    return { agent, sessionId: this.c.ledger.sideOf(record, by).sessionId };
  }

  /** One operation; false when the call is over for this driver (transferred). */
  private async perform(record: CallRecord, op: CallOp): Promise<boolean> {
    const { agent, sessionId } = this.side(record, op.by);
    if (sessionId === undefined) return true;
    const api = agent.coordinator;
    const call = record.spec.index;
    const untyped = this.c.sabotage === 'untyped-error';
    const run = <T>(label: string, action: () => Promise<T>) => this.c.guard(agent.spec, call, label, untyped
      ? async () => {
        throw new TypeError(`${label}: sabotaged`);
      }
      : action);
    switch (op.kind) {
      case 'hold':
        record.held = true;
        await run('holdSession', () => api.holdSession(sessionId));
        return true;
      case 'resume':
        await run('resumeSession', () => api.resumeSession(sessionId));
        return true;
      case 'message':
        await run('sendMessageInCall', () => api.sendMessageInCall(sessionId, `note ${call}`));
        return true;
      case 'dtmf': {
        const sent = this.c.ledger.sideOf(record, op.by);
        sent.dtmfSent += op.digits;
        await run('sendDtmf', () => api.sendDtmf(sessionId, op.digits));
        return true;
      }
      case 'transfer': {
        const target = this.c.world.agents[op.target]!;
        await run('transferSession', () => api.transferSession(sessionId, agentUri(target, `t${call}`)));
        return false;
      }
      case 'glare': {
        record.held = true;
        const other = this.side(record, op.by === 'caller' ? 'callee' : 'caller');
        const otherId = other.sessionId;
        await Promise.all([
          run('holdSession', () => api.holdSession(sessionId)),
          otherId === undefined ? undefined : this.c.guard(other.agent.spec, call, 'holdSession (glare)',
            () => other.agent.coordinator.holdSession(otherId)),
        ]);
        return true;
      }
      case 'bridge': {
        const partner = this.liveCallOf(agent, record);
        if (partner === undefined) return true;
        const bridged = await run('bridgeSessions', async () => api.bridgeSessions(sessionId, partner.sessionId));
        if (bridged.ok) record.bridged = partner.record.bridged = true;
        return true;
      }
      case 'attended-transfer': {
        const target = agentUri(this.c.world.agents[op.target]!, `t${call}`);
        const consult = await run('createOutgoingCall (consultation)',
          () => api.createOutgoingCall(`sip:x${call}@${agent.spec.host}`, target));
        if (!consult.ok) return true;
        const answered = await run('waitForAnswer (consultation)', () => api.waitForAnswer(consult.value.id, 8000));
        if (!answered.ok) return true;
        await run('transferSession (attended)', () => api.transferSession(sessionId, target, consult.value.id));
        return false;
      }
    }
  }

  /** Another connected call of this agent (as caller or callee), the first in the ledger's order. */
  private liveCallOf(agent: Agent, record: CallRecord): { sessionId: string; record: CallRecord } | undefined {
    for (const other of this.c.ledger.calls) {
      if (other === record || other.caller.endedAtMs !== undefined || other.callee.endedAtMs !== undefined) continue;
      for (const by of ['caller', 'callee'] as const) {
        const s = this.c.ledger.sideOf(other, by);
        const index = by === 'caller' ? other.spec.caller : other.spec.callee;
        if (index === agent.spec.index && s.connectedAtMs !== undefined && s.sessionId !== undefined) {
          return { sessionId: s.sessionId, record: other };
        }
      }
    }
    return undefined;
  }

  /** Both sides up, undisturbed and never held for a while: each must have received audio. */
  private checkAudio(record: CallRecord): void {
    const { caller, callee, spec } = record;
    if (record.held || caller.connectedAtMs === undefined || callee.connectedAtMs === undefined) return;
    const agents = [spec.caller, spec.callee, ...(spec.via === undefined ? [] : [spec.via])];
    if (agents.some((i) => !this.c.world.agents[i]!.media)) return;
    const now = this.c.clock.nowMs();
    // The callee's media starts with the ACK when the offer was delayed (its answer is in the ACK).
    const callId = this.c.checker.callIdOf(spec.index);
    const ackAt = callId === undefined ? undefined : this.c.checker.ackDeliveredAt(callId);
    if (ackAt === undefined) return;
    const since = Math.max(caller.connectedAtMs, callee.connectedAtMs, ackAt);
    if (now - since < AUDIO_SETTLE_MS || this.c.faultWindows.disturbed(spec.caller, spec.callee, since, now)) return;
    for (const by of ['caller', 'callee'] as const) {
      const { agent, sessionId } = this.side(record, by);
      if (sessionId === undefined) continue;
      let received: number;
      try {
        received = agent.coordinator.getMediaStatistics(sessionId).packetsReceived;
      } catch {
        continue;
      }
      if (received === 0) this.c.violations.push({
        invariant: 'audio-flows', detail: `the ${by} received no RTP in ${now - since} ms of an undisturbed call`,
        atMs: now, agent: agent.spec.host, call: spec.index,
      });
    }
  }
}
