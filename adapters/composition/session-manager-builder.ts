import * as E from 'fp-ts/lib/Either.js';
import { TracingTransport, type SipTraceEntry } from '../shared/tracing-transport.js';
import type { CallHandler } from '../../application/session/call-handler.js';
import { AutoAnswerHandler } from '../../application/session/call-handler.js';
import { validateConfig } from '../../application/session/session-config.js';
import { SessionCoordinator } from '../../application/session/session-coordinator.js';
import { sessionException } from '../../application/session/session-exception.js';
import { parseTarget } from '../../domain/session/call-target.js';
import { formatUri } from '../../domain/sip/format-uri.js';
import { hasParam, setParam } from '../../domain/sip/params.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import { TOKENS } from '../../ports/tokens.js';
import { DEFAULT_PARSE_OPTIONS } from '../../domain/sip/parse-message.js';
import type { CredentialStore } from '../../ports/credential-store.js';
import type { LocationStore } from '../../ports/location-store.js';
import { isIP } from 'node:net';
import type { Resolver } from '../../ports/resolver.js';
import { createContainer } from './container.js';
import { HttpAdapter, type HttpOptions } from './http-adapter.js';
import { bindNetwork, realTransport, simulatedTransport, type SimulationOptions } from './transports.js';
import { bindStores } from './serving-services.js';
import { parseRtpengineSpec } from '../node/rtpengine-relay.js';
import type { MediaRelay } from '../../ports/media-relay.js';
import type { ClusterOptions } from './cluster-services.js';
import { ExternalServices, isRedisUrl } from './external-services.js';
import { bindSessionServices, SERVICES } from './session-services.js';
import { invalid, TransportOptions } from './transport-options.js';
import type { DialogStore } from '../../ports/dialog-store.js';
import type { DtlsEngine } from '../../ports/dtls.js';
import { WeriftDtlsEngine } from '../node/werift-dtls.js';

export type { SimulationOptions } from './transports.js';

/**
 * Builds a SessionCoordinator: options are collected, validated with io-ts at
 * build(), and the adapters wired by the composition root — real sockets, or
 * the simulated network when `withSimulation` is used.
 */
export class SessionManagerBuilder extends TransportOptions {
  private handler: CallHandler = new AutoAnswerHandler();
  private logger: Logger | undefined;
  private simulation: SimulationOptions | undefined;
  private trace: ((entry: SipTraceEntry) => void) | undefined;
  private locationStore: LocationStore | undefined;
  private readonly externals = new ExternalServices();
  private credentials: CredentialStore | { readonly users: Readonly<Record<string, string>> } | undefined;
  private resolver: Resolver | undefined;
  private dnsServers: ReadonlyArray<string> | undefined;
  private http: HttpAdapter | undefined;

  withHandler(handler: CallHandler): this {
    this.handler = handler;
    return this;
  }

  withMaxSessions(max: number): this {
    return this.option('maxSessions', max);
  }

  withMaxSessionsPerUser(max: number): this {
    return this.option('maxSessionsPerUser', max);
  }

  /** Longest call in ms before it is hung up (0 = unlimited). */
  withSessionTimeout(ms: number): this {
    return this.option('sessionTimeoutMs', ms);
  }

  withDeferTimeout(ms: number): this {
    return this.option('deferTimeoutMs', ms);
  }

  /**
   * How long an ended call stays readable (getSession, waitForAnswer,
   * statistics) before it is forgotten and its id answers SessionNotFound
   * (default 2 s).
   */
  withEndedSessionRetention(ms: number): this {
    return this.option('lingerMs', ms);
  }

  withAnswerTimeout(ms: number): this {
    return this.option('answerTimeoutMs', ms);
  }

  /**
   * true (the default): an RTP session per call. 'sdp-only': offers and answers SDP as usual but opens no
   * ports (a signaling load test, or media handled elsewhere). false: signaling-only sessions (no RTP ports,
   * no SDP unless the caller supplies one).
   */
  withMedia(enabled: boolean | 'sdp-only'): this {
    return this.option('media', enabled);
  }

  /**
   * Media encryption, SRTP keyed by SDES (RFC 3711, RFC 4568): 'off' (the default: plain RTP, an RTP/SAVP
   * offer is answered 488), 'optional' (RTP/AVP offered with a=crypto keys: SRTP when the peer takes them,
   * as many PBXs do), 'required' (RTP/SAVP only: a plaintext offer is answered 488, a plaintext answer ends
   * the call with a MediaError). A call placed with `{ mediaEncryption }` overrides it.
   */
  withMediaEncryption(policy: 'off' | 'optional' | 'required'): this {
    return this.option('mediaEncryption', policy);
  }

  /** G.711 codecs to offer and accept, in order of preference (default PCMU, PCMA). */
  withCodecs(codecs: ReadonlyArray<string>): this {
    return this.option('codecs', [...codecs]);
  }

  withUserAgent(userAgent: string): this {
    return this.option('userAgent', userAgent);
  }

  withLogger(logger: Logger): this {
    this.logger = logger;
    return this;
  }

