import type { TimerName } from '../domain/transaction/timer-config.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import { ExpiryQueue, type Expiry } from './expiry-queue.js';

/** Timers that retransmit a request (A, E) or a final response (G). */
const RETRANSMISSION_TIMERS: ReadonlySet<TimerName> = new Set<TimerName>(['A', 'E', 'G']);

/**
 * Timers that only end a transaction lingering to absorb retransmissions (D, I, J, K, L, M): one per
 * transaction past its final response, of a few fixed lengths, and cancelled only when the layer closes.
 * They wait in expiry queues (one clock timer per length) rather than as a clock timer each.
 */
const LINGER_TIMERS: ReadonlySet<TimerName> = new Set<TimerName>(['D', 'I', 'J', 'K', 'L', 'M']);

/** A running timer: a clock timer, or a place in an expiry queue. */
type RunningTimer = TimerHandle | Expiry<TimedTransaction>;

/** What the timers need of a transaction: its slots (few at a time, so a small object beats a Map). */
export interface TimedTransaction {
  readonly timers: { [name in TimerName]?: RunningTimer | undefined };
  /** Which lingering timer waits in an expiry queue, if one does. */
  lingering: TimerName | undefined;
}

/** The §17 timers of every transaction of a layer, on the clock port. */
export class TransactionTimers<T extends TimedTransaction> {
  /** Lingering timers by length. */
  private readonly expiries = new Map<number, ExpiryQueue<TimedTransaction>>();

  constructor(private readonly clock: Clock, private readonly lingerExpired: (tx: T, timer: TimerName) => void) {}

  start(tx: T, timer: TimerName, delayMs: number, fire: () => void): void {
    this.cancel(tx, timer);
    if (LINGER_TIMERS.has(timer) && delayMs > 0 && tx.lingering === undefined) {
      tx.lingering = timer;
      tx.timers[timer] = this.expiryQueue(delayMs).add(tx);
      return;
    }
    tx.timers[timer] = this.clock.schedule(delayMs, () => {
      if (RETRANSMISSION_TIMERS.has(timer)) {
        // A process that was busy runs its due timers before reading its sockets: the response
        // that makes this retransmission moot may be waiting there. One more zero-delay hop lets
        // it be read first, so an overloaded stack does not add retransmissions to its load.
        tx.timers[timer] = this.clock.schedule(0, () => {
          tx.timers[timer] = undefined;
          fire();
        });
        return;
      }
      tx.timers[timer] = undefined;
      fire();
    });
  }

  cancel(tx: T, timer: TimerName): void {
    const running = tx.timers[timer];
    if (running === undefined) return;
    this.stop(tx, timer, running);
    tx.timers[timer] = undefined;
  }

  /** Stops every timer of a transaction that is done. */
  cancelAll(tx: T): void {
    for (const name in tx.timers) this.cancel(tx, name as TimerName);
  }

  /** Transactions waiting out a lingering timer. */
  lingering(): number {
    let count = 0;
    for (const queue of this.expiries.values()) count += queue.size;
    return count;
  }

  /** Drops every lingering timer (the layer is closing; its live timers are cancelled one by one). */
  close(): void {
    for (const queue of this.expiries.values()) queue.clear();
  }

  private stop(tx: T, timer: TimerName, running: RunningTimer): void {
    if (tx.lingering === timer) {
      (running as Expiry<TimedTransaction>).item = undefined;
      tx.lingering = undefined;
    } else {
      this.clock.cancel(running as TimerHandle);
    }
  }

  private expiryQueue(delayMs: number): ExpiryQueue<TimedTransaction> {
    let queue = this.expiries.get(delayMs);
    if (queue === undefined) {
      queue = new ExpiryQueue<TimedTransaction>(this.clock, delayMs, (tx) => this.expired(tx as T));
      this.expiries.set(delayMs, queue);
    }
    return queue;
  }

  private expired(tx: T): void {
    const timer = tx.lingering;
    if (timer === undefined) return;
    tx.lingering = undefined;
    tx.timers[timer] = undefined;
    this.lingerExpired(tx, timer);
  }
}
