/**
 * Time as a port: the core never reads the wall clock. `SystemClock` drives it
 * in production, `VirtualClock` in deterministic simulations.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Monotonic milliseconds since an arbitrary origin (may be fractional). */
  nowMs(): number;
  /** Calendar time, ms since 1970 (for Date headers; never for measuring intervals). */
  epochMs(): number;
  /** Calls `fire` once, `delayMs` from now (0 = as soon as possible, never synchronously). */
  schedule(delayMs: number, fire: () => void): TimerHandle;
  /** Cancels a timer that has not fired yet; cancelling twice or after firing is harmless. */
  cancel(handle: TimerHandle): void;
}
