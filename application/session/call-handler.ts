import type { CallDecision } from '../../domain/session/call-decision.js';

/** What the application sees of a call. */
export interface CallInfo {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly direction: 'incoming' | 'outgoing';
  readonly state: string;
  readonly startedAtMs: number;
}

/** Application callbacks; only onIncomingCall is required. */
export interface CallHandler {
  onIncomingCall(call: CallInfo): CallDecision | Promise<CallDecision>;
  onCallEstablished?(call: CallInfo, localSdp: string | undefined, remoteSdp: string | undefined): void;
  onCallEnded?(call: CallInfo, reason: string): void;
  onDtmf?(call: CallInfo, digit: string): void;
}

/** Answers every call. */
export class AutoAnswerHandler implements CallHandler {
  onIncomingCall(): CallDecision {
    return { kind: 'Accept' };
  }
}

/** Rejects every call with the given status (default 486 Busy Here). */
export class RejectAllHandler implements CallHandler {
  constructor(private readonly status = 486, private readonly reason?: string) {}

  onIncomingCall(): CallDecision {
    return this.reason === undefined ? { kind: 'Reject', status: this.status } : { kind: 'Reject', status: this.status, reason: this.reason };
  }
}

/**
 * Chains handlers: each is asked in turn and the first decisive answer wins
 * (Accept, Reject or Forward); Defer passes to the next; if all defer, the
 * call is deferred. Other callbacks go to every handler.
 */
export class CompositeHandler implements CallHandler {
  constructor(private readonly handlers: ReadonlyArray<CallHandler>) {}

  async onIncomingCall(call: CallInfo): Promise<CallDecision> {
    for (const handler of this.handlers) {
      const decision = await handler.onIncomingCall(call);
      if (decision.kind !== 'Defer') return decision;
    }
    return { kind: 'Defer' };
  }

  onCallEstablished(call: CallInfo, localSdp: string | undefined, remoteSdp: string | undefined): void {
    for (const h of this.handlers) h.onCallEstablished?.(call, localSdp, remoteSdp);
  }

  onCallEnded(call: CallInfo, reason: string): void {
    for (const h of this.handlers) h.onCallEnded?.(call, reason);
  }

  onDtmf(call: CallInfo, digit: string): void {
    for (const h of this.handlers) h.onDtmf?.(call, digit);
  }
}
