/**
 * RFC 3261 §17 timer values (Table 4) and RFC 6026's L and M. Everything derives
 * from T1 (RTT estimate), T2 (maximum non-INVITE retransmit interval) and T4
 * (maximum time a message stays in the network). On a reliable transport the
 * retransmission timers never run and the absorb timers (D, I, J, K) are zero.
 */
export interface TimerConfig {
  readonly t1Ms: number;
  readonly t2Ms: number;
  readonly t4Ms: number;
}

export const DEFAULT_TIMERS: TimerConfig = { t1Ms: 500, t2Ms: 4_000, t4Ms: 5_000 };

export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M' | 'Trying';

/** The transaction timeout: B, F, H, J (unreliable), L and M are all 64·T1. */
export const timeout64 = (c: TimerConfig): number => 64 * c.t1Ms;

/** Timer D: at least 32 s for unreliable transports, 0 for reliable (§17.1.1.2). */
export const timerD = (c: TimerConfig, reliable: boolean): number => (reliable ? 0 : Math.max(32_000, timeout64(c)));

/** Timers I and K: T4 for unreliable, 0 for reliable. */
export const timerT4 = (c: TimerConfig, reliable: boolean): number => (reliable ? 0 : c.t4Ms);

/** Timer J: 64·T1 for unreliable, 0 for reliable. */
export const timerJ = (c: TimerConfig, reliable: boolean): number => (reliable ? 0 : timeout64(c));

/** §17.2.1 + RFC 3261 §8.2.6.1: send 100 Trying if the TU has not answered within 200 ms. */
export const TRYING_DELAY_MS = 200;
