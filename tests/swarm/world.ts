import { SeededRandom } from '../../adapters/sim/seeded-random.js';

/**
 * One swarm run as plain data, drawn from one seed: the agents and their configuration, the calls between
 * them with what each side does, and the faults the network suffers. Running it is `swarm-run.ts`'s job;
 * shrinking it is cutting calls, operations and faults out of this value.
 */
export interface AgentSpec {
  readonly index: number;
  readonly host: string;
  readonly tcp: boolean;
  /** RTP for real, or SDP only (most agents: media is what costs simulation time, signaling is the target). */
  readonly media: boolean;
  readonly codecs: ReadonlyArray<string>;
  /** Digest users this agent challenges incoming calls for (its callers answer with `swarm`'s password). */
  readonly authenticates: boolean;
  /** A registrar for its host's domain: the other agents may register to it. */
  readonly registrar: boolean;
  /** Longest call, the timer that ends calls whose peer is unreachable for good. */
  readonly sessionTimeoutMs: number;
  readonly deferTimeoutMs: number;
}

export type AnswerPlan =
  | { readonly kind: 'accept'; readonly afterMs: number }
  | { readonly kind: 'defer-accept'; readonly afterMs: number }
  | { readonly kind: 'early-accept'; readonly afterMs: number }
  | { readonly kind: 'reject'; readonly status: number; readonly afterMs: number }
  | { readonly kind: 'defer-reject'; readonly status: number; readonly afterMs: number }
  /** 302 to another agent (the caller does not follow redirects: it ends Rejected 302). */
  | { readonly kind: 'forward'; readonly target: number }
  /** The callee never decides: the caller gives up (its answer timeout) or the defer timeout answers. */
  | { readonly kind: 'ignore' }
  | { readonly kind: 'caller-cancels'; readonly afterMs: number };

export type Side = 'caller' | 'callee';

export type CallOp =
  | { readonly kind: 'hold' | 'resume' | 'message'; readonly by: Side; readonly afterMs: number }
  /** Both sides put the other on hold at the same instant: re-INVITE glare, 491 and the retry of §14.1. */
  | { readonly kind: 'glare'; readonly by: Side; readonly afterMs: number }
  /** This side bridges the call with another live call of its agent, if it has one. */
  | { readonly kind: 'bridge'; readonly by: Side; readonly afterMs: number }
  /** Attended transfer: this side calls `target` first, then refers the far side to it with Replaces. */
  | { readonly kind: 'attended-transfer'; readonly by: Side; readonly afterMs: number; readonly target: number }
  | { readonly kind: 'dtmf'; readonly by: Side; readonly afterMs: number; readonly digits: string }
  /** Blind transfer of the far side to `target` (an agent): the call then ends. */
  | { readonly kind: 'transfer'; readonly by: Side; readonly afterMs: number; readonly target: number };

export interface CallSpec {
  readonly index: number;
  readonly caller: number;
  readonly callee: number;
  readonly startMs: number;
  readonly tcp: boolean;
  readonly delayedOffer: boolean;
  /** A B2BUA agent the call goes through (its A leg stands for the callee in the ledger). */
  readonly via: number | undefined;
  readonly answer: AnswerPlan;
  readonly ops: ReadonlyArray<CallOp>;
  /** Who hangs up once the operations are done, and after how long. */
  readonly hangupBy: Side;
  readonly hangupAfterMs: number;
  /** The caller's waitForAnswer limit. */
  readonly answerTimeoutMs: number;
}

export type FaultSpec =
  | { readonly kind: 'loss'; readonly ratio: number }
  | { readonly kind: 'duplicate'; readonly ratio: number }
  | { readonly kind: 'reorder'; readonly meanDelayMs: number }
  | { readonly kind: 'spike'; readonly a: number; readonly b: number; readonly atMs: number;
    readonly durationMs: number; readonly delayMs: number }
  | { readonly kind: 'one-way-loss'; readonly from: number; readonly to: number; readonly atMs: number;
    readonly durationMs: number; readonly ratio: number }
  | { readonly kind: 'partition'; readonly isolated: number; readonly atMs: number; readonly durationMs: number }
  | { readonly kind: 'partition-forever'; readonly isolated: number; readonly atMs: number };

