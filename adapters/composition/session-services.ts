import * as E from 'fp-ts/lib/Either.js';
import type { Container, ResolutionContext } from 'inversify';
import { bindServing, SERVING, uaHandler, type Lent } from './serving-services.js';
import { bindCluster, CLUSTER, connectCluster, type ClusterLent } from './cluster-services.js';
import { UA_METHODS } from '../../application/ua/ua-context.js';
import { IdGenerator } from '../../application/id-generator.js';
import { Admission } from '../../application/session/admission.js';
import { BridgeService } from '../../application/session/bridge-service.js';
import { CallAnswering } from '../../application/session/call-answering.js';
import { CallHandles } from '../../application/session/call-handle.js';
import type { CallHandler } from '../../application/session/call-handler.js';
import type { MessageService } from '../../application/session/message-service.js';
import { CallLifecycle } from '../../application/session/call-lifecycle.js';
import { CallTermination } from '../../application/session/call-termination.js';
import { FlowWatch } from '../../application/session/flow-watch.js';
import { MEDIA_FAILURE } from '../../application/session/media-negotiator.js';
import type { DtlsEngine } from '../../ports/dtls.js';
import { DialogBinding } from '../../application/session/dialog-binding.js';
import { DtmfService } from '../../application/session/dtmf-service.js';
import { EarlyOffers } from '../../application/session/early-offers.js';
import { ReferNotifier } from '../../application/events/refer-notifier.js';
import { ReferWatcher } from '../../application/events/refer-watcher.js';
import { EventBus } from '../../application/session/event-bus.js';
import { HoldResume } from '../../application/session/hold-resume.js';
import { IncomingCalls } from '../../application/session/incoming-calls.js';
import { MediaControl } from '../../application/session/media-control.js';
import { MediaNegotiator } from '../../application/session/media-negotiator.js';
import { OutgoingCalls } from '../../application/session/outgoing-calls.js';
import { RegistrationService } from '../../application/session/registration-service.js';
import { RemoteUpdates } from '../../application/session/remote-updates.js';
import type { SessionConfig } from '../../application/session/session-config.js';
import { SessionCoordinator } from '../../application/session/session-coordinator.js';
import { SessionTable } from '../../application/session/session-table.js';
import { TransferService } from '../../application/session/transfer-service.js';
import { UserCode } from '../../application/session/user-code.js';
import { UaCore } from '../../application/ua/ua-core.js';
import { parseTarget } from '../../domain/session/call-target.js';
import type { NameAddr } from '../../domain/sip/name-addr.js';
import type { Clock } from '../../ports/clock.js';
import type { Hash } from '../../ports/hash.js';
import type { Logger } from '../../ports/logger.js';
import type { Random } from '../../ports/random.js';
import type { AudioFiles } from '../../ports/audio-files.js';
import { FileMedia } from '../../application/media/file-media.js';
import type { SrtpPrimitives } from '../../ports/cipher.js';
import type { RtpSocketFactory } from '../../ports/rtp-socket.js';
import type { MediaRelay } from '../../ports/media-relay.js';
import type { SipTransport } from '../../ports/sip-transport.js';
import { TOKENS } from '../../ports/tokens.js';

/** The session services' names in the container (the ports' are in ports/tokens.ts). */
export const SERVICES = {
  Config: Symbol.for('SessionConfig'),
  Handler: Symbol.for('CallHandler'),
  OutboundRoutes: Symbol.for('OutboundRoutes'),
  Ids: Symbol.for('IdGenerator'),
  UserCode: Symbol.for('UserCode'),
  Events: Symbol.for('EventBus'),
  Table: Symbol.for('SessionTable'),
  Admission: Symbol.for('Admission'),
  Handles: Symbol.for('CallHandles'),
  Lifecycle: Symbol.for('CallLifecycle'),
  Negotiator: Symbol.for('MediaNegotiator'),
  Binding: Symbol.for('DialogBinding'),
  Termination: Symbol.for('CallTermination'),
  Ua: Symbol.for('UaCore'),
  Answering: Symbol.for('CallAnswering'),
  EarlyOffers: Symbol.for('EarlyOffers'),
  ReferWatcher: Symbol.for('ReferWatcher'),
  ReferNotifier: Symbol.for('ReferNotifier'),
  Incoming: Symbol.for('IncomingCalls'),
  Outgoing: Symbol.for('OutgoingCalls'),
  HoldResume: Symbol.for('HoldResume'),
  RemoteUpdates: Symbol.for('RemoteUpdates'),
  Dtmf: Symbol.for('DtmfService'),
  Transfer: Symbol.for('TransferService'),
  Bridges: Symbol.for('BridgeService'),
  Media: Symbol.for('MediaControl'),
  Registrations: Symbol.for('RegistrationService'),
  Coordinator: Symbol.for('SessionCoordinator'),
  Locator: Symbol.for('ServerLocator'),
  Files: Symbol.for('FileMedia'),
} as const;

