/** What a CallHandler decides for an incoming call. */
export type CallDecision =
  | { readonly kind: 'Accept'; readonly sdp?: string }
  | { readonly kind: 'Reject'; readonly status: number; readonly reason?: string }
  | { readonly kind: 'Defer' }
  | { readonly kind: 'Forward'; readonly target: string };

export const CallDecision = {
  accept: (sdp?: string): CallDecision => (sdp === undefined ? { kind: 'Accept' } : { kind: 'Accept', sdp }),
  reject: (status = 486, reason?: string): CallDecision => (
    reason === undefined ? { kind: 'Reject', status } : { kind: 'Reject', status, reason }
  ),
  defer: (): CallDecision => ({ kind: 'Defer' }),
  forward: (target: string): CallDecision => ({ kind: 'Forward', target }),
} as const;
