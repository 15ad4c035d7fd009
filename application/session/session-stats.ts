/** `coordinator.getStats()`: the calls, live and ended, and what was refused. */
export interface SessionStats {
  readonly active: number;
  readonly total: number;
  readonly failed: number;
  readonly byState: Readonly<Record<string, number>>;
  readonly perUser: Readonly<Record<string, number>>;
  /** Calls refused because a limit was reached (503 or ResourceExhausted), per limit. */
  readonly refused: Readonly<Record<'stopped' | 'draining' | 'maxSessions' | 'maxSessionsPerUser', number>>;
  /** Application callbacks and subscribers that threw or rejected. */
  readonly callbackFailures: number;
}
