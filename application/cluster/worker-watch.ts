import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { DialogStore } from '../../ports/dialog-store.js';
import type { Logger } from '../../ports/logger.js';
import type { CallRecovery } from './call-recovery.js';

export interface WorkerWatchOptions {
  readonly workerId: string;
  /** How often this worker beats and looks for dead ones; a worker silent for three beats is dead. */
  readonly heartbeatMs: number;
}

export interface WorkerWatchStats {
  /** Dead workers whose calls this one took over. */
  readonly takeovers: number;
  /** Calls adopted that way (a request had not brought them yet). */
  readonly adopted: number;
  readonly storeErrors: number;
}

/** A claim on a dead worker's calls lasts this long: enough to adopt them all, short enough to retry. */
const CLAIM_MS = 30_000;

/**
 * Keeps this worker's heartbeat in the store and watches the others': a worker whose heartbeat lapsed is dead,
 * and the first live worker to claim it adopts every call it carried — each moved here by a re-INVITE, so the
 * audio of a call nobody touches comes back within a couple of heartbeats. Store failures are counted and
 * logged once; the next beat tries again.
 */
export class WorkerWatch {
  private timer: TimerHandle | undefined;
  private running = false;
  private busy = false;
  private failing = false;
  private counts = { takeovers: 0, adopted: 0, storeErrors: 0 };

  constructor(
    private readonly store: DialogStore,
    private readonly recovery: CallRecovery,
    private readonly clock: Clock,
    private readonly options: WorkerWatchOptions,
    private readonly logger: Logger | undefined,
    /** The store answers again after failing: what it held may be gone (a restarted Redis). */
    private readonly onStoreBack: () => void = () => undefined,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    // The first beat one interval in: a store client connecting at start has had time to.
    this.arm(this.options.heartbeatMs);
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.clock.cancel(this.timer);
    this.timer = undefined;
  }

  stats(): WorkerWatchStats {
    return { ...this.counts };
  }

  private arm(delayMs: number): void {
    if (!this.running) return;
    this.timer = this.clock.schedule(delayMs, () => {
      this.timer = undefined;
      void this.beat().finally(() => this.arm(this.options.heartbeatMs));
    });
  }

  private async beat(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const self = this.options.workerId;
    try {
      await this.store.heartbeat(self, 3 * this.options.heartbeatMs);
      for (const worker of await this.store.workers()) {
        if (worker.alive || worker.id === self || !this.running) continue;
        if (await this.store.claim(worker.id, self, CLAIM_MS)) await this.takeOver(worker.id);
      }
      if (this.failing) {
        this.logger?.info('dialog store reachable again: watching the other workers');
        this.failing = false;
        this.onStoreBack();
      }
    } catch (error) {
      this.counts.storeErrors++;
      if (!this.failing) this.logger?.warn('dialog store unreachable: no heartbeat, no takeover', {
        error: error instanceof Error ? error.message : String(error),
      });
      this.failing = true;
    } finally {
      this.busy = false;
    }
  }

  private async takeOver(dead: string): Promise<void> {
    const startedMs = this.clock.nowMs();
    const calls = await this.store.callsOf(dead);
    let adopted = 0;
    for (const call of calls) if (this.running && await this.recovery.adoptStored(call)) adopted++;
    this.counts.takeovers++;
    this.counts.adopted += adopted;
    this.logger?.warn('took over a dead worker\'s calls', {
      dead, calls: calls.length, adopted, ms: Math.round(this.clock.nowMs() - startedMs),
    });
    await this.store.forget(dead);
  }
}