  /**
   * Sends every new call and registration through this proxy or SBC (a
   * preloaded Route, RFC 3261 §8.1.2). `;lr` is added when missing: we only
   * speak to loose routers.
   */
  withOutboundProxy(uri: string): this {
    const parsed = parseTarget(uri);
    if (E.isLeft(parsed) || parsed.right.uri.kind !== 'sip') {
      this.problem = invalid('outboundProxy', `not a SIP URI: ${uri}`);
      return this;
    }
    const proxy = parsed.right.uri;
    return this.option(
      'outboundProxy',
      formatUri(hasParam(proxy.params, 'lr') ? proxy : { ...proxy, params: setParam(proxy.params, 'lr') }),
    );
  }

  /** Username and password for Digest challenges (401/407) to our outgoing calls, in any realm (§22.2). */
  withCredentials(username: string, password: string): this {
    return this.option('credentials', { username, password });
  }

  /**
   * Serve as a registrar (RFC 3261 §10.3) for `domains` (default: our local address): REGISTERs for them are
   * processed against the location store (withLocationStore; in memory by default), and `lookup(aor)` finds
   * where a user is. Expiry bounds in seconds (defaults: min 60, max 3600, default 3600); 10 contacts per AOR.
   */
  withRegistrar(options: {
    domains?: ReadonlyArray<string>; minExpiresSec?: number; maxExpiresSec?: number; defaultExpiresSec?: number;
    maxContacts?: number; sweepIntervalMs?: number;
  } = {}): this {
    return this.option('registrar', { ...options, ...(options.domains === undefined ? {} : {
      domains: [...options.domains],
    }) });
  }

  /**
   * Where the registrar keeps its bindings (default: in this process's memory): a LocationStore of your own,
   * or `redis://host:port`, shared by the workers of a cluster (opened at build, closed by stop()).
   */
  withLocationStore(store: LocationStore | string): this {
    if (typeof store === 'string') {
      if (!isRedisUrl(store)) this.problem ??= invalid('locationStore', `expected redis://host:port, got ${store}`);
      this.externals.locationUrl = store;
    } else this.locationStore = store;
    return this;
  }

  /**
   * Digest authentication of incoming requests (RFC 3261 §22, RFC 7616, RFC 8760) in `realm`: new requests
   * of `methods` (default REGISTER, INVITE, MESSAGE, SUBSCRIBE, REFER) are challenged (401 for REGISTER, 407
   * for the rest; `challenge: 'www'` makes them all 401) offering `algorithms` (default SHA-256, then MD5).
   * Users come from `credentials` (a CredentialStore: HA1 values, no passwords) or `users` (name → password,
   * hashed at once and not kept). An address failing `maxFailures` times (default 10) within
   * `failureWindowSec` (default 60) is refused 403 with Retry-After for that long.
   */
  withAuthentication(options: {
    realm: string; credentials?: CredentialStore; users?: Readonly<Record<string, string>>;
    methods?: ReadonlyArray<string>; algorithms?: ReadonlyArray<'SHA-512-256' | 'SHA-256' | 'MD5'>;
    challenge?: 'www' | 'proxy'; nonceLifetimeSec?: number; maxFailures?: number; failureWindowSec?: number;
  }): this {
    const { credentials, users, ...rest } = options;
    if ((credentials === undefined) === (users === undefined)) this.problem ??= invalid(
      'authentication', 'give the users either as `credentials` (a CredentialStore) or as `users`, one of them',
    );
    // eslint-disable-next-line no-control-regex
    if (options.realm.length === 0 || /[\u0000-\u001f\u007f]/.test(options.realm)) this.problem ??= invalid(
      'authentication.realm', 'a realm is printable text, not empty',
    );
    this.credentials = credentials ?? (users === undefined ? undefined : { users: { ...users } });
    return this.option('authentication', {
      ...rest, ...(rest.methods === undefined ? {} : { methods: rest.methods.map((m) => m.toUpperCase()) }),
      ...(rest.algorithms === undefined ? {} : { algorithms: [...rest.algorithms] }),
    });
  }

  /**
   * Reliable provisional responses (RFC 3262, PRACK): 'off', 'supported' (the default: honoured when a caller
   * requires them, used for early media when it supports them) or 'required' (of every caller and callee).
   */
  withReliableProvisionals(policy: 'off' | 'supported' | 'required'): this {
    return this.option('reliableProvisionals', policy);
  }

  /** Serves these event packages as notifier (RFC 6665): SUBSCRIBEs to them are accepted, publishState feeds them. */
  withEventPackages(packages: ReadonlyArray<'message-summary' | 'presence' | 'dialog'>): this {
    return this.option('eventPackages', [...packages]);
  }

  /** MESSAGE bodies (RFC 3428) longer than this are refused 413, and not sent (default 16 KiB). */
  withMessageLimit(bytes: number): this {
    return this.option('maxMessageBytes', bytes);
  }

  /** Reports every SIP message sent and received (for ladders, logs, debugging). */
  withSipTrace(record: (entry: SipTraceEntry) => void): this {
    this.trace = record;
    return this;
  }

