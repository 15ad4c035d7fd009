import type { CallSnapshot } from '../domain/cluster/call-snapshot.js';

export type { CallSnapshot };

/** One round of writes: snapshots to put (each replacing its key's) and keys to forget. */
export interface DialogStoreBatch {
  readonly save: ReadonlyArray<CallSnapshot>;
  readonly remove: ReadonlyArray<string>;
}

/**
 * Confirmed calls shared between processes (the keys are dialog keys, `domain/dialog/dialog.ts`): the
 * owner writes each call at confirmation and after every change and removes it at the end; another process
 * loads a call it is asked about after the owner died. Every write carries a time to live (the call's
 * longest possible life), so a crashed writer leaves nothing behind. A failure rejects; callers count it.
 */
export interface DialogStore {
  write(batch: DialogStoreBatch, ttlMs: number): Promise<void>;
  /** The call under `key`; undefined when there is none, or what is stored there is not a call. */
  load(key: string): Promise<CallSnapshot | undefined>;
  /** Marks `owner` alive for `ttlMs`, and known: workers() lists it until forgotten. */
  heartbeat(owner: string, ttlMs: number): Promise<void>;
  /** Every known worker, and whether its heartbeat is current. */
  workers(): Promise<ReadonlyArray<{ readonly id: string; readonly alive: boolean }>>;
  /** Takes charge of a dead owner's calls for `ttlMs`: false when another worker already has. */
  claim(owner: string, by: string, ttlMs: number): Promise<boolean>;
  /** A dead owner whose calls were taken over is no longer listed. */
  forget(owner: string): Promise<void>;
  /** Every call stored as `owner`'s. */
  callsOf(owner: string): Promise<ReadonlyArray<CallSnapshot>>;
  close(): Promise<void>;
}
