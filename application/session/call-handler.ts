import type { CallDecision } from '../../domain/session/call-decision.js';
import type { CallHandle } from './call-handle.js';
import type { IncomingMessage } from './message-service.js';
import type { CallInfo } from './session-record.js';

export type { CallInfo } from './session-record.js';

/**
 * Application callbacks; only onIncomingCall is required. Each gets the call
 * and, last, a handle to act on it. They are foreign code to the stack: one
 * that throws or rejects is logged, counted and published as an `Error`
 * event. A failing onIncomingCall answers the call 500; the others change
 * nothing about the call.
 */
export interface CallHandler {
  onIncomingCall(call: CallInfo, handle: CallHandle): CallDecision | Promise<CallDecision>;
  onCallEstablished?(
    call: CallInfo, localSdp: string | undefined, remoteSdp: string | undefined, handle: CallHandle,
  ): unknown;
  onCallEnded?(call: CallInfo, reason: string, handle: CallHandle): unknown;
  onDtmf?(call: CallInfo, digit: string, handle: CallHandle): unknown;
  /**
   * A MESSAGE (RFC 3428) outside a call or inside one (`sessionId`): the final status to answer (200 when
   * nothing is returned; a handler that throws answers 500).
   */
  onMessage?(message: IncomingMessage): number | void | Promise<number | void>;
  /**
   * A SUBSCRIBE to a package we serve (RFC 6665): 'active' lets the subscriber see the resource now,
   * 'pending' until `coordinator.decideSubscription`, 'rejected' refuses it (403). Nothing (or no hook) is
   * active; a promise keeps it pending until it settles; a hook that throws rejects it.
   */
  onSubscribe?(request: SubscriptionRequest): SubscriptionVerdict | void | Promise<SubscriptionVerdict | void>;
}

export type SubscriptionVerdict = 'active' | 'pending' | 'rejected';

export interface SubscriptionRequest {
  readonly event: string;
  /** `user@host` of the resource watched. */
  readonly resource: string;
  readonly from: string;
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
    return this.reason === undefined ? { kind: 'Reject', status: this.status } : {
      kind: 'Reject', status: this.status, reason: this.reason,
    };
  }
}

/**
 * Chains handlers: each is asked in turn and the first decisive answer wins
 * (Accept, Reject or Forward); Defer passes to the next; if all defer, the
 * call is deferred. Other callbacks go to every handler.
 */
export class CompositeHandler implements CallHandler {
  constructor(private readonly handlers: ReadonlyArray<CallHandler>) {}

  async onIncomingCall(call: CallInfo, handle: CallHandle): Promise<CallDecision> {
    for (const handler of this.handlers) {
      const decision = await handler.onIncomingCall(call, handle);
      if (decision.kind !== 'Defer') return decision;
    }
    return { kind: 'Defer' };
  }

  onCallEstablished(
    call: CallInfo, localSdp: string | undefined, remoteSdp: string | undefined, handle: CallHandle,
  ): void {
    for (const h of this.handlers) h.onCallEstablished?.(call, localSdp, remoteSdp, handle);
  }

  onCallEnded(call: CallInfo, reason: string, handle: CallHandle): void {
    for (const h of this.handlers) h.onCallEnded?.(call, reason, handle);
  }

  onDtmf(call: CallInfo, digit: string, handle: CallHandle): void {
    for (const h of this.handlers) h.onDtmf?.(call, digit, handle);
  }

  /** The first handler with a verdict decides a subscription. */
  onSubscribe(request: SubscriptionRequest): SubscriptionVerdict | void | Promise<SubscriptionVerdict | void> {
    for (const handler of this.handlers) {
      const verdict = handler.onSubscribe?.(request);
      if (verdict !== undefined) return verdict;
    }
    return undefined;
  }

  /** The first handler that answers a status decides a MESSAGE. */
  async onMessage(message: IncomingMessage): Promise<number | void> {
    for (const handler of this.handlers) {
      const status = await handler.onMessage?.(message);
      if (typeof status === 'number') return status;
    }
    return undefined;
  }
}