type Ctx = ResolutionContext;
const S = SERVICES;

/** Binds one service as a singleton built from the context. */
const service = <T>(container: Container, id: symbol, build: (ctx: Ctx) => T): void => {
  container.bind<T>(id).toDynamicValue(build).inSingletonScope();
};

const port = {
  clock: (c: Ctx) => c.get<Clock>(TOKENS.Clock),
  logger: (c: Ctx) => c.get<Logger>(TOKENS.Logger),
};

const config = (c: Ctx): SessionConfig => c.get<SessionConfig>(S.Config);

/** The state every call service shares: ids, the table, the bus, admission, lifecycle, media. */
const bindCore = (container: Container): void => {
  service(container, S.Ids, (c) => new IdGenerator(c.get<Random>(TOKENS.Random)));
  service(container, S.UserCode, (c) => new UserCode(port.logger(c)));
  service(container, S.Table, (c) => new SessionTable(port.clock(c), c.get(S.Ids), config(c).lingerMs));
  service(container, S.Events, (c) => {
    const table = c.get<SessionTable>(S.Table);
    const userCode = c.get<UserCode>(S.UserCode);
    const bus = new EventBus(
      (id) => table.find(id)?.users ?? [], (error, event) => userCode.subscriberFailed(error, event),
    );
    userCode.reportTo((event) => bus.publish(event));
    return bus;
  });
  service(
    container, S.Admission,
    (c) => new Admission(c.get(S.Table), config(c), port.clock(c), port.logger(c)),
  );
  service(container, S.Handles, () => new CallHandles());
  service(container, S.Lifecycle, (c) => new CallLifecycle(
    c.get(S.Table), c.get(S.Events), port.clock(c), c.get<CallHandler>(S.Handler),
    c.get(S.UserCode), c.get(S.Handles), port.logger(c)));
  service(container, S.Negotiator, (c) => new MediaNegotiator(
    c.get(S.Table), c.get(S.Events), c.get<RtpSocketFactory>(TOKENS.RtpSocketFactory), port.clock(c),
    c.get(S.Ids), config(c), port.logger(c), c.get<SrtpPrimitives>(TOKENS.SrtpPrimitives),
    c.get<DtlsEngine | undefined>(TOKENS.Dtls)));
  service(
    container, S.Binding,
    (c) => new DialogBinding(c.get(S.Lifecycle), port.clock(c), config(c).sessionTimeoutMs),
  );
  service(
    container, S.Termination,
    (c) => new CallTermination(c.get(S.Table), c.get(S.Lifecycle), port.clock(c)),
  );
};

const LENT: Lent = {
  config: S.Config, ids: S.Ids, events: S.Events, userCode: S.UserCode, outboundRoutes: S.OutboundRoutes, ua: S.Ua,
  handler: S.Handler,
  incoming: S.Incoming, locator: S.Locator,
};

const CLUSTER_LENT: ClusterLent = {
  config: S.Config, table: S.Table, lifecycle: S.Lifecycle, binding: S.Binding, negotiator: S.Negotiator,
  holdResume: S.HoldResume, events: S.Events, ua: S.Ua, bridges: S.Bridges,
};

/** The SIP user agent, handing requests to the services that own them (resolved when the first one comes). */
const bindUa = (container: Container): void => {
  service(container, S.Ua, (c) => {
    const cfg = config(c);
    const handler = uaHandler(c, LENT);
    const identity = {
      contactUser: 'session-core', advertisedHost: cfg.localAddress, userAgent: cfg.userAgent,
      reliableProvisionals: cfg.reliableProvisionals,
      // A registrar answers REGISTER too (Allow says so).
      ...(cfg.registrar === undefined ? {} : { methods: [...UA_METHODS, 'REGISTER'] }),
    };
    return new UaCore(c.get<SipTransport>(TOKENS.SipTransport), port.clock(c), c.get<Random>(TOKENS.Random), handler,
      identity, port.logger(c), c.get<Hash>(TOKENS.Hash));
  });
};

