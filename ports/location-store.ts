import type { Binding } from '../domain/registrar/registrar.js';

export type { Binding } from '../domain/registrar/registrar.js';

/**
 * The location service (RFC 3261 §10): bindings per address of record. An
 * in-memory adapter serves one process; a shared store (Redis) serves many
 * behind the same interface, hence the promises.
 */
export interface LocationStore {
  /** The bindings of `aor` (expired ones may still be among them until the next sweep). */
  bindings(aor: string): Promise<ReadonlyArray<Binding>>;
  /** Replaces the bindings of `aor`; none forgets it. */
  replace(aor: string, bindings: ReadonlyArray<Binding>): Promise<void>;
  /** Removes every binding expired at `nowMs` and returns them (for their events). */
  sweep(nowMs: number): Promise<ReadonlyArray<Binding>>;
  /** Every binding, for listings. */
  all(): Promise<ReadonlyArray<Binding>>;
}