  /**
   * DNS servers (`ip` or `ip:port`, IPv6 as `[ip]:port`) for RFC 3263 server location — NAPTR, SRV, A and
   * AAAA — instead of the system's.
   */
  withDnsServers(servers: ReadonlyArray<string>): this {
    // `[v6]:port`, `v4:port`, or a bare address of either family.
    const hostOf = (s: string): string =>
      /^\[(.+)\](?::\d{1,5})?$/.exec(s)?.[1] ?? /^([^:]+):\d{1,5}$/.exec(s)?.[1] ?? s;
    const bad = servers.find((s) => isIP(hostOf(s)) === 0);
    if (bad !== undefined || servers.length === 0) this.problem ??= invalid(
      'dnsServers', bad === undefined ? 'no server given' : `not an address: ${bad}`,
    );
    this.dnsServers = [...servers];
    return this;
  }

  /** Server location through your own Resolver (a simulation's zone table, a resolver of your own). */
  withResolver(resolver: Resolver): this {
    this.resolver = resolver;
    return this;
  }

  /**
   * Serves the operations and control API over HTTP once built: /metrics, /health, /ready, the REST control
   * API (/openapi.json describes it), the /events WebSocket and the dashboard. stop() closes it.
   */
  withHttp(options: HttpOptions): this {
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
      this.problem ??= invalid('http.port', `not a port: ${options.port}`);
    }
    this.http = new HttpAdapter(options);
    return this;
  }

  /**
   * Anchors relayed calls' media in a relay outside the process: `rtpengine:host:port` (its ng control port;
   * opened at build, closed by stop()) or a MediaRelay of your own. The B2bua then only signals
   * (build with `withMedia(false)`); without this, media is relayed in-process as before.
   */
  withMediaRelay(relay: MediaRelay | string): this {
    if (typeof relay === 'string' && parseRtpengineSpec(relay) === undefined) {
      this.problem ??= invalid('mediaRelay', `expected rtpengine:host:port, got ${relay}`);
    }
    this.externals.relay = relay;
    return this;
  }

  /**
   * Keeps every answered call in a dialog store shared with other workers — `redis://host:port` (opened at build,
   * closed by stop()) or a DialogStore of your own — and carries on a dead worker's call when a request of
   * its dialog reaches this one (`clusterStats()` counts both). `workerId` names this process in the store.
   */
  withDialogStore(store: DialogStore | string, options: Partial<ClusterOptions> = {}): this {
    if (typeof store === 'string' && !isRedisUrl(store)) {
      this.problem ??= invalid('dialogStore', `expected redis://host:port, got ${store}`);
    }
    this.externals.dialogStore = { store, options };
    return this;
  }

  /** Runs on the simulated network (VirtualClock, seeded randomness) instead of real sockets. */
  withSimulation(simulation: SimulationOptions): this {
    this.simulation = simulation;
    return this;
  }

  /**
   * Validates everything, binds the transports, and returns the coordinator (rejects with InvalidConfig /
   * TransportError).
   */
  async build(): Promise<SessionCoordinator> {
    if (this.problem !== undefined) throw sessionException(this.problem);
    const config = validateConfig(this.options);
    if (E.isLeft(config)) throw sessionException(config.left);
    const c = config.right;
    const sim = this.simulation;
    const container = createContainer(sim === undefined
      ? { kind: 'real', ...(this.logger === undefined ? {} : { logger: this.logger }) }
      : {
        kind: 'simulated', seed: sim.seed, clock: sim.network.clock,
        ...(this.logger === undefined ? {} : { logger: this.logger }),
      });
    // Transports log their drops (rate-limited) through the same logger as the rest of the stack.
    const core = { parse: DEFAULT_PARSE_OPTIONS, logger: container.get<Logger>(TOKENS.Logger) };
    const bound = sim === undefined
      ? await realTransport(c, core, this.webSocketHttp) : simulatedTransport(c, sim, core);
    const trace = this.http === undefined ? this.trace : this.http.traceHook(this.trace);
    const traced = trace === undefined ? bound : new TracingTransport(bound, container.get<Clock>(TOKENS.Clock), trace);
    bindNetwork(container, c, sim, bound, traced, this.resolver, this.dnsServers);
    container.bind<DtlsEngine | undefined>(TOKENS.Dtls).toConstantValue(
      c.webrtc === undefined ? undefined : await WeriftDtlsEngine.create(),
    );
    bindStores(container, c, this.locationStore ?? this.externals.openLocation(container), this.credentials);
    await this.externals.bind(container, SERVICES.Ids);
    bindSessionServices(
      container, sim === undefined ? c : { ...c, localAddress: sim.host, bindHost: sim.host }, this.handler,
    );
    const coordinator = container.get<SessionCoordinator>(SERVICES.Coordinator);
    this.externals.attach(coordinator, container);
    try {
      await this.http?.start(coordinator, core.logger);
    } catch (error) {
      await coordinator.stop();
      throw sessionException(invalid('http', (error as Error).message));
    }
    return coordinator;
  }
}