const bindCalls = (container: Container): void => {
  service(container, S.Answering, (c) => new CallAnswering(
    c.get(S.Lifecycle), c.get(S.Negotiator), c.get(S.Binding), c.get(S.Events), port.logger(c)));
  service(container, S.EarlyOffers, (c) => new EarlyOffers(
    c.get(S.Negotiator), c.get(S.Answering), config(c).localAddress, port.logger(c)));
  service(container, S.Incoming, (c) => new IncomingCalls(
    c.get(S.Table), c.get(S.Admission), c.get(S.Lifecycle), c.get(S.Answering), c.get(S.EarlyOffers),
    c.get(S.Termination), c.get(S.Events), c.get<CallHandler>(S.Handler), c.get(S.Handles), c.get(S.UserCode),
    port.clock(c), config(c), port.logger(c)));
  service(container, S.Files, (c) => new FileMedia(
    c.get(S.Table), c.get<AudioFiles>(TOKENS.AudioFiles), port.logger(c),
  ));
  service(container, S.Outgoing, (c) => new OutgoingCalls(
    c.get(S.Ua), c.get(S.Table), c.get(S.Admission), c.get(S.Lifecycle), c.get(S.Negotiator),
    c.get(S.Binding), c.get(S.Termination), c.get(S.EarlyOffers), c.get(S.Events), port.clock(c), config(c),
    c.get(S.OutboundRoutes), c.get(S.Locator)));
  service(container, S.HoldResume, (c) => new HoldResume(
    c.get(S.Table), c.get(S.Lifecycle), c.get(S.Negotiator), c.get(S.Events)));
  service(
    container, S.RemoteUpdates,
    (c) => new RemoteUpdates(c.get(S.Negotiator), c.get(S.Termination), port.logger(c)),
  );
  service(container, S.Dtmf, (c) => new DtmfService(
    c.get(S.Table), c.get(S.Negotiator), c.get(S.Events), c.get<CallHandler>(S.Handler), c.get(S.Handles),
    c.get(S.UserCode)));
  service(container, S.Transfer, (c) => new TransferService(
    c.get(S.Table), c.get(S.Lifecycle), c.get(S.Outgoing), c.get(S.Events), port.clock(c), config(c).localAddress,
    config(c).answerTimeoutMs, c.get(S.ReferWatcher), c.get(S.ReferNotifier)));
  service(container, S.ReferWatcher, (c) => new ReferWatcher(port.clock(c), c.get(S.Ids), c.get(S.Events)));
  service(container, S.ReferNotifier, (c) => new ReferNotifier(port.clock(c), port.logger(c)));
  service(container, S.Bridges, (c) => {
    const table = c.get<SessionTable>(S.Table);
    const dtmf = c.get<DtmfService>(S.Dtmf);
    const userCode = c.get<UserCode>(S.UserCode);
    return new BridgeService({
      mediaOf: (id) => {
        const r = table.liveRecord(id);
        // A ringing call with early media running can be bridged too (a B2BUA passing a ringback on).
        const early = r?.call.tag === 'Ringing' && r.media?.parameters !== undefined;
        return r !== undefined && (r.call.tag === 'Connected' || r.call.tag === 'OnHold' || early)
          ? r.media
          : undefined;
      },
      forwardDtmf: (id, digit) => void dtmf.send(id, digit),
    }, port.clock(c), c.get(S.Ids), (error) => userCode.report('a bridge event listener', undefined, error));
  });
  service(container, S.Media, (c) => new MediaControl(
    c.get(S.Table), c.get(S.Negotiator), c.get(S.Events), port.clock(c), c.get(S.UserCode),
    config(c).localAddress));
  service(container, S.Registrations, (c) => new RegistrationService(
    c.get(S.Ua), c.get(S.Ids), c.get(S.Events), config(c).credentials, c.get(S.OutboundRoutes), c.get(S.Locator)));
};

