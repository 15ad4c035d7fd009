import { inspect } from 'node:util';
import { SimulatedNetwork, type LinkImpairment } from '../../adapters/sim/simulated-network.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import { DEFAULT_TIMERS } from '../../domain/transaction/timer-config.js';
import type { SessionErrorKind } from '../../domain/session/session-error.js';
import { CallLedger } from './call-ledger.js';
import { plantSabotage, sabotageTap, type Sabotage } from './sabotage.js';
import { SipChecker, type Violation } from './sip-checker.js';
import { SIP_PORT, startAgent, type Agent, type AgentContext } from './swarm-agent.js';
import { CallDriver, type Guard } from './call-driver.js';
import { scheduleFaults } from './fault-schedule.js';
import type { AgentSpec, World } from './world.js';

export interface RunResult {
  readonly seed: number;
  readonly agents: number;
  readonly calls: number;
  /** Calls the caller saw answered. */
  readonly connected: number;
  readonly operations: number;
  readonly faults: number;
  readonly violations: ReadonlyArray<Violation>;
  readonly wallMs: number;
  readonly simulatedMs: number;
  readonly digest: string;
  readonly sipMessages: number;
  /** The ladder of the call of the first violation, when it has one. */
  readonly ladder: ReadonlyArray<string>;
}

export interface RunOptions {
  readonly sabotage?: Sabotage;
  /** Count unhandled rejections and exceptions as violations (the CLI; a test runner catches them itself). */
  readonly watchProcess?: boolean;
}

const TIMEOUT_64 = 64 * DEFAULT_TIMERS.t1Ms;
/** Longest a call's plan runs once it starts: ringing, operations, hang-up. */
const PLAN_BOUND_MS = 60_000;
const KNOWN_ERRORS = new Set<SessionErrorKind>([
  'InvalidUri', 'SessionNotFound', 'InvalidState', 'ResourceExhausted', 'Timeout', 'Rejected', 'Cancelled',
  'TransportError', 'MediaError', 'InvalidConfig', 'InvalidArgument',
]);

const baseLink = (world: World): Partial<LinkImpairment> => {
  const link: { -readonly [K in keyof LinkImpairment]?: LinkImpairment[K] } = { oneWayDelayMinMs: 5 };
  for (const fault of world.faults) {
    if (fault.kind === 'loss') link.lossRatio = fault.ratio;
    if (fault.kind === 'duplicate') link.duplicateRatio = fault.ratio;
    if (fault.kind === 'reorder') link.oneWayDelayMeanMs = fault.meanDelayMs;
  }
  return link;
};

