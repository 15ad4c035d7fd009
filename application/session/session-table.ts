import * as E from 'fp-ts/lib/Either.js';
import { sessionNotFound, type SessionError } from '../../domain/session/session-error.js';
import type { Clock } from '../../ports/clock.js';
import type { IdGenerator } from '../id-generator.js';
import { newRecord, type SessionRecord } from './session-record.js';

export interface SessionTableStats {
  readonly active: number;
  readonly total: number;
  readonly failed: number;
  readonly byState: Readonly<Record<string, number>>;
  readonly perUser: Readonly<Record<string, number>>;
}

/**
 * The one table of calls every session service shares: live calls, and ended
 * ones kept for `retentionMs` so their outcome can still be read (then
 * SessionNotFound). Live calls are counted per user as they come and go, so
 * the per-user limit costs O(1) per call, not a scan.
 */
export class SessionTable {
  private readonly live = new Map<string, SessionRecord>();
  private readonly ended = new Map<string, SessionRecord>();
  private readonly liveByUser = new Map<string, number>();
  private total = 0;
  private failed = 0;

  constructor(private readonly clock: Clock, private readonly ids: IdGenerator, private readonly retentionMs: number) {}

  /** A new call; `id` keeps the id a call had in another process (adopted), when no call here has it. */
  create(direction: 'incoming' | 'outgoing', from: string, to: string, id?: string): SessionRecord {
    const taken = id === undefined || this.live.has(id) || this.ended.has(id);
    const record = newRecord(taken ? `sess-${this.ids.token(12)}` : id, direction, from, to, this.clock.nowMs());
    this.live.set(record.id, record);
    this.countUsers(record, 1);
    this.total++;
    return record;
  }

  /** A live call, or SessionNotFound. */
  require(sessionId: string): E.Either<SessionError, SessionRecord> {
    const record = this.live.get(sessionId);
    return record === undefined ? E.left(sessionNotFound(sessionId)) : E.right(record);
  }

  /** A live call, or an ended one still retained, or SessionNotFound. */
  requireAny(sessionId: string): E.Either<SessionError, SessionRecord> {
    const record = this.find(sessionId);
    return record === undefined ? E.left(sessionNotFound(sessionId)) : E.right(record);
  }

  find(sessionId: string): SessionRecord | undefined {
    return this.live.get(sessionId) ?? this.ended.get(sessionId);
  }

  isLive(sessionId: string): boolean {
    return this.live.has(sessionId);
  }

  liveRecord(sessionId: string): SessionRecord | undefined {
    return this.live.get(sessionId);
  }

  liveRecords(): SessionRecord[] {
    return [...this.live.values()];
  }

  liveIds(): string[] {
    return [...this.live.keys()];
  }

  get liveCount(): number {
    return this.live.size;
  }

  get retainedCount(): number {
    return this.ended.size;
  }

  userCount(user: string): number {
    return this.liveByUser.get(user) ?? 0;
  }

  /**
   * The call has ended: it leaves the live set and is kept for `retentionMs` (not at all when 0 or `keep` is false).
   */
  retire(record: SessionRecord, failed: boolean, keep: boolean): void {
    if (!this.live.delete(record.id)) return;
    this.countUsers(record, -1);
    if (failed) this.failed++;
    if (this.retentionMs <= 0 || !keep) return;
    this.ended.set(record.id, record);
    record.timers.push(this.clock.schedule(this.retentionMs, () => this.ended.delete(record.id)));
  }

  /** Forgets every ended call now (at stop), with its retention timer. */
  forgetEnded(): void {
    for (const record of this.ended.values()) this.cancelTimers(record);
    this.ended.clear();
  }

  cancelTimers(record: SessionRecord): void {
    for (const handle of record.timers) this.clock.cancel(handle);
    if (record.timers.length > 0) record.timers = [];
  }

  stats(): SessionTableStats {
    const byState: Record<string, number> = {};
    const perUser: Record<string, number> = {};
    for (const r of this.live.values()) {
      byState[r.call.tag] = (byState[r.call.tag] ?? 0) + 1;
      for (const u of r.users) perUser[u] = (perUser[u] ?? 0) + 1;
    }
    return { active: this.live.size, total: this.total, failed: this.failed, byState, perUser };
  }

  /** A session counts once for each distinct user it involves (a call from alice to alice counts once). */
  private countUsers(record: SessionRecord, delta: 1 | -1): void {
    record.users.forEach((user, i) => {
      if (record.users.indexOf(user) !== i) return;
      const n = (this.liveByUser.get(user) ?? 0) + delta;
      if (n === 0) this.liveByUser.delete(user);
      else this.liveByUser.set(user, n);
    });
  }
}
