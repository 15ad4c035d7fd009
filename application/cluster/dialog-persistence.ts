import { snapshotKey, type CallSnapshot } from '../../domain/cluster/call-snapshot.js';
import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { DialogStore } from '../../ports/dialog-store.js';
import type { Logger } from '../../ports/logger.js';
import type { SessionRecord } from '../session/session-record.js';

export interface PersistenceOptions {
  /** Every stored call expires this long after its last write (its longest possible life). */
  readonly ttlMs: number;
  /** Changes gathered this long before one write carries them all. */
  readonly flushMs: number;
  /** After a failed write, the next try waits this long. */
  readonly retryMs: number;
}

export interface PersistenceStats {
  /** Calls the store holds for us (as far as we know). */
  readonly stored: number;
  readonly saves: number;
  readonly removals: number;
  readonly writeErrors: number;
  /** Calls and removals waiting for the next write. */
  readonly pending: number;
  /** The last write failed: recovery of our calls elsewhere is not possible until one succeeds. */
  readonly degraded: boolean;
}

/** Removals kept for a store that is down; beyond this the oldest are left to their time to live. */
const MAX_QUEUED_REMOVALS = 100_000;

/**
 * Keeps a store's copy of this process's confirmed calls current, off the calls' own path: a change marks
 * the call, and one write a few milliseconds later carries every marked call (as it is then) and every
 * ended one. One write is in flight at a time; what changes meanwhile waits for the next. A failed write
 * is counted and logged once, its calls marked again and retried, so the store is rewritten when it comes
 * back; memory stays bounded by the live calls (and the capped removals). Every stored call is rewritten
 * each half time to live, so a long quiet call never expires from the store.
 */
export class DialogPersistence {
  private readonly dirty = new Map<string, SessionRecord>();
  /** Record id → the key its call is stored under. */
  private readonly storedKeys = new Map<string, string>();
  private removals: string[] = [];
  private flushTimer: TimerHandle | undefined;
  private refreshTimer: TimerHandle | undefined;
  private writing = false;
  private failedLast = false;
  private closed = false;
  private counts = { saves: 0, removals: 0, writeErrors: 0 };

  constructor(
    private readonly store: DialogStore,
    private readonly clock: Clock,
    private readonly snapshotOf: (record: SessionRecord) => CallSnapshot | undefined,
    private readonly options: PersistenceOptions,
    private readonly logger: Logger | undefined,
    private readonly liveRecords: () => ReadonlyArray<SessionRecord>,
  ) {}

  /** The call (answered, changed, adopted) is to be written as it stands. */
  changed(record: SessionRecord): void {
    if (this.closed) return;
    this.dirty.set(record.id, record);
    this.schedule(this.options.flushMs);
  }

  /** A call adopted from the store is already there under `key`: its end removes it even if we never wrote it. */
  adopted(record: SessionRecord, key: string): void {
    this.storedKeys.set(record.id, key);
    this.armRefresh();
  }

  /** The call ended: its stored copy goes. */
  ended(record: SessionRecord): void {
    this.dirty.delete(record.id);
    const key = this.storedKeys.get(record.id);
    if (key === undefined) return;
    this.storedKeys.delete(record.id);
    this.removals.push(key);
    if (this.removals.length > MAX_QUEUED_REMOVALS) this.removals.shift();
    this.schedule(this.options.flushMs);
  }

  /** Every answered call is written again (the store came back, perhaps empty). */
  rewriteAll(): void {
    for (const record of this.liveRecords()) if (record.dialog !== undefined) this.changed(record);
  }

  stats(): PersistenceStats {
    return {
      stored: this.storedKeys.size, ...this.counts, pending: this.dirty.size + this.removals.length,
      degraded: this.failedLast,
    };
  }

  /** Writes what is pending now and stops (the process is stopping; its calls stay stored for others). */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.flushTimer !== undefined) this.clock.cancel(this.flushTimer);
    if (this.refreshTimer !== undefined) this.clock.cancel(this.refreshTimer);
    this.flushTimer = undefined;
    this.refreshTimer = undefined;
    if (!this.writing && (this.dirty.size > 0 || this.removals.length > 0)) await this.flush();
    this.closed = true;
  }

  private schedule(delayMs: number): void {
    if (this.flushTimer !== undefined || this.writing || this.closed) return;
    this.flushTimer = this.clock.schedule(delayMs, () => {
      this.flushTimer = undefined;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.writing = true;
    const records = [...this.dirty.values()];
    this.dirty.clear();
    const save: CallSnapshot[] = [];
    const saved: Array<readonly [string, string]> = [];
    for (const record of records) {
      const snapshot = this.snapshotOf(record);
      if (snapshot === undefined) continue;
      save.push(snapshot);
      saved.push([record.id, snapshotKey(snapshot)]);
    }
    const remove = this.removals;
    this.removals = [];
    let failed = false;
    try {
      if (save.length > 0 || remove.length > 0) await this.store.write({ save, remove }, this.options.ttlMs);
      this.counts.saves += save.length;
      this.counts.removals += remove.length;
      // A call that ended while its write was on the way is removed by the next write.
      const ended = new Set(records.filter((r) => r.dialog === undefined).map((r) => r.id));
      for (const [id, key] of saved) {
        if (ended.has(id)) this.removals.push(key);
        else this.storedKeys.set(id, key);
      }
      if (this.storedKeys.size > 0) this.armRefresh();
      if (this.failedLast) {
        this.logger?.info('dialog store writable again: every call rewritten', { calls: this.liveRecords().length });
        this.failedLast = false;
        // The store may have come back empty (a restarted Redis): what it held before is written again.
        this.rewriteAll();
      }
    } catch (error) {
      failed = true;
      this.counts.writeErrors++;
      if (!this.failedLast) {
        this.logger?.warn('dialog store write failed: calls carry on here, recovery elsewhere unavailable', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      this.failedLast = true;
      for (const record of records) {
        if (record.dialog !== undefined && !this.dirty.has(record.id)) this.dirty.set(record.id, record);
      }
      this.removals = [...remove, ...this.removals].slice(-MAX_QUEUED_REMOVALS);
    } finally {
      this.writing = false;
    }
    if (this.dirty.size > 0 || this.removals.length > 0) {
      this.schedule(failed ? this.options.retryMs : this.options.flushMs);
    }
  }

  /** Runs only while calls are stored: an idle process (or simulation) has no timer of ours. */
  private armRefresh(): void {
    if (this.refreshTimer !== undefined || this.closed) return;
    this.refreshTimer = this.clock.schedule(this.options.ttlMs / 2, () => {
      this.refreshTimer = undefined;
      for (const record of this.liveRecords()) if (this.storedKeys.has(record.id)) this.changed(record);
      if (this.storedKeys.size > 0) this.armRefresh();
    });
  }
}
