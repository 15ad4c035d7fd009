import type { Clock } from '../../ports/clock.js';
import type { CallRecovery } from '../cluster/call-recovery.js';
import type { DialogPersistence } from '../cluster/dialog-persistence.js';
import type { WorkerWatch } from '../cluster/worker-watch.js';
import type { MediaRelay } from '../../ports/media-relay.js';
import type { SipTransport } from '../../ports/sip-transport.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { Notifier } from '../events/notifier.js';
import type { ReferNotifier } from '../events/refer-notifier.js';
import type { ReferWatcher } from '../events/refer-watcher.js';
import type { Subscriber } from '../events/subscriber.js';
import type { FileMedia } from '../media/file-media.js';
import type { RegistrarService } from '../registrar/registrar-service.js';
import type { UaCore } from '../ua/ua-core.js';
import type { Admission } from './admission.js';
import type { BridgeService } from './bridge-service.js';
import type { CallAnswering } from './call-answering.js';
import type { CallTermination } from './call-termination.js';
import type { DtmfService } from './dtmf-service.js';
import type { EventBus } from './event-bus.js';
import type { HoldResume } from './hold-resume.js';
import type { MediaControl } from './media-control.js';
import type { MessageService } from './message-service.js';
import type { OutgoingCalls } from './outgoing-calls.js';
import type { RegistrationService } from './registration-service.js';
import type { SessionTable } from './session-table.js';
import type { TransferService } from './transfer-service.js';
import type { UserCode } from './user-code.js';

/** The session services the coordinator fronts; the composition root builds them. */
export interface SessionServices {
  readonly transport: SipTransport;
  readonly clock: Clock;
  readonly ua: UaCore;
  readonly events: EventBus;
  readonly table: SessionTable;
  readonly admission: Admission;
  readonly userCode: UserCode;
  readonly outgoing: OutgoingCalls;
  readonly answering: CallAnswering;
  readonly termination: CallTermination;
  readonly holdResume: HoldResume;
  readonly dtmf: DtmfService;
  readonly transfer: TransferService;
  readonly bridges: BridgeService;
  readonly media: MediaControl;
  readonly registrations: RegistrationService;
  /** Serving phones: present when configured (withRegistrar, withAuthentication). */
  readonly registrar: RegistrarService | undefined;
  readonly authenticator: Authenticator | undefined;
  readonly messages: MessageService;
  readonly files: FileMedia;
  /** Event notification (RFC 6665): the notifier when packages are served (withEventPackages). */
  readonly notifier: Notifier | undefined;
  readonly subscriber: Subscriber;
  /** REFER's implicit subscriptions (RFC 3515): ours as transferor, and those we keep as transferee. */
  readonly referWatcher: ReferWatcher;
  readonly referNotifier: ReferNotifier;
  /** A media relay outside the process (rtpengine), when configured: `withMediaRelay`. */
  readonly mediaRelay: MediaRelay | undefined;
  /** With a dialog store (withDialogStore): our calls kept in it, and dead workers' calls taken from it. */
  readonly persistence: DialogPersistence | undefined;
  readonly recovery: CallRecovery | undefined;
  readonly watch: WorkerWatch | undefined;
}
