import type { Clock, TimerHandle } from '../ports/clock.js';

/** One pending expiry: what it is for, and when. Cancelled by clearing `item`. */
export interface Expiry<T> {
  readonly dueMs: number;
  item: T | undefined;
}

/**
 * Expiries of one fixed length, in the order they were added — which is the
 * order they fall due — behind a single clock timer for the earliest. Meant
 * for the timers that only end a lingering state (a transaction absorbing
 * retransmissions for 32 s): at thousands of calls per second they number
 * hundreds of thousands, are almost never cancelled, and a clock timer with
 * its closure each would cost several times the few bytes kept here.
 */
export class ExpiryQueue<T> {
  private entries: Array<Expiry<T>> = [];
  /** Index of the first entry not yet expired (the array is compacted now and then, not shifted). */
  private head = 0;
  private timer: TimerHandle | undefined;
  private armedForMs = Number.POSITIVE_INFINITY;
  /** While expiring: entries added meanwhile wait for the re-arm at the end, which knows the earliest. */
  private running = false;

  constructor(
    private readonly clock: Clock, private readonly delayMs: number, private readonly expire: (item: T) => void,
  ) {}

  /** Entries still waiting (cancelled ones included until their time comes). */
  get size(): number {
    return this.entries.length - this.head;
  }

  add(item: T): Expiry<T> {
    const entry: Expiry<T> = { dueMs: this.clock.nowMs() + this.delayMs, item };
    this.entries.push(entry);
    if (this.timer === undefined && !this.running) this.arm(entry.dueMs);
    return entry;
  }

  cancel(entry: Expiry<T>): void {
    entry.item = undefined;
  }

  /** Drops every entry without expiring it (the owner is closing). */
  clear(): void {
    if (this.timer !== undefined) this.clock.cancel(this.timer);
    this.timer = undefined;
    this.armedForMs = Number.POSITIVE_INFINITY;
    for (let i = this.head; i < this.entries.length; i++) (this.entries[i] as Expiry<T>).item = undefined;
    this.entries = [];
    this.head = 0;
  }

  private arm(dueMs: number): void {
    this.armedForMs = dueMs;
    this.timer = this.clock.schedule(Math.max(0, dueMs - this.clock.nowMs()), () => this.run());
  }

  private run(): void {
    this.timer = undefined;
    this.running = true;
    // A real clock's timers fire on whole milliseconds: an entry due within the next one is due now.
    const now = Math.max(this.clock.nowMs(), this.armedForMs) + 1e-9;
    try {
      while (this.head < this.entries.length) {
        const entry = this.entries[this.head] as Expiry<T>;
        if (entry.dueMs > now) break;
        this.head++;
        const item = entry.item;
        entry.item = undefined;
        if (item !== undefined) this.expire(item);
      }
    } finally {
      this.running = false;
    }
    this.compact();
    const next = this.entries[this.head];
    if (next !== undefined && this.timer === undefined) this.arm(next.dueMs);
    else if (next === undefined) this.armedForMs = Number.POSITIVE_INFINITY;
  }

  /** Releases the expired prefix once it is as long as what remains (amortised O(1) per entry). */
  private compact(): void {
    if (this.head === 0 || this.head < this.entries.length - this.head) return;
    this.entries = this.entries.slice(this.head);
    this.head = 0;
  }
}
