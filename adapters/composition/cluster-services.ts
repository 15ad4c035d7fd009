import type { Container, ResolutionContext } from 'inversify';
import { CallRecovery } from '../../application/cluster/call-recovery.js';
import { snapshotOfRecord } from '../../application/cluster/call-snapshots.js';
import { DialogPersistence } from '../../application/cluster/dialog-persistence.js';
import { WorkerWatch } from '../../application/cluster/worker-watch.js';
import type { BridgeService } from '../../application/session/bridge-service.js';
import type { CallLifecycle } from '../../application/session/call-lifecycle.js';
import type { DialogBinding } from '../../application/session/dialog-binding.js';
import type { SessionConfig } from '../../application/session/session-config.js';
import type { SessionTable } from '../../application/session/session-table.js';
import type { Clock } from '../../ports/clock.js';
import type { DialogStore } from '../../ports/dialog-store.js';
import type { Logger } from '../../ports/logger.js';
import { TOKENS } from '../../ports/tokens.js';

/** How this process takes part in a cluster sharing a dialog store. */
export interface ClusterOptions {
  /** This worker's id in the store (default: one made at build). */
  readonly workerId: string;
  /**
   * Changes gathered this long before one write (default 0: the next turn of the event loop, so a call is in
   * the store within a store round trip of its answer; under load the writes batch themselves, one in flight).
   */
  readonly flushMs?: number;
  /** How often this worker beats in the store and looks for dead workers (default 500 ms; dead after 3 missed). */
  readonly heartbeatMs?: number;
}

export const CLUSTER = {
  Options: Symbol.for('ClusterOptions'),
  Persistence: Symbol.for('DialogPersistence'),
  Recovery: Symbol.for('CallRecovery'),
  Watch: Symbol.for('WorkerWatch'),
} as const;

/** The session services the cluster ones use, by their names in the container. */
export interface ClusterLent {
  readonly config: symbol;
  readonly table: symbol;
  readonly lifecycle: symbol;
  readonly binding: symbol;
  readonly negotiator: symbol;
  readonly holdResume: symbol;
  readonly events: symbol;
  readonly ua: symbol;
  readonly bridges: symbol;
}

/** A call lives at most its longest duration when one is set; otherwise the store keeps it 4 h between writes. */
const ttlFor = (config: SessionConfig): number =>
  config.sessionTimeoutMs > 0 ? config.sessionTimeoutMs + 60_000 : 4 * 3_600_000;

/** The dialog store's writer and the recovery of dead workers' calls: present only with a store. */
export const bindCluster = (container: Container, lent: ClusterLent): void => {
  const store = (c: ResolutionContext): DialogStore | undefined => c.get<DialogStore | undefined>(TOKENS.DialogStore);
  container.bind<DialogPersistence | undefined>(CLUSTER.Persistence).toDynamicValue((c) => {
    const dialogs = store(c);
    if (dialogs === undefined) return undefined;
    const clock = c.get<Clock>(TOKENS.Clock);
    const options = c.get<ClusterOptions>(CLUSTER.Options);
    const table = c.get<SessionTable>(lent.table);
    return new DialogPersistence(
      dialogs, clock, (record) => snapshotOfRecord(
        record, options.workerId, clock, record.partner === undefined ? undefined : table.liveRecord(record.partner),
        c.get<BridgeService>(lent.bridges).matesOf(record.id).flatMap((id) => table.liveRecord(id) ?? []),
      ),
      { ttlMs: ttlFor(c.get<SessionConfig>(lent.config)), flushMs: options.flushMs ?? 0, retryMs: 1_000 },
      c.get<Logger>(TOKENS.Logger), () => table.liveRecords(),
    );
  }).inSingletonScope();
  container.bind<CallRecovery | undefined>(CLUSTER.Recovery).toDynamicValue((c) => {
    const dialogs = store(c);
    const persistence = c.get<DialogPersistence | undefined>(CLUSTER.Persistence);
    if (dialogs === undefined || persistence === undefined) return undefined;
    return new CallRecovery({
      store: dialogs, ua: c.get(lent.ua), table: c.get(lent.table), lifecycle: c.get(lent.lifecycle),
      binding: c.get(lent.binding), negotiator: c.get(lent.negotiator), holdResume: c.get(lent.holdResume),
      events: c.get(lent.events), persistence, clock: c.get<Clock>(TOKENS.Clock), logger: c.get<Logger>(TOKENS.Logger),
      owner: c.get<ClusterOptions>(CLUSTER.Options).workerId,
      maxSessions: c.get<SessionConfig>(lent.config).maxSessions,
      pair: (first, second) => void c.get<BridgeService>(lent.bridges).pair(first, second),
      bridges: c.get<BridgeService>(lent.bridges),
    });
  }).inSingletonScope();
  bindWatch(container);
};

/** Bound with the rest; started by the builder once the coordinator is built, stopped by stop(). */
export const bindWatch = (container: Container): void => {
  container.bind<WorkerWatch | undefined>(CLUSTER.Watch).toDynamicValue((c) => {
    const dialogs = c.get<DialogStore | undefined>(TOKENS.DialogStore);
    const recovery = c.get<CallRecovery | undefined>(CLUSTER.Recovery);
    if (dialogs === undefined || recovery === undefined) return undefined;
    const options = c.get<ClusterOptions>(CLUSTER.Options);
    const persistence = c.get<DialogPersistence | undefined>(CLUSTER.Persistence);
    return new WorkerWatch(dialogs, recovery, c.get<Clock>(TOKENS.Clock), {
      workerId: options.workerId, heartbeatMs: options.heartbeatMs ?? 500,
    }, c.get<Logger>(TOKENS.Logger), () => persistence?.rewriteAll());
  }).inSingletonScope();
};

/** Feeds the writer: every answered call, every change to a dialog, every end. */
export const connectCluster = (c: ResolutionContext, lent: ClusterLent): void => {
  const persistence = c.get<DialogPersistence | undefined>(CLUSTER.Persistence);
  if (persistence === undefined) return;
  c.get<CallLifecycle>(lent.lifecycle).onEstablished((record) => persistence.changed(record));
  c.get<CallLifecycle>(lent.lifecycle).onRelease((record) => persistence.ended(record));
  c.get<DialogBinding>(lent.binding).watchChanges((record) => persistence.changed(record));
  // A bridge's membership is part of each member's stored call: every member is written again when it changes.
  const table = c.get<SessionTable>(lent.table);
  const bridges = c.get<BridgeService>(lent.bridges);
  bridges.subscribe((event) => {
    if (event.type === 'BridgeDestroyed') return;
    for (const id of [event.sessionId, ...bridges.sessionsIn(event.bridgeId)]) {
      const record = table.liveRecord(id);
      if (record !== undefined) persistence.changed(record);
    }
  });
};
