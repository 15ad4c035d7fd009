import type { SessionEvent } from '../../domain/session/session-event.js';
import type { Violation } from './sip-checker.js';
import type { CallSpec, Side } from './world.js';

/** What one side of a swarm call went through, from its coordinator's events. */
export interface SideRecord {
  sessionId: string | undefined;
  connectedAtMs: number | undefined;
  endedAtMs: number | undefined;
  endReason: string | undefined;
  /** The status the callee rejected with, or the one the caller was rejected with. */
  status: number | undefined;
  dtmfSent: string;
  dtmfReceived: string;
  onHold: boolean;
}

export interface CallRecord {
  readonly spec: CallSpec;
  readonly caller: SideRecord;
  readonly callee: SideRecord;
  /** The caller gave up or cancelled: a 2xx crossing its CANCEL may still connect the callee briefly. */
  callerGaveUp: boolean;
  held: boolean;
  /** An agent of this call was stopped: its calls end as the stop decides, not as planned. */
  stopped: boolean;
  /** Bridged with another call: its partner's digits reach this call's far end too. */
  bridged: boolean;
}

const side = (): SideRecord => ({
  sessionId: undefined, connectedAtMs: undefined, endedAtMs: undefined, endReason: undefined, status: undefined,
  dtmfSent: '', dtmfReceived: '', onHold: false,
});

/** Digits received must be digits sent, each once, in the order sent (loss may drop some). */
export const isOrderedSubsequence = (received: string, sent: string): boolean => {
  let at = 0;
  for (const digit of received) {
    at = sent.indexOf(digit, at);
    if (at === -1) return false;
    at++;
  }
  return true;
};

/** The swarm's bookkeeping of every call, fed by the agents' events; checks that both sides agree. */
export class CallLedger {
  readonly calls: CallRecord[];
  private readonly bySession = new Map<string, SideRecord>();

  constructor(specs: ReadonlyArray<CallSpec>) {
    this.calls = specs.map((spec) => ({
      spec, caller: side(), callee: side(), callerGaveUp: false, held: false, stopped: false, bridged: false,
    }));
  }

  /** Reads an agent's event; `now` stamps it. Sessions are told apart by the `cN` caller name. */
  observe(event: SessionEvent, now: number): void {
    if (event.type === 'SessionCreated') {
      const call = /^sips?:c(\d+)@/.exec(event.from)?.[1];
      // Calls to a transfer target (`tN`) are legs of their own, outside the ledger.
      if (call === undefined || /^sips?:t\d+@/.test(event.to)) return;
      const record = this.calls[Number(call)];
      if (record === undefined) return;
      const s = event.direction === 'outgoing' ? record.caller : record.callee;
      if (s.sessionId !== undefined) return;
      s.sessionId = event.sessionId;
      this.bySession.set(event.sessionId, s);
      return;
    }
    if (!('sessionId' in event) || event.sessionId === undefined) return;
    const s = this.bySession.get(event.sessionId);
    if (s === undefined) return;
    switch (event.type) {
      case 'CallEstablished': s.connectedAtMs ??= now; break;
      case 'CallEnded':
        s.endedAtMs = now;
        s.endReason = event.reason;
        this.bySession.delete(event.sessionId);
        break;
      case 'DtmfReceived': s.dtmfReceived += event.digit; break;
      case 'HoldChanged': s.onHold = event.onHold; break;
      default: break;
    }
  }

  /** An agent is stopping: the outcome of its calls is the stop's. */
  agentStopping(agent: number): void {
    for (const record of this.calls) {
      if (record.spec.caller === agent || record.spec.callee === agent) record.stopped = true;
    }
  }

  sideOf(record: CallRecord, by: Side): SideRecord {
    return by === 'caller' ? record.caller : record.callee;
  }

  /** Checks every call once all have ended. */
  check(atMs: number, agentHost: (index: number) => string): Violation[] {
    const violations: Violation[] = [];
    for (const record of this.calls) {
      const { spec, caller, callee } = record;
      const fail = (invariant: string, detail: string, by: Side): void => void violations.push({
        invariant, detail, atMs, call: spec.index, agent: agentHost(by === 'caller' ? spec.caller : spec.callee),
      });
      for (const [s, by] of [[caller, 'caller'], [callee, 'callee']] as const) {
        if (s.sessionId !== undefined && s.endedAtMs === undefined) fail('calls-end', `the ${by} side never ended`, by);
      }
      if (record.stopped) continue;
      if (caller.connectedAtMs !== undefined && callee.sessionId !== undefined && callee.connectedAtMs === undefined) {
        fail('sides-agree', `the caller was connected at ${caller.connectedAtMs} ms; the callee never was `
          + `(it ended: ${callee.endReason ?? 'not at all'})`, 'callee');
      }
      // A caller that gave up, or found the callee's offer unusable (delayed offer), ACKs the 2xx and sends BYE.
      if (callee.connectedAtMs !== undefined && caller.connectedAtMs === undefined && !record.callerGaveUp
        && caller.endReason !== 'MediaError') {
        fail('sides-agree', `the callee was connected at ${callee.connectedAtMs} ms; the caller never was `
          + `(it ended: ${caller.endReason ?? 'not at all'})`, 'caller');
      }
      // Through a B2BUA the A leg's own limits (its defer timeout) may answer before the far callee does.
      if (callee.status !== undefined && spec.via === undefined && caller.connectedAtMs === undefined
        && !record.callerGaveUp
        && caller.status !== undefined && caller.status !== callee.status && caller.status !== 408) {
        fail('sides-agree', `the callee rejected with ${callee.status}, the caller saw ${caller.status}`, 'caller');
      }
      for (const [from, to, by] of [[caller, callee, 'callee'], [callee, caller, 'caller']] as const) {
        if (record.bridged) break;
        if (!isOrderedSubsequence(to.dtmfReceived, from.dtmfSent)) {
          fail('dtmf-once-in-order', `sent "${from.dtmfSent}", received "${to.dtmfReceived}"`, by);
        }
      }
    }
    return violations;
  }
}
