import type { SipMessage } from '../sip/message.js';
import type { TimerName } from './timer-config.js';

export type TerminationReason = 'Done' | 'Timeout' | 'TransportError';

/**
 * What a transaction asks the world to do, as data (str0m's Transmit/Timeout/
 * Event). The transaction layer interprets these against the ports.
 */
export type TransactionEffect =
  | { readonly tag: 'Send'; readonly message: SipMessage }
  | { readonly tag: 'StartTimer'; readonly timer: TimerName; readonly delayMs: number }
  | { readonly tag: 'CancelTimer'; readonly timer: TimerName }
  /** A response for a client transaction, a request (ACK in Accepted) for a server one. */
  | { readonly tag: 'PassUp'; readonly message: SipMessage }
  | { readonly tag: 'Timeout'; readonly timer: TimerName }
  | { readonly tag: 'TransportError' }
  | { readonly tag: 'Terminated'; readonly reason: TerminationReason }
  /** The RFC says ignore: recorded so it can be counted, never an error. */
  | { readonly tag: 'Discarded'; readonly reason: string };

export const send = (message: SipMessage): TransactionEffect => ({ tag: 'Send', message });
export const startTimer = (timer: TimerName, delayMs: number): TransactionEffect => ({
  tag: 'StartTimer', timer, delayMs,
});
export const cancelTimer = (timer: TimerName): TransactionEffect => ({ tag: 'CancelTimer', timer });
export const passUp = (message: SipMessage): TransactionEffect => ({ tag: 'PassUp', message });
export const terminated = (reason: TerminationReason): TransactionEffect => ({ tag: 'Terminated', reason });
export const discarded = (reason: string): TransactionEffect => ({ tag: 'Discarded', reason });
