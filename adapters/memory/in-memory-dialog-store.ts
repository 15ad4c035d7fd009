import type { Clock } from '../../ports/clock.js';
import type { CallSnapshot, DialogStore, DialogStoreBatch } from '../../ports/dialog-store.js';
import { snapshotKey } from '../../domain/cluster/call-snapshot.js';
import { decodeSnapshot, encodeSnapshot } from '../shared/call-snapshot-codec.js';

/**
 * Calls in a Map, as text with an expiry on `clock` — what Redis does, for one process or for the processes of
 * a simulation sharing it. `available = false` makes every operation fail, as an unreachable store would.
 */
export class InMemoryDialogStore implements DialogStore {
  private readonly entries = new Map<string, { readonly text: string; readonly expiresAtMs: number }>();
  private readonly beats = new Map<string, number>();
  private readonly claims = new Map<string, { readonly by: string; readonly untilMs: number }>();
  available = true;
  writes = 0;

  constructor(private readonly clock: Clock) {}

  /** Calls held and not expired. */
  size(): number {
    this.dropExpired();
    return this.entries.size;
  }

  write(batch: DialogStoreBatch, ttlMs: number): Promise<void> {
    if (!this.available) return Promise.reject(new Error('the dialog store is unavailable'));
    const expiresAtMs = this.clock.nowMs() + ttlMs;
    for (const snapshot of batch.save) {
      this.entries.set(snapshotKey(snapshot), { text: encodeSnapshot(snapshot), expiresAtMs });
    }
    for (const key of batch.remove) this.entries.delete(key);
    this.writes++;
    return Promise.resolve();
  }

  load(key: string): Promise<CallSnapshot | undefined> {
    if (!this.available) return Promise.reject(new Error('the dialog store is unavailable'));
    const entry = this.entries.get(key);
    if (entry === undefined || entry.expiresAtMs <= this.clock.nowMs()) return Promise.resolve(undefined);
    return Promise.resolve(decodeSnapshot(entry.text));
  }

  heartbeat(owner: string, ttlMs: number): Promise<void> {
    if (!this.available) return Promise.reject(new Error('the dialog store is unavailable'));
    this.beats.set(owner, this.clock.nowMs() + ttlMs);
    return Promise.resolve();
  }

  workers(): Promise<ReadonlyArray<{ readonly id: string; readonly alive: boolean }>> {
    if (!this.available) return Promise.reject(new Error('the dialog store is unavailable'));
    const now = this.clock.nowMs();
    return Promise.resolve([...this.beats].map(([id, until]) => ({ id, alive: until > now })));
  }

  claim(owner: string, by: string, ttlMs: number): Promise<boolean> {
    if (!this.available) return Promise.reject(new Error('the dialog store is unavailable'));
    const now = this.clock.nowMs();
    const held = this.claims.get(owner);
    if (held !== undefined && held.untilMs > now && held.by !== by) return Promise.resolve(false);
    this.claims.set(owner, { by, untilMs: now + ttlMs });
    return Promise.resolve(true);
  }

  forget(owner: string): Promise<void> {
    this.beats.delete(owner);
    this.claims.delete(owner);
    return Promise.resolve();
  }

  callsOf(owner: string): Promise<ReadonlyArray<CallSnapshot>> {
    if (!this.available) return Promise.reject(new Error('the dialog store is unavailable'));
    this.dropExpired();
    const calls = [...this.entries.values()].map((e) => decodeSnapshot(e.text))
      .filter((s): s is CallSnapshot => s !== undefined && s.owner === owner);
    return Promise.resolve(calls);
  }

  /** Puts raw text under a key (tests: a damaged or foreign record). */
  putRaw(key: string, text: string, ttlMs: number): void {
    this.entries.set(key, { text, expiresAtMs: this.clock.nowMs() + ttlMs });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private dropExpired(): void {
    const now = this.clock.nowMs();
    for (const [key, entry] of this.entries) if (entry.expiresAtMs <= now) this.entries.delete(key);
  }
}
