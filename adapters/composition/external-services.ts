import type { Container } from 'inversify';
import type { DialogPersistence } from '../../application/cluster/dialog-persistence.js';
import type { WorkerWatch } from '../../application/cluster/worker-watch.js';
import type { IdGenerator } from '../../application/id-generator.js';
import type { SessionCoordinator } from '../../application/session/session-coordinator.js';
import type { DialogStore } from '../../ports/dialog-store.js';
import type { MediaRelay } from '../../ports/media-relay.js';
import { TOKENS } from '../../ports/tokens.js';
import { RedisDialogStore } from '../node/redis-dialog-store.js';
import { RedisLocationStore } from '../node/redis-location-store.js';
import type { Clock } from '../../ports/clock.js';
import type { LocationStore } from '../../ports/location-store.js';
import { randomBytes } from 'node:crypto';
import { parseRtpengineSpec, RtpengineRelay } from '../node/rtpengine-relay.js';
import { CLUSTER, type ClusterOptions } from './cluster-services.js';

/** `redis://host:port[/db]` (or rediss://): what withDialogStore takes as text. */
export const isRedisUrl = (text: string): boolean => /^rediss?:\/\/[^/\s]+/.test(text);

/**
 * The services outside the process a coordinator may use — a media relay, a dialog store — given as
 * adapters of the application's own or as addresses: those given as addresses are opened here at build
 * and closed by stop().
 */
export class ExternalServices {
  relay: MediaRelay | string | undefined;
  dialogStore: { readonly store: DialogStore | string; readonly options: Partial<ClusterOptions> } | undefined;
  /** withLocationStore('redis://…'). */
  locationUrl: string | undefined;
  private location: RedisLocationStore | undefined;

  /** The location store given as an address, opened (its owner: this worker's id, or a random one). */
  openLocation(container: Container): LocationStore | undefined {
    if (this.locationUrl === undefined) return undefined;
    const owner = this.dialogStore?.options.workerId ?? `worker-${randomBytes(4).toString('hex')}`;
    this.location = RedisLocationStore.open({ url: this.locationUrl, owner }, container.get<Clock>(TOKENS.Clock));
    return this.location;
  }

  /** Opens what was given as an address and binds both ports (undefined when not configured). */
  async bind(container: Container, ids: symbol): Promise<void> {
    const relay = this.relay;
    container.bind<MediaRelay | undefined>(TOKENS.MediaRelay).toConstantValue(
      typeof relay === 'string' ? await RtpengineRelay.open(parseRtpengineSpec(relay)!) : relay,
    );
    const dialogs = this.dialogStore;
    container.bind<DialogStore | undefined>(TOKENS.DialogStore).toConstantValue(
      typeof dialogs?.store === 'string' ? RedisDialogStore.open({ url: dialogs.store }) : dialogs?.store,
    );
    container.bind<ClusterOptions>(CLUSTER.Options).toDynamicValue((c) => ({
      workerId: dialogs?.options.workerId ?? `worker-${c.get<IdGenerator>(ids).token(8)}`, ...dialogs?.options,
    })).inSingletonScope();
  }

  /** Starts watching the other workers; stop() writes what is pending, then closes what was opened here. */
  attach(coordinator: SessionCoordinator, container: Container): void {
    const relay = container.get<MediaRelay | undefined>(TOKENS.MediaRelay);
    if (relay !== undefined && typeof this.relay === 'string') coordinator.closeOnStop(() => relay.close());
    const store = container.get<DialogStore | undefined>(TOKENS.DialogStore);
    const persistence = container.get<DialogPersistence | undefined>(CLUSTER.Persistence);
    const owned = typeof this.dialogStore?.store === 'string';
    const watch = container.get<WorkerWatch | undefined>(CLUSTER.Watch);
    watch?.start();
    const location = this.location;
    coordinator.closeOnStop(async () => {
      watch?.stop();
      await persistence?.close();
      if (owned) await store?.close();
      await location?.close();
    });
  }
}
