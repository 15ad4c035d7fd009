import type { RefusalCause } from './admission.js';
import type { SessionTableStats } from './session-table.js';

/** `coordinator.getStats()`: the table's counts of calls, what was refused, and callbacks that failed. */
export interface SessionStats extends SessionTableStats {
  /** Calls refused because a limit was reached (503 or ResourceExhausted), per limit. */
  readonly refused: Readonly<Record<RefusalCause, number>>;
  /** Application callbacks and subscribers that threw or rejected. */
  readonly callbackFailures: number;
}
