import type { SipRequest, SipResponse } from '../sip/message.js';
import type { TimerConfig } from './timer-config.js';

/** Inputs of a server transaction: network retransmissions/ACKs, the TU's responses, timers. */
export type ServerEvent =
  | { readonly tag: 'RequestReceived'; readonly request: SipRequest }
  | { readonly tag: 'TuResponse'; readonly response: SipResponse }
  | { readonly tag: 'TimerFired'; readonly timer: 'G' | 'H' | 'I' | 'J' | 'L' | 'Trying' }
  | { readonly tag: 'TransportFailed' };

export interface ServerConfig {
  readonly timers: TimerConfig;
  readonly reliable: boolean;
}