export const FAULT_KINDS = [
  'loss', 'duplicate', 'reorder', 'spike', 'one-way-loss', 'partition', 'partition-forever',
] as const;
export type FaultKind = typeof FAULT_KINDS[number];

export interface Registration {
  readonly agent: number;
  readonly registrar: number;
  readonly atMs: number;
}

/** An agent stopped gracefully while its calls run (they must end on both sides). */
export interface AgentStop {
  readonly agent: number;
  readonly atMs: number;
}

export interface World {
  readonly seed: number;
  readonly agents: ReadonlyArray<AgentSpec>;
  readonly calls: ReadonlyArray<CallSpec>;
  readonly faults: ReadonlyArray<FaultSpec>;
  readonly registrations: ReadonlyArray<Registration>;
  readonly stops: ReadonlyArray<AgentStop>;
  /** Virtual time over which calls start. */
  readonly spanMs: number;
}

export interface WorldOptions {
  readonly calls: number;
  /** Agents; drawn from 3–8 when absent. */
  readonly agents?: number;
  /** Virtual minutes over which the calls start (default: about 0.2 s per call, at least 20 s). */
  readonly minutes?: number;
  /** Fault kinds allowed (default all). */
  readonly faults?: ReadonlyArray<FaultKind>;
  /** Every agent carries RTP (default: about a third, the rest SDP only). */
  readonly allRtp?: boolean;
}

class Draw {
  constructor(private readonly random: SeededRandom) {}
  float(): number {
    return this.random.nextFloat();
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.random.nextFloat() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.random.nextFloat() < p;
  }
  pick<T>(items: ReadonlyArray<T>): T {
    return items[Math.floor(this.random.nextFloat() * items.length)] as T;
  }
  other(count: number, not: number): number {
    const i = this.int(0, count - 2);
    return i >= not ? i + 1 : i;
  }
}

const agentSpec = (d: Draw, index: number): AgentSpec => ({
  index,
  host: `10.0.${Math.floor(index / 250)}.${(index % 250) + 1}`,
  tcp: d.chance(0.5),
  media: d.chance(0.35),
  codecs: d.pick([['PCMU', 'PCMA'], ['PCMA', 'PCMU'], ['PCMU'], ['PCMA']]),
  authenticates: d.chance(0.3),
  registrar: index === 0,
  sessionTimeoutMs: d.int(60, 120) * 1000,
  deferTimeoutMs: d.int(8, 20) * 1000,
});

const answerPlan = (d: Draw, agents: number): AnswerPlan => {
  const roll = d.float();
  if (roll < 0.35) return { kind: 'accept', afterMs: d.int(0, 3000) };
  if (roll < 0.5) return { kind: 'defer-accept', afterMs: d.int(0, 4000) };
  if (roll < 0.6) return { kind: 'early-accept', afterMs: d.int(100, 3000) };
  if (roll < 0.72) return { kind: 'reject', status: d.pick([486, 480, 603, 404]), afterMs: d.int(0, 2000) };
  if (roll < 0.8) return { kind: 'defer-reject', status: d.pick([486, 603]), afterMs: d.int(0, 3000) };
  if (roll < 0.86) return { kind: 'caller-cancels', afterMs: d.int(0, 3000) };
  if (roll < 0.93) return { kind: 'ignore' };
  return { kind: 'forward', target: d.int(0, agents - 1) };
};

const DIGITS = '0123456789*#';

const callOps = (d: Draw, agents: number, caller: number, callee: number): CallOp[] => {
  const ops: CallOp[] = [];
  const count = d.int(0, 4);
  let held: Side | undefined;
  for (let i = 0; i < count; i++) {
    const by: Side = d.chance(0.5) ? 'caller' : 'callee';
    const afterMs = d.int(200, 2500);
    const roll = d.float();
    if (held !== undefined && roll < 0.4) {
      ops.push({ kind: 'resume', by: held, afterMs });
      held = undefined;
    } else if (held === undefined && roll < 0.25) {
      ops.push({ kind: 'hold', by, afterMs });
      held = by;
    } else if (held === undefined && roll < 0.3) {
      ops.push({ kind: 'glare', by, afterMs });
    } else if (roll < 0.35) {
      ops.push({ kind: 'bridge', by, afterMs });
    } else if (roll < 0.7) {
      const digits = Array.from({ length: d.int(1, 4) }, () => d.pick([...DIGITS])).join('');
      ops.push({ kind: 'dtmf', by, afterMs, digits });
    } else if (roll < 0.9 || agents < 3) {
      ops.push({ kind: 'message', by, afterMs });
    } else {
      let target = d.other(agents, caller);
      if (target === callee) target = d.other(agents, callee);
      if (target !== caller && target !== callee) {
        ops.push(d.chance(0.5) ? { kind: 'transfer', by, afterMs, target } : {
          kind: 'attended-transfer', by, afterMs, target,
        });
        break;
      }
    }
  }
  return ops;
};

