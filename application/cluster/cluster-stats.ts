import type { RecoveryStats } from './call-recovery.js';
import type { PersistenceStats } from './dialog-persistence.js';
import type { WorkerWatchStats } from './worker-watch.js';

/** A worker's figures in a cluster: its calls in the store, calls it recovered, dead workers it took over. */
export interface ClusterStats {
  readonly store: PersistenceStats;
  readonly recovery: RecoveryStats;
  readonly watch: WorkerWatchStats;
}
