import * as E from 'fp-ts/lib/Either.js';
import type { Container, ResolutionContext } from 'inversify';
import { IdGenerator } from '../../application/id-generator.js';
import { Admission } from '../../application/session/admission.js';
import { BridgeService } from '../../application/session/bridge-service.js';
import { CallAnswering } from '../../application/session/call-answering.js';
import { CallHandles } from '../../application/session/call-handle.js';
import type { CallHandler } from '../../application/session/call-handler.js';
import { CallLifecycle } from '../../application/session/call-lifecycle.js';
import { CallTermination } from '../../application/session/call-termination.js';
import { DialogBinding } from '../../application/session/dialog-binding.js';
import { DtmfService } from '../../application/session/dtmf-service.js';
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
import type { RtpSocketFactory } from '../../ports/rtp-socket.js';
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
} as const;

type Ctx = ResolutionContext;

/** Binds one service as a singleton built from the context. */
const service = <T>(container: Container, id: symbol, build: (ctx: Ctx) => T): void => {
  container.bind<T>(id).toDynamicValue(build).inSingletonScope();
};

const port = {
  clock: (c: Ctx) => c.get<Clock>(TOKENS.Clock),
  logger: (c: Ctx) => c.get<Logger>(TOKENS.Logger),
};

const config = (c: Ctx): SessionConfig => c.get<SessionConfig>(SERVICES.Config);

/** The state every call service shares: ids, the table, the bus, admission, lifecycle, media. */
const bindCore = (container: Container): void => {
  service(container, SERVICES.Ids, (c) => new IdGenerator(c.get<Random>(TOKENS.Random)));
  service(container, SERVICES.UserCode, (c) => new UserCode(port.logger(c)));
  service(container, SERVICES.Table, (c) => new SessionTable(port.clock(c), c.get(SERVICES.Ids), config(c).lingerMs));
  service(container, SERVICES.Events, (c) => {
    const table = c.get<SessionTable>(SERVICES.Table);
    const userCode = c.get<UserCode>(SERVICES.UserCode);
    const bus = new EventBus(
      (id) => table.find(id)?.users ?? [], (error, event) => userCode.subscriberFailed(error, event),
    );
    userCode.reportTo((event) => bus.publish(event));
    return bus;
  });
  service(
    container, SERVICES.Admission,
    (c) => new Admission(c.get(SERVICES.Table), config(c), port.clock(c), port.logger(c)),
  );
  service(container, SERVICES.Handles, () => new CallHandles());
  service(container, SERVICES.Lifecycle, (c) => new CallLifecycle(
    c.get(SERVICES.Table), c.get(SERVICES.Events), port.clock(c), c.get<CallHandler>(SERVICES.Handler),
    c.get(SERVICES.UserCode), c.get(SERVICES.Handles), port.logger(c)));
  service(container, SERVICES.Negotiator, (c) => new MediaNegotiator(
    c.get(SERVICES.Table), c.get(SERVICES.Events), c.get<RtpSocketFactory>(TOKENS.RtpSocketFactory), port.clock(c),
    c.get(SERVICES.Ids), config(c), port.logger(c)));
  service(
    container, SERVICES.Binding,
    (c) => new DialogBinding(c.get(SERVICES.Lifecycle), port.clock(c), config(c).sessionTimeoutMs),
  );
  service(
    container, SERVICES.Termination,
    (c) => new CallTermination(c.get(SERVICES.Table), c.get(SERVICES.Lifecycle), port.clock(c)),
  );
};

/** The SIP user agent, handing new INVITEs to the incoming-call service (resolved when the first one comes). */
const bindUa = (container: Container): void => {
  service(container, SERVICES.Ua, (c) => {
    const cfg = config(c);
    return new UaCore(c.get<SipTransport>(TOKENS.SipTransport), port.clock(c), c.get<Random>(TOKENS.Random), {
      onIncomingInvite: (invite) => c.get<IncomingCalls>(SERVICES.Incoming).arrived(invite),
      onRequest: (request) => ({ status: request.method === 'MESSAGE' ? 200 : 405 }),
    }, { contactUser: 'session-core', advertisedHost: cfg.localAddress, userAgent: cfg.userAgent }, port.logger(c), c.get<Hash>(TOKENS.Hash));
  });
};

