/**
 * The services for serving phones — registrar, authentication of incoming
 * requests, MESSAGE — bound beside the call services, and the UA's handler
 * that routes requests to them.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Container, ResolutionContext } from 'inversify';
import type { ServerLocator } from '../../application/transport/server-locator.js';
import type { RequestOptions } from '../../application/ua/out-of-dialog-request.js';
import type { RequestOutcome } from '../../application/ua/request-outcome.js';
import { Authenticator } from '../../application/auth/authenticator.js';
import type { IdGenerator } from '../../application/id-generator.js';
import { RegistrarService } from '../../application/registrar/registrar-service.js';
import type { EventBus } from '../../application/session/event-bus.js';
import type { IncomingCalls } from '../../application/session/incoming-calls.js';
import { MessageService } from '../../application/session/message-service.js';
import { DialogStates } from '../../application/events/dialog-states.js';
import type { DialogEntry } from '../../domain/events/dialog-info.js';
import { Notifier, type Authorization } from '../../application/events/notifier.js';
import type { CallHandler, SubscriptionVerdict } from '../../application/session/call-handler.js';
import { eventOf } from '../../domain/events/subscription.js';
import { BUILT_IN_PACKAGES } from '../../application/events/packages.js';
import { Subscriber } from '../../application/events/subscriber.js';
import type { SessionConfig } from '../../application/session/session-config.js';
import type { UserCode } from '../../application/session/user-code.js';
import type { IncomingInvite } from '../../application/ua/incoming-invite.js';
import type { Answer } from '../../application/ua/invite-session.js';
import type { UaCore } from '../../application/ua/ua-core.js';
import type { RequestSource, UaHandler } from '../../application/ua/ua-handler.js';
import type { CallRecovery } from '../../application/cluster/call-recovery.js';
import { CLUSTER } from './cluster-services.js';
import type { NameAddr } from '../../domain/sip/name-addr.js';
import { headerValue, type SipRequest } from '../../domain/sip/message.js';
import type { Clock } from '../../ports/clock.js';
import type { CredentialStore } from '../../ports/credential-store.js';
import type { Hash } from '../../ports/hash.js';
import type { LocationStore } from '../../ports/location-store.js';
import type { Logger } from '../../ports/logger.js';
import { TOKENS } from '../../ports/tokens.js';
import { InMemoryCredentialStore } from '../memory/in-memory-credential-store.js';
import { InMemoryLocationStore } from '../memory/in-memory-location-store.js';

export const SERVING = {
  Authenticator: Symbol.for('Authenticator'),
  Registrar: Symbol.for('RegistrarService'),
  Messages: Symbol.for('MessageService'),
  Notifier: Symbol.for('Notifier'),
  Subscriber: Symbol.for('Subscriber'),
  LocationStore: Symbol.for('session-core.LocationStore'),
  CredentialStore: Symbol.for('session-core.CredentialStore'),
} as const;

/** What the composition of the call services lends this module (their container names). */
export interface Lent {
  readonly config: symbol;
  readonly ids: symbol;
  readonly events: symbol;
  readonly userCode: symbol;
  readonly handler: symbol;
  readonly outboundRoutes: symbol;
  readonly ua: symbol;
  readonly incoming: symbol;
  readonly locator: symbol;
}

const DEFAULT_METHODS = ['REGISTER', 'INVITE', 'MESSAGE', 'SUBSCRIBE', 'REFER'];

