import type { Binding, LocationStore } from '../../ports/location-store.js';

/** Bindings in a Map, for one process; the registrar's sweep removes the expired ones. */
export class InMemoryLocationStore implements LocationStore {
  private readonly byAor = new Map<string, ReadonlyArray<Binding>>();
  private count = 0;

  /** Bindings held (expired ones included until the next sweep). */
  size(): number {
    return this.count;
  }

  bindings(aor: string): Promise<ReadonlyArray<Binding>> {
    return Promise.resolve(this.byAor.get(aor) ?? []);
  }

  replace(aor: string, bindings: ReadonlyArray<Binding>): Promise<void> {
    this.count += bindings.length - (this.byAor.get(aor)?.length ?? 0);
    if (bindings.length === 0) this.byAor.delete(aor);
    else this.byAor.set(aor, bindings);
    return Promise.resolve();
  }

  sweep(nowMs: number): Promise<ReadonlyArray<Binding>> {
    const expired: Binding[] = [];
    for (const [aor, bindings] of this.byAor) {
      if (bindings.every((b) => b.expiresAtMs > nowMs)) continue;
      const live = bindings.filter((b) => b.expiresAtMs > nowMs);
      for (const b of bindings) if (b.expiresAtMs <= nowMs) expired.push(b);
      this.count -= bindings.length - live.length;
      if (live.length === 0) this.byAor.delete(aor);
      else this.byAor.set(aor, live);
    }
    return Promise.resolve(expired);
  }

  all(): Promise<ReadonlyArray<Binding>> {
    return Promise.resolve([...this.byAor.values()].flat());
  }
}