/** Registrations between services that would otherwise depend on each other in a circle. */
const connect = (c: Ctx): void => {
  const lifecycle = c.get<CallLifecycle>(S.Lifecycle);
  const binding = c.get<DialogBinding>(S.Binding);
  const termination = c.get<CallTermination>(S.Termination);
  const dtmf = c.get<DtmfService>(S.Dtmf);
  const transfer = c.get<TransferService>(S.Transfer);
  const bridges = c.get<BridgeService>(S.Bridges);
  const negotiator = c.get<MediaNegotiator>(S.Negotiator);
  lifecycle.onRelease((record, reason) => bridges.sessionEnded(record.id, reason));
  lifecycle.onRelease((record, reason) => transfer.callEnded(record, reason));
  const files = c.get<FileMedia>(S.Files);
  lifecycle.onRelease((record) => files.callEnded(record.id));
  negotiator.onDtmf((record, digit) => dtmf.received(record, digit));
  negotiator.onMediaFailure((record, error) => {
    const message = `${error.kind}: ${error.message}`;
    c.get<EventBus>(S.Events).publish({ type: 'Error', sessionId: record.id, message });
    termination.end(record, MEDIA_FAILURE);
  });
  dtmf.onDigit((sessionId, digit) => bridges.dtmf(sessionId, digit));
  binding.handleModifications(c.get<RemoteUpdates>(S.RemoteUpdates));
  binding.handle('INFO', (record, request) => dtmf.onInfo(record, request));
  binding.handle('REFER', (record, request) => transfer.onRefer(record, request));
  binding.handle('NOTIFY', (record, request) => transfer.onNotify(record, request));
  // A REFER's subscription refreshed or ended by the transferor (RFC 3515 §2.4.4, RFC 6665 §4.1.2).
  const referNotifier = c.get<ReferNotifier>(S.ReferNotifier);
  binding.handle('SUBSCRIBE', (record, request) => referNotifier.resubscribe(record, request));
  const messages = c.get<MessageService>(SERVING.Messages);
  binding.handle('MESSAGE', (record, request) => messages.received(request, record.id));
  const handler = c.get<CallHandler>(S.Handler);
  if (handler.onMessage !== undefined) messages.onMessage((message) => handler.onMessage?.(message));
  binding.handleTimeouts((record) => void termination.end(record, 'Local hangup'));
  const flows = new FlowWatch(c.get(S.Table), termination, c.get(SERVING.Registrar), port.logger(c));
  c.get<SipTransport>(TOKENS.SipTransport).onFlowClosed?.((flow) => flows.closed(flow));
  connectCluster(c, CLUSTER_LENT);
};

/**
 * Binds every session service and the coordinator in `container`, whose
 * ports (clock, random, logger, hash, SIP transport, RTP sockets) are bound
 * already. Only this module knows how they fit together.
 */
export const bindSessionServices = (container: Container, sessionConfig: SessionConfig, handler: CallHandler): void => {
  container.bind<SessionConfig>(S.Config).toConstantValue(sessionConfig);
  container.bind<CallHandler>(S.Handler).toConstantValue(handler);
  const proxy = sessionConfig.outboundProxy === undefined ? undefined : parseTarget(sessionConfig.outboundProxy);
  container.bind<ReadonlyArray<NameAddr>>(S.OutboundRoutes).toConstantValue(
    proxy === undefined || E.isLeft(proxy) ? [] : [proxy.right],
  );
  bindCore(container);
  bindUa(container);
  bindCalls(container);
  bindServing(container, LENT);
  bindCluster(container, CLUSTER_LENT);
  service(container, S.Coordinator, (c) => {
    connect(c);
    const coordinator = new SessionCoordinator({
      transport: c.get(TOKENS.SipTransport), clock: port.clock(c), ua: c.get(S.Ua), events: c.get(S.Events),
      table: c.get(S.Table), admission: c.get(S.Admission), userCode: c.get(S.UserCode),
      outgoing: c.get(S.Outgoing), answering: c.get(S.Answering), termination: c.get(S.Termination),
      holdResume: c.get(S.HoldResume), dtmf: c.get(S.Dtmf), transfer: c.get(S.Transfer),
      bridges: c.get(S.Bridges), media: c.get(S.Media), registrations: c.get(S.Registrations),
      registrar: c.get(SERVING.Registrar), authenticator: c.get(SERVING.Authenticator),
      messages: c.get(SERVING.Messages), files: c.get(S.Files), notifier: c.get(SERVING.Notifier),
      subscriber: c.get(SERVING.Subscriber), referWatcher: c.get(S.ReferWatcher),
      referNotifier: c.get(S.ReferNotifier),
      mediaRelay: c.get<MediaRelay | undefined>(TOKENS.MediaRelay),
      persistence: c.get(CLUSTER.Persistence), recovery: c.get(CLUSTER.Recovery), watch: c.get(CLUSTER.Watch),
    });
    c.get<CallHandles>(S.Handles).bind(coordinator);
    return coordinator;
  });
};