/** Binds the registrar and the authenticator (when configured) and the MESSAGE service. */
export const bindServing = (container: Container, lent: Lent): void => {
  const config = (c: ResolutionContext): SessionConfig => c.get<SessionConfig>(lent.config);
  container.bind<Authenticator | undefined>(SERVING.Authenticator).toDynamicValue((c) => {
    const auth = config(c).authentication;
    if (auth === undefined) return undefined;
    return new Authenticator({
      realm: auth.realm, methods: auth.methods ?? DEFAULT_METHODS, algorithms: auth.algorithms ?? ['SHA-256', 'MD5'],
      challenge: auth.challenge ?? 'proxy', nonceLifetimeMs: (auth.nonceLifetimeSec ?? 300) * 1000,
      maxFailures: auth.maxFailures ?? 10, failureWindowMs: (auth.failureWindowSec ?? 60) * 1000,
    }, c.get<CredentialStore>(SERVING.CredentialStore), c.get<Hash>(TOKENS.Hash), c.get<IdGenerator>(lent.ids),
    c.get<Clock>(TOKENS.Clock), c.get<Logger>(TOKENS.Logger));
  }).inSingletonScope();
  container.bind<RegistrarService | undefined>(SERVING.Registrar).toDynamicValue((c) => {
    const cfg = config(c);
    const r = cfg.registrar;
    if (r === undefined) return undefined;
    const auth = c.get<Authenticator | undefined>(SERVING.Authenticator);
    const events = c.get<EventBus>(lent.events);
    return new RegistrarService({
      domains: r.domains ?? [cfg.localAddress], minExpiresSec: r.minExpiresSec ?? 60,
      maxExpiresSec: r.maxExpiresSec ?? 3600, defaultExpiresSec: r.defaultExpiresSec ?? 3600,
      maxContacts: r.maxContacts ?? 10, sweepIntervalMs: r.sweepIntervalMs ?? 10_000,
    }, c.get<LocationStore>(SERVING.LocationStore),
    auth === undefined ? undefined : (request) => auth.identity(request),
    (event) => events.publish(event), c.get<Clock>(TOKENS.Clock), c.get<Logger>(TOKENS.Logger));
  }).inSingletonScope();
  // RFC 3263 for a MESSAGE's or SUBSCRIBE's next hop too (its first server), unless pinned to a contact's flow.
  const locatedSend = (c: ResolutionContext) => {
    const ua = c.get<UaCore>(lent.ua);
    const locator = c.get<ServerLocator>(lent.locator);
    return async (options: RequestOptions): Promise<RequestOutcome> => {
      if (options.flow !== undefined) return ua.request(options);
      const located = await locator.locate(options.routes?.[0]?.uri ?? options.requestUri ?? options.to.uri);
      if (E.isLeft(located)) return { kind: 'NotSent', detail: located.left.detail };
      const first = located.right[0];
      return ua.request(first === undefined ? options : { ...options, flow: first });
    };
  };
  container.bind<Notifier | undefined>(SERVING.Notifier).toDynamicValue((c) => {
    const names = config(c).eventPackages ?? [];
    if (names.length === 0) return undefined;
    const handler = c.get<CallHandler>(lent.handler);
    const userCode = c.get<UserCode>(lent.userCode);
    const events = c.get<EventBus>(lent.events);
    // The application's hook is foreign code: a throw or a rejection refuses the subscription.
    const authorize = (request: SipRequest, resource: string): Authorization | Promise<Authorization> => {
      const asked = userCode.ask<SubscriptionVerdict | void>('onSubscribe', undefined, () => handler.onSubscribe?.({
        event: eventOf(request)?.package ?? '', resource, from: headerValue(request, 'From') ?? '',
      }), 'rejected');
      return 'now' in asked ? asked.now ?? 'active' : asked.later.then((verdict) => verdict ?? 'active');
    };
    const notifier = new Notifier(names.map((name) => BUILT_IN_PACKAGES[name]!), c.get<UaCore>(lent.ua).usages,
      c.get<Clock>(TOKENS.Clock), c.get<IdGenerator>(lent.ids), authorize, c.get<Logger>(TOKENS.Logger),
      (s) => events.publish({
        type: 'SubscriptionRequested', subscriptionId: s.id, event: s.event, resource: s.resource, state: s.state,
      }));
    // The dialog package reports our own calls: the bus feeds it.
    if (names.includes('dialog')) {
      const publish = (resource: string, dialogs: ReadonlyArray<DialogEntry> | undefined): void =>
        notifier.publish('dialog', resource, dialogs);
      new DialogStates(c.get<EventBus>(lent.events), publish);
    }
    return notifier;
  }).inSingletonScope();
  container.bind<Subscriber>(SERVING.Subscriber).toDynamicValue((c) => new Subscriber(
    c.get<UaCore>(lent.ua).usages, locatedSend(c), c.get<Clock>(TOKENS.Clock), c.get<IdGenerator>(lent.ids),
    c.get<EventBus>(lent.events), 32_000, `sip:session-core@${config(c).localAddress}`,
  )).inSingletonScope();
  container.bind<MessageService>(SERVING.Messages).toDynamicValue((c) => {
    const cfg = config(c);
    const routes = c.get<ReadonlyArray<NameAddr>>(lent.outboundRoutes);
    const send = locatedSend(c);
    return new MessageService({
      maxBodyBytes: cfg.maxMessageBytes ?? 16_384, credentials: cfg.credentials,
      routes: routes.length === 0 ? undefined : routes,
    }, c.get<EventBus>(lent.events), c.get<UserCode>(lent.userCode), send);
  }).inSingletonScope();
};

/**
 * The UA's handler: new INVITEs to the call services; REGISTER to the
 * registrar; MESSAGE to the message service; everything new from outside a
 * dialog past the authenticator first. Services are looked up on first use.
 */
export const uaHandler = (c: ResolutionContext, lent: Lent): UaHandler => {
  const authenticator = (): Authenticator | undefined => c.get<Authenticator | undefined>(SERVING.Authenticator);
  return {
    onIncomingInvite: (invite: IncomingInvite) => c.get<IncomingCalls>(lent.incoming).arrived(invite),
    recoverDialog: (key: string, request: SipRequest) =>
      c.get<CallRecovery | undefined>(CLUSTER.Recovery)?.recover(key, request),
    admit: (request: SipRequest, source: RequestSource) => authenticator()?.admit(request, source),
    onRequest: (request: SipRequest, source: RequestSource): Answer | Promise<Answer> => {
      if (request.method === 'MESSAGE') return c.get<MessageService>(SERVING.Messages).received(request);
      if (request.method === 'SUBSCRIBE') {
        const notifier = c.get<Notifier | undefined>(SERVING.Notifier);
        return notifier === undefined ? { status: 489, headers: [{ name: 'Allow-Events', value: 'refer' }] }
          : notifier.subscribe(request);
      }
      const registrar = c.get<RegistrarService | undefined>(SERVING.Registrar);
      return request.method !== 'REGISTER' || registrar === undefined
        ? { status: 405 } : registrar.register(request, source);
    },
  };
};

/** The registrar's and the authenticator's stores: the application's, or in memory. */
export const bindStores = (
  container: Container, c: SessionConfig, locationStore: LocationStore | undefined,
  credentials: CredentialStore | { readonly users: Readonly<Record<string, string>> } | undefined,
): void => {
  container.bind<LocationStore>(SERVING.LocationStore).toConstantValue(locationStore ?? new InMemoryLocationStore());
  if (credentials === undefined || c.authentication === undefined) return;
  container.bind<CredentialStore>(SERVING.CredentialStore).toConstantValue('users' in credentials
    ? InMemoryCredentialStore.fromPasswords(c.authentication.realm, credentials.users, container.get<Hash>(TOKENS.Hash))
    : credentials);
};