const faultSpec = (d: Draw, kind: FaultKind, agents: number, spanMs: number): FaultSpec => {
  const atMs = d.int(0, spanMs);
  switch (kind) {
    case 'loss': return { kind, ratio: d.int(0, 40) / 100 };
    case 'duplicate': return { kind, ratio: d.int(0, 10) / 100 };
    case 'reorder': return { kind, meanDelayMs: d.int(1, 30) };
    case 'spike': {
      const a = d.int(0, agents - 1);
      return { kind, a, b: d.other(agents, a), atMs, durationMs: d.int(500, 5000), delayMs: d.int(200, 3000) };
    }
    case 'one-way-loss': {
      const from = d.int(0, agents - 1);
      const to = d.other(agents, from);
      return { kind, from, to, atMs, durationMs: d.int(1000, 15_000), ratio: d.int(30, 100) / 100 };
    }
    case 'partition': return { kind, isolated: d.int(0, agents - 1), atMs, durationMs: d.int(1000, 20_000) };
    case 'partition-forever': return { kind, isolated: d.int(0, agents - 1), atMs };
  }
};

/** The world for one seed. */
export const generateWorld = (seed: number, options: WorldOptions): World => {
  const d = new Draw(new SeededRandom(seed));
  const agentCount = options.agents ?? d.int(3, 8);
  const agents = Array.from({ length: agentCount }, (_, i) => agentSpec(d, i))
    .map((a) => (options.allRtp === true ? { ...a, media: true } : a));
  const spanMs = Math.round((options.minutes ?? Math.max(20_000, options.calls * 200) / 60_000) * 60_000);
  const calls: CallSpec[] = [];
  for (let index = 0; index < options.calls; index++) {
    const caller = d.int(0, agentCount - 1);
    const callee = d.other(agentCount, caller);
    const viaCandidate = d.int(0, agentCount - 1);
    const via = d.chance(0.1) && viaCandidate !== caller && viaCandidate !== callee ? viaCandidate : undefined;
    calls.push({
      index, caller, callee, startMs: d.int(0, spanMs),
      tcp: agents[via ?? callee]!.tcp && d.chance(0.5), delayedOffer: d.chance(0.2), via,
      answer: answerPlan(d, agentCount), ops: callOps(d, agentCount, caller, callee),
      hangupBy: d.chance(0.5) ? 'caller' : 'callee', hangupAfterMs: d.int(300, 4000),
      answerTimeoutMs: d.int(6, 15) * 1000,
    });
  }
  const allowed = options.faults ?? FAULT_KINDS;
  const faults: FaultSpec[] = [];
  for (const kind of allowed) {
    const count = kind === 'partition-forever' ? (d.chance(0.1) ? 1 : 0) : d.int(0, 1);
    for (let i = 0; i < count; i++) faults.push(faultSpec(d, kind, agentCount, spanMs));
  }
  const registrations = agents.slice(1).filter(() => d.chance(0.5))
    .map((a) => ({ agent: a.index, registrar: 0, atMs: d.int(0, spanMs) }));
  const stops = d.chance(0.2) ? [{ agent: d.int(1, agentCount - 1), atMs: d.int(spanMs / 2, spanMs) }] : [];
  return { seed, agents, calls, faults, registrations, stops, spanMs };
};

/** Faults that cut an agent off for good make calls end by their timers, not their BYEs. */
export const hasPermanentPartition = (world: World): boolean =>
  world.faults.some((f) => f.kind === 'partition-forever');
