import * as E from 'fp-ts/lib/Either.js';
import type { SessionError } from '../../domain/session/session-error.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { SessionConfig } from './session-config.js';
import type { SessionTable } from './session-table.js';

export type RefusalCause = 'stopped' | 'draining' | 'maxSessions' | 'maxSessionsPerUser';

export interface AdmissionCounters {
  /** Calls refused (503 incoming, ResourceExhausted outgoing) per cause. */
  readonly refused: Readonly<Record<RefusalCause, number>>;
}

/** A limit that fires is logged at most this often (per cause), so a flood does not flood the log. */
const LOG_INTERVAL_MS = 10_000;

/**
 * Whether a new call may start: the coordinator is running, and neither the
 * global nor the per-user limit of live calls is reached. Every refusal is
 * counted, and logged (rate-limited) naming the limit, so a load test from
 * one user that trips the per-user cap sees why.
 */
export class Admission {
  private running = false;
  private draining = false;
  private readonly refused: Record<RefusalCause, number> = {
    stopped: 0, draining: 0, maxSessions: 0, maxSessionsPerUser: 0,
  };
  private readonly loggedAtMs: Record<RefusalCause, number> = {
    stopped: -Infinity, draining: -Infinity, maxSessions: -Infinity, maxSessionsPerUser: -Infinity,
  };

  constructor(
    private readonly table: SessionTable, private readonly config: SessionConfig, private readonly clock: Clock,
    private readonly logger: Logger | undefined,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    this.running = true;
  }

  stop(): void {
    this.running = false;
  }

  /** No new incoming calls from now on (503); the calls in progress carry on. */
  drain(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  counters(): AdmissionCounters {
    return { refused: { ...this.refused } };
  }

  /** Why a call for `user` may not start now, if it may not. */
  check(user: string): Exclude<RefusalCause, 'draining'> | undefined {
    if (!this.running) return 'stopped';
    if (this.table.liveCount >= this.config.maxSessions) return 'maxSessions';
    if (this.table.userCount(user) >= this.config.maxSessionsPerUser) return 'maxSessionsPerUser';
    return undefined;
  }

  admitOutgoing(user: string): E.Either<SessionError, void> {
    const cause = this.check(user);
    if (cause === undefined) return E.right(undefined);
    this.count(cause, user);
    if (cause === 'stopped') {
      return E.left({
        kind: 'InvalidState', state: 'Stopped', operation: 'createOutgoingCall',
        message: 'the coordinator is not started',
      });
    }
    return E.left({ kind: 'ResourceExhausted', message: this.describe(cause, user) });
  }

  /** For an incoming call: true when admitted; a refusal is counted and logged (the caller answers 503). */
  admitIncoming(user: string): boolean {
    const cause = this.draining && this.running ? 'draining' : this.check(user);
    if (cause === undefined) return true;
    this.count(cause, user);
    return false;
  }

  private describe(cause: Exclude<RefusalCause, 'stopped' | 'draining'>, user: string): string {
    return cause === 'maxSessions'
      ? `maxSessions (${this.config.maxSessions}) reached`
      : `per-user limit reached for ${user} (maxSessionsPerUser ${this.config.maxSessionsPerUser})`;
  }

  private count(cause: RefusalCause, user: string): void {
    this.refused[cause]++;
    const now = this.clock.nowMs();
    if (cause === 'stopped' || cause === 'draining' || now - this.loggedAtMs[cause] < LOG_INTERVAL_MS) return;
    this.loggedAtMs[cause] = now;
    this.logger?.warn(
      'call refused: limit reached',
      { limit: cause, detail: this.describe(cause, user), refusedSoFar: this.refused[cause] },
    );
  }
}