/** Runs one world to its end on a fresh virtual network and reports what was broken. */
export const runWorld = async (world: World, options: RunOptions = {}): Promise<RunResult> => {
  const started = performance.now();
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed: world.seed, link: baseLink(world), trace: false });
  const victim = world.agents[1]?.host ?? world.agents[0]!.host;
  const tap = sabotageTap(options.sabotage, victim);
  if (tap !== undefined) network.tap(tap);
  const checker = new SipChecker();
  network.tap(checker);
  const violations: Violation[] = [];
  let operations = 0;
  const ledger = new CallLedger(world.calls);

  const guard: Guard = async (agent, call, label, action) => {
    operations++;
    try {
      return { ok: true, value: await action() };
    } catch (error) {
      const kind = (error as { kind?: unknown }).kind;
      if ((error as Error).name !== 'SessionError' || !KNOWN_ERRORS.has(kind as SessionErrorKind)) {
        violations.push({
          invariant: 'typed-errors', detail: `${label} failed with ${String(error)}`, atMs: clock.nowMs(),
          agent: agent.host, ...(call === undefined ? {} : { call }),
        });
      }
      return { ok: false, error: error as { kind?: string; status?: number } };
    }
  };
  const context: AgentContext = {
    ledger,
    later: (ms, agent, call, label, action) => void clock.schedule(ms, () => void guard(agent, call, label, action)),
  };
  const unhandled = (error: unknown): void => void violations.push({
    invariant: 'no-unhandled', detail: `unhandled: ${inspect(error, { depth: 3 })}`, atMs: clock.nowMs(),
  });
  if (options.watchProcess === true) {
    process.on('unhandledRejection', unhandled);
    process.on('uncaughtException', unhandled);
  }
  try {
    const agents: Agent[] = [];
    for (const spec of world.agents) {
      agents.push(await startAgent(options.sabotage === 'swallow-bye' ? { ...spec, sessionTimeoutMs: 0 } : spec,
        world, network, context));
    }
    plantSabotage(options.sabotage, clock, network, victim);
    const faultWindows = scheduleFaults(world, network, clock);
    for (const registration of world.registrations) {
      const agent = agents[registration.agent]!;
      const registrar = world.agents[registration.registrar]!;
      context.later(registration.atMs, agent.spec, undefined, 'register', () => agent.coordinator.register(
        `sip:${registrar.host}:${SIP_PORT}`, { aor: `sip:swarm@${registrar.host}`, expiresSec: 120 },
      ));
    }
    for (const stop of world.stops) {
      const agent = agents[stop.agent]!;
      context.later(stop.atMs, agent.spec, undefined, 'stop', () => {
        ledger.agentStopping(stop.agent);
        return agent.coordinator.stop();
      });
    }
    const driver = new CallDriver({
      world, agents, ledger, clock, guard, violations, faultWindows,
      sabotage: options.sabotage, checker,
    });
    let finished = false;
    void Promise.all(ledger.calls.map((record) => driver.run(record))).then(() => void (finished = true));
    const planEnd = world.spanMs + PLAN_BOUND_MS;
    while (!finished && clock.nowMs() < planEnd) await clock.advanceBy(1000);
    // Calls left must end by their own timers: the longest call limit, then a transaction's lifetime.
    const longest = Math.max(...world.agents.map((a) => a.sessionTimeoutMs), 120_000);
    const endBound = world.spanMs + longest + 2 * TIMEOUT_64 + PLAN_BOUND_MS;
    const live = (): boolean => agents.some((a) => a.coordinator.listActiveSessions().length > 0);
    while ((live() || !finished) && clock.nowMs() < endBound) await clock.advanceBy(1000);
    // Let transactions and retained calls run out before counting what is left.
    await clock.advanceBy(TIMEOUT_64 + 10_000);
    violations.push(...ledger.check(clock.nowMs(), (i) => world.agents[i]!.host));
    checker.finish(clock.nowMs());
    violations.push(...checker.violations);
    // Registrations still refresh (and a registrar still completes their transactions) until the stop.
    const callState = ['sessions', 'lingering', 'dialogs'];
    for (const agent of agents) violations.push(...leftOver(agent, clock.nowMs(), callState));
    const stopping = Promise.all(agents.map((a) => a.coordinator.stop()));
    await clock.advanceBy(10_000);
    await stopping;
    await clock.runUntilIdle(TIMEOUT_64 * 2);
    for (const agent of agents) violations.push(...leftOver(agent, clock.nowMs(), 'all'));
    if (clock.pendingTimers() > 0) violations.push({
      invariant: 'leaks', detail: `${clock.pendingTimers()} timers still scheduled after every agent stopped`,
      atMs: clock.nowMs(),
    });
    if (network.openSockets() > 0) violations.push({
      invariant: 'leaks', detail: `${network.openSockets()} sockets still open after every agent stopped`,
      atMs: clock.nowMs(),
    });
  } finally {
    if (options.watchProcess === true) {
      process.off('unhandledRejection', unhandled);
      process.off('uncaughtException', unhandled);
    }
  }
  violations.sort((a, b) => a.atMs - b.atMs);
  const first = violations[0];
  const callId = first?.callId ?? (first?.call === undefined ? undefined : checker.callIdOf(first.call));
  return {
    seed: world.seed, agents: world.agents.length, calls: world.calls.length, operations,
    connected: ledger.calls.filter((c) => c.caller.connectedAtMs !== undefined).length,
    faults: world.faults.length, violations, wallMs: performance.now() - started, simulatedMs: clock.nowMs(),
    digest: checker.digest(), sipMessages: checker.messages,
    ladder: callId === undefined ? [] : checker.ladderOf(callId),
  };
};

/** What an agent still holds once every call ended and every transaction had time to finish. */
const leftOver = (agent: Agent, atMs: number, what: ReadonlyArray<string> | 'all'): Violation[] => {
  const r = agent.coordinator.resources();
  const held = Object.entries(r).filter(([name, count]) => (what === 'all' || what.includes(name)) && count > 0);
  const bridges = agent.coordinator.listBridges().length;
  const out: Violation[] = held.map(([name, count]) => ({
    invariant: 'leaks', atMs, agent: agent.spec.host,
    detail: `${count} ${name} left ${what === 'all' ? 'after the agent stopped' : 'after every call ended'}`,
  }));
  if (bridges > 0) out.push({ invariant: 'leaks', detail: `${bridges} bridges left`, atMs, agent: agent.spec.host });
  return out;
};

export type { AgentSpec };
