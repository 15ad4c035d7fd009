import { promiseHooks } from 'node:v8';
import type { Clock, TimerHandle } from '../../ports/clock.js';
import { MinHeap } from './min-heap.js';

interface VirtualTimer extends TimerHandle {
  readonly atMs: number;
  readonly seq: number;
  fire: (() => void) | undefined;
}

const earlier = (a: VirtualTimer, b: VirtualTimer): boolean =>
  a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);

/**
 * Simulated time: it moves only when a test says so. Timers sit in a min-heap
 * keyed by (deadline, scheduling order), so equal deadlines fire in the order
 * they were scheduled. The async `advanceBy`/`runUntilIdle` let promise
 * continuations run after each timer that created or settled a promise, in a
 * fixed order, before the next timer; the `…Sync` variants serve the
 * synchronous core.
 */
export class VirtualClock implements Clock {
  private now = 0;
  private seq = 0;
  private live = 0;
  private firedCount = 0;
  private readonly heap = new MinHeap<VirtualTimer>(earlier);

  /** `epochStartMs`: the calendar time at virtual 0 (a fixed date, so simulations replay identically). */
  constructor(startMs = 0, private readonly epochStartMs = Date.UTC(2026, 0, 1)) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  epochMs(): number {
    return this.epochStartMs + this.now;
  }

  schedule(delayMs: number, fire: () => void): TimerHandle {
    const seq = this.seq++;
    const timer: VirtualTimer = { id: seq, atMs: this.now + Math.max(0, delayMs), seq, fire };
    this.heap.push(timer);
    this.live++;
    return timer;
  }

  cancel(handle: TimerHandle): void {
    const timer = handle as VirtualTimer;
    if (timer.fire === undefined) return;
    // Lazy deletion: the entry stays in the heap and is skipped when it surfaces.
    timer.fire = undefined;
    this.live--;
  }

  /** Timers scheduled and neither fired nor cancelled. */
  pendingTimers(): number {
    return this.live;
  }

  /** Timers fired since construction. */
  firedTimers(): number {
    return this.firedCount;
  }

  /** Deadline of the next live timer, if any. */
  nextDeadlineMs(): number | undefined {
    this.dropCancelledTop();
    return this.heap.peek()?.atMs;
  }

  /** Moves time forward by `ms`, firing due timers in order; returns how many fired. */
  advanceBySync(ms: number): number {
    const target = this.now + Math.max(0, ms);
    let fired = 0;
    while (this.fireNextDue(target)) fired++;
    this.now = target;
    return fired;
  }

  /** Fires timers until none is left or `limitMs` of virtual time passed; returns how many fired. */
  runUntilIdleSync(limitMs = Number.POSITIVE_INFINITY): number {
    const target = this.now + limitMs;
    let fired = 0;
    while (this.fireNextDue(target)) fired++;
    return fired;
  }

  /** Like `advanceBySync`, letting promise continuations run after each timer. */
  async advanceBy(ms: number): Promise<number> {
    const target = this.now + Math.max(0, ms);
    const fired = await this.fireAsync(target);
    this.now = target;
    return fired;
  }

  /** Like `runUntilIdleSync`, letting promise continuations run after each timer. */
  runUntilIdle(limitMs = Number.POSITIVE_INFINITY): Promise<number> {
    return this.fireAsync(this.now + limitMs);
  }

  /**
   * Fires due timers; after one that created or settled a promise, lets the continuations run before the
   * next (a timer that touched none — an RTP packet, a media tick — left nothing to run: no pass needed).
   */
  private async fireAsync(targetMs: number): Promise<number> {
    let fired = 0;
    await letContinuationsRun();
    watchPromises();
    for (;;) {
      const before = promiseActivity;
      if (!this.fireNextDue(targetMs)) break;
      fired++;
      if (promiseActivity !== before) await letContinuationsRun();
    }
    return fired;
  }

  private fireNextDue(targetMs: number): boolean {
    this.dropCancelledTop();
    const next = this.heap.peek();
    if (next === undefined || next.atMs > targetMs) return false;
    this.heap.pop();
    const fire = next.fire as () => void;
    next.fire = undefined;
    this.live--;
    this.firedCount++;
    if (next.atMs > this.now) this.now = next.atMs;
    fire();
    return true;
  }

  private dropCancelledTop(): void {
    let top = this.heap.peek();
    while (top !== undefined && top.fire === undefined) {
      this.heap.pop();
      top = this.heap.peek();
    }
  }
}

/** Promises created or settled in this process since the first async advance (V8's promise hooks). */
let promiseActivity = 0;
let watching = false;
const touched = (): void => {
  promiseActivity++;
};
function watchPromises(): void {
  if (watching) return;
  watching = true;
  promiseHooks.createHook({ init: touched, settled: touched });
}

/**
 * Lets every promise continuation run, however deep its chain, by passing through the event loop's check
 * phase: as with real sockets, a rejection still unhandled there is reported as unhandled (a handler attached
 * only later, after more timers, would be too late on a real network too).
 */
function letContinuationsRun(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
