import type { SipResponse } from '../../domain/sip/message.js';

/** Outcome of a request we sent inside the dialog. */
export type RequestOutcome =
  | { readonly kind: 'Response'; readonly response: SipResponse }
  | { readonly kind: 'Timeout' }
  | { readonly kind: 'TransportError' }
  | { readonly kind: 'NotSent'; readonly detail: string };
