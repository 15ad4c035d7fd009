/** The errors of the public session API, one `kind` per case. */
export type SessionError =
  | { readonly kind: 'InvalidUri'; readonly message: string; readonly uri: string }
  | { readonly kind: 'SessionNotFound'; readonly message: string; readonly sessionId: string }
  | { readonly kind: 'InvalidState'; readonly message: string; readonly state: string; readonly operation: string }
  | { readonly kind: 'ResourceExhausted'; readonly message: string }
  | { readonly kind: 'Timeout'; readonly message: string }
  | { readonly kind: 'Rejected'; readonly message: string; readonly status: number; readonly reason: string }
  | { readonly kind: 'Cancelled'; readonly message: string }
  | { readonly kind: 'TransportError'; readonly message: string }
  | { readonly kind: 'MediaError'; readonly message: string }
  | { readonly kind: 'InvalidConfig'; readonly message: string; readonly field: string }
  /** An argument of an API call is unusable (an empty or non-DTMF digit string, an SDP with a delayed offer…). */
  | { readonly kind: 'InvalidArgument'; readonly message: string; readonly argument: string };

export type SessionErrorKind = SessionError['kind'];

export const invalidState = (state: string, operation: string, detail?: string): SessionError =>
  ({
    kind: 'InvalidState', state, operation,
    message: `cannot ${operation} a session in state ${state}${detail === undefined ? '' : `: ${detail}`}`,
  });

export const sessionNotFound = (sessionId: string): SessionError =>
  ({ kind: 'SessionNotFound', sessionId, message: `no session ${sessionId}` });

export const rejected = (status: number, reason: string): SessionError => ({
  kind: 'Rejected', status, reason, message: `rejected with ${status} ${reason}`,
});

export const invalidArgument = (argument: string, message: string): SessionError =>
  ({ kind: 'InvalidArgument', argument, message: `${argument}: ${message}` });