const bindCalls = (container: Container): void => {
  service(container, SERVICES.Answering, (c) => new CallAnswering(
    c.get(SERVICES.Lifecycle), c.get(SERVICES.Negotiator), c.get(SERVICES.Binding), c.get(SERVICES.Events)));
  service(container, SERVICES.Incoming, (c) => new IncomingCalls(
    c.get(SERVICES.Table), c.get(SERVICES.Admission), c.get(SERVICES.Lifecycle), c.get(SERVICES.Answering), c.get(SERVICES.Termination),
    c.get(SERVICES.Events), c.get<CallHandler>(SERVICES.Handler), c.get(SERVICES.Handles), c.get(SERVICES.UserCode), port.clock(c), config(c),
    port.logger(c)));
  service(container, SERVICES.Outgoing, (c) => new OutgoingCalls(
    c.get(SERVICES.Ua), c.get(SERVICES.Table), c.get(SERVICES.Admission), c.get(SERVICES.Lifecycle), c.get(SERVICES.Negotiator),
    c.get(SERVICES.Binding), c.get(SERVICES.Termination), c.get(SERVICES.Events), port.clock(c), config(c), c.get(SERVICES.OutboundRoutes)));
  service(container, SERVICES.HoldResume, (c) => new HoldResume(
    c.get(SERVICES.Table), c.get(SERVICES.Lifecycle), c.get(SERVICES.Negotiator), c.get(SERVICES.Events)));
  service(
    container, SERVICES.RemoteUpdates,
    (c) => new RemoteUpdates(c.get(SERVICES.Negotiator), c.get(SERVICES.Termination), port.logger(c)),
  );
  service(container, SERVICES.Dtmf, (c) => new DtmfService(
    c.get(SERVICES.Table), c.get(SERVICES.Negotiator), c.get(SERVICES.Events), c.get<CallHandler>(SERVICES.Handler), c.get(SERVICES.Handles),
    c.get(SERVICES.UserCode)));
  service(container, SERVICES.Transfer, (c) => new TransferService(
    c.get(SERVICES.Table), c.get(SERVICES.Lifecycle), c.get(SERVICES.Outgoing), c.get(SERVICES.Events), port.clock(c), config(c).localAddress,
    config(c).answerTimeoutMs));
  service(container, SERVICES.Bridges, (c) => {
    const table = c.get<SessionTable>(SERVICES.Table);
    const dtmf = c.get<DtmfService>(SERVICES.Dtmf);
    const userCode = c.get<UserCode>(SERVICES.UserCode);
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
    }, port.clock(c), c.get(SERVICES.Ids), (error) => userCode.report('a bridge event listener', undefined, error));
  });
  service(container, SERVICES.Media, (c) => new MediaControl(
    c.get(SERVICES.Table), c.get(SERVICES.Negotiator), c.get(SERVICES.Events), port.clock(c), c.get(SERVICES.UserCode),
    config(c).localAddress));
  service(container, SERVICES.Registrations, (c) => new RegistrationService(
    c.get(SERVICES.Ua), c.get(SERVICES.Ids), c.get(SERVICES.Events), config(c).credentials, c.get(SERVICES.OutboundRoutes)));
};

/** Registrations between services that would otherwise depend on each other in a circle. */
const connect = (c: Ctx): void => {
  const lifecycle = c.get<CallLifecycle>(SERVICES.Lifecycle);
  const binding = c.get<DialogBinding>(SERVICES.Binding);
  const termination = c.get<CallTermination>(SERVICES.Termination);
  const dtmf = c.get<DtmfService>(SERVICES.Dtmf);
  const transfer = c.get<TransferService>(SERVICES.Transfer);
  const bridges = c.get<BridgeService>(SERVICES.Bridges);
  const negotiator = c.get<MediaNegotiator>(SERVICES.Negotiator);
  lifecycle.onRelease((record, reason) => bridges.sessionEnded(record.id, reason));
  lifecycle.onRelease((record, reason) => transfer.callEnded(record, reason));
  negotiator.onDtmf((record, digit) => dtmf.received(record, digit));
  dtmf.onDigit((sessionId, digit) => bridges.dtmf(sessionId, digit));
  binding.handleModifications(c.get<RemoteUpdates>(SERVICES.RemoteUpdates));
  binding.handle('INFO', (record, request) => dtmf.onInfo(record, request));
  binding.handle('REFER', (record, request) => transfer.onRefer(record, request));
  binding.handle('NOTIFY', (record, request) => transfer.onNotify(record, request));
  binding.handleTimeouts((record) => void termination.end(record, 'Local hangup'));
};

/**
 * Binds every session service and the coordinator in `container`, whose
 * ports (clock, random, logger, hash, SIP transport, RTP sockets) are bound
 * already. Only this module knows how they fit together.
 */
export const bindSessionServices = (container: Container, sessionConfig: SessionConfig, handler: CallHandler): void => {
  container.bind<SessionConfig>(SERVICES.Config).toConstantValue(sessionConfig);
  container.bind<CallHandler>(SERVICES.Handler).toConstantValue(handler);
  const proxy = sessionConfig.outboundProxy === undefined ? undefined : parseTarget(sessionConfig.outboundProxy);
  container.bind<ReadonlyArray<NameAddr>>(SERVICES.OutboundRoutes).toConstantValue(
    proxy === undefined || E.isLeft(proxy) ? [] : [proxy.right],
  );
  bindCore(container);
  bindUa(container);
  bindCalls(container);
  service(container, SERVICES.Coordinator, (c) => {
    connect(c);
    const coordinator = new SessionCoordinator({
      transport: c.get(TOKENS.SipTransport), clock: port.clock(c), ua: c.get(SERVICES.Ua), events: c.get(SERVICES.Events),
      table: c.get(SERVICES.Table), admission: c.get(SERVICES.Admission), userCode: c.get(SERVICES.UserCode),
      outgoing: c.get(SERVICES.Outgoing), answering: c.get(SERVICES.Answering), termination: c.get(SERVICES.Termination),
      holdResume: c.get(SERVICES.HoldResume), dtmf: c.get(SERVICES.Dtmf), transfer: c.get(SERVICES.Transfer),
      bridges: c.get(SERVICES.Bridges), media: c.get(SERVICES.Media), registrations: c.get(SERVICES.Registrations),
    });
    c.get<CallHandles>(SERVICES.Handles).bind(coordinator);
    return coordinator;
  });
};
