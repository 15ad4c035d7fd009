import type { CallState } from './call-state.js';

/** Where a registration stands: being sent, kept, failing (and retried), being removed, removed. */
export type RegistrationStateName = 'Registering' | 'Registered' | 'Failed' | 'Unregistering' | 'Unregistered';

/** The typed events of the session bus. */
export type SessionEvent =
  | {
    readonly type: 'SessionCreated'; readonly sessionId: string; readonly direction: 'incoming' | 'outgoing';
    readonly from: string; readonly to: string;
  }
  | { readonly type: 'StateChanged'; readonly sessionId: string; readonly from: CallState; readonly to: CallState }
  | { readonly type: 'IncomingCall'; readonly sessionId: string; readonly from: string; readonly to: string }
  | { readonly type: 'CallEstablished'; readonly sessionId: string }
  /** A call another process carried, loaded from the dialog store and continued here (its owner died). */
  | {
    readonly type: 'CallRecovered'; readonly sessionId: string; readonly callId: string; readonly owner: string;
    /** The other leg of a B2BUA call, recovered with it (linkSessions). */
    readonly partner?: string;
  }
  | { readonly type: 'CallEnded'; readonly sessionId: string; readonly reason: string; readonly durationMs: number }
  | { readonly type: 'DtmfReceived'; readonly sessionId: string; readonly digit: string }
  | {
    readonly type: 'MediaQuality'; readonly sessionId: string; readonly mos: number | undefined;
    readonly lossPercent: number; readonly jitterMs: number; readonly rttMs: number | undefined;
  }
  | { readonly type: 'HoldChanged'; readonly sessionId: string; readonly onHold: boolean }
  /**
   * Audio flows before the answer (RFC 3960 gateway model): as caller, a 1xx
   * (usually 183) carried the answer to our offer and we now play what the
   * callee's side sends; as callee, we sent our answer in a 183.
   */
  | { readonly type: 'EarlyMedia'; readonly sessionId: string; readonly status: number }
  /** REFER progress (RFC 3515): the transferee's NOTIFY status for our transfer, or ours for theirs. */
  | {
    readonly type: 'TransferProgress'; readonly sessionId: string; readonly status: number;
    readonly role: 'transferor' | 'transferee'; readonly target: string;
  }
  /** A registration (RFC 3261 §10.2) changed state; `status` is the registrar's refusal, `expiresSec` its grant. */
  | {
    readonly type: 'RegistrationChanged'; readonly registrationId: string; readonly aor: string;
    readonly state: RegistrationStateName; readonly expiresSec?: number; readonly status?: number;
  }
  | { readonly type: 'Error'; readonly sessionId?: string; readonly message: string }
  /** Our registrar (RFC 3261 §10.3): a contact bound to an address of record, kept, removed or expired. */
  | { readonly type: 'RegistrationAdded'; readonly aor: string; readonly contact: string; readonly expiresSec: number }
  | {
    readonly type: 'RegistrationRefreshed'; readonly aor: string; readonly contact: string; readonly expiresSec: number;
  }
  | { readonly type: 'RegistrationRemoved'; readonly aor: string; readonly contact: string }
  | { readonly type: 'RegistrationExpired'; readonly aor: string; readonly contact: string }
  /** A MESSAGE (RFC 3428) we received, in a dialog (`sessionId`) or outside one. */
  /** A NOTIFY for one of our subscriptions (RFC 6665): its state and body as the notifier sent them. */
  | {
    readonly type: 'SubscriptionNotified'; readonly subscriptionId: string; readonly event: string;
    readonly state: 'active' | 'pending' | 'terminated'; readonly contentType?: string; readonly body: string;
  }
  /** A subscription to a package we serve was accepted, active or pending (`decideSubscription`). */
  | {
    readonly type: 'SubscriptionRequested'; readonly subscriptionId: string; readonly event: string;
    readonly resource: string; readonly state: 'active' | 'pending';
  }
  /** One of our subscriptions ended: we ended it, the notifier did (its reason), or a refresh failed. */
  | {
    readonly type: 'SubscriptionTerminated'; readonly subscriptionId: string; readonly event: string;
    readonly reason: string;
  }
  | {
    readonly type: 'MessageReceived'; readonly sessionId?: string; readonly from: string; readonly to: string;
    readonly contentType: string; readonly body: string;
  };

export type SessionEventType = SessionEvent['type'];
