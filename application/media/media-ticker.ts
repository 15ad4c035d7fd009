import type { Clock, TimerHandle } from '../../ports/clock.js';

/** What the ticker drives: one 20 ms frame (send and play out). */
export interface FrameClocked {
  onFrameTick(): void;
}

const FRAME_MS = 20;

/**
 * One 20 ms clock for every started media session on a Clock: a single timer fires each frame time (by
 * absolute deadline, so lateness never accumulates) and every session sends and plays out its frame, instead
 * of one timer per session. The process then wakes 50 times a second rather than 50 times per call, and the
 * sends of a tick leave together. Exact on the VirtualClock; sessions tick in the order they started.
 */
export class MediaTicker {
  private readonly members = new Set<FrameClocked>();
  private timer: TimerHandle | undefined;
  private originMs = 0;
  private ticks = 0;

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.members.size;
  }

  add(member: FrameClocked): void {
    this.members.add(member);
    if (this.timer !== undefined) return;
    this.originMs = this.clock.nowMs();
    this.ticks = 0;
    this.arm();
  }

  remove(member: FrameClocked): void {
    this.members.delete(member);
    if (this.members.size > 0 || this.timer === undefined) return;
    this.clock.cancel(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    const deadline = this.originMs + (this.ticks + 1) * FRAME_MS;
    this.timer = this.clock.schedule(Math.max(0, deadline - this.clock.nowMs()), () => {
      this.ticks++;
      let failure: unknown;
      let failed = false;
      for (const member of this.members) {
        // One session's failure must not silence the others: it surfaces after they all had their frame.
        try {
          member.onFrameTick();
        } catch (error) {
          if (!failed) failure = error;
          failed = true;
        }
      }
      if (this.members.size > 0) this.arm();
      else this.timer = undefined;
      if (failed) throw failure;
    });
  }
}

const tickers = new WeakMap<Clock, MediaTicker>();

/** The ticker of a Clock: every media session on that clock shares it. */
export const tickerFor = (clock: Clock): MediaTicker => {
  let ticker = tickers.get(clock);
  if (ticker === undefined) tickers.set(clock, (ticker = new MediaTicker(clock)));
  return ticker;
};
