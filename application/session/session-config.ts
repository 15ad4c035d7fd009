import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { SessionError } from '../../domain/session/session-error.js';

const Port = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port number (0–65535)');
const PositiveInt = t.refinement(t.number, (n) => Number.isInteger(n) && n > 0, 'a positive integer');
const NonNegative = t.refinement(t.number, (n) => Number.isFinite(n) && n >= 0, 'a non-negative number');
const Transport = t.keyof({ udp: null, tcp: null, tls: null, ws: null, wss: null });

const Credentials = t.type({ username: t.string, password: t.string });
export const MediaEncryption = t.keyof({ off: null, optional: null, required: null });
export type MediaEncryption = t.TypeOf<typeof MediaEncryption>;

/** Options from outside (builder calls, CLI flags): validated before anything starts. */
export const SessionConfigCodec = t.intersection([t.type({
  /** Host written into Contact and SDP (c=, o=). */
  localAddress: t.string,
  bindHost: t.string,
  sipPort: Port,
  mediaPortStart: Port,
  mediaPortEnd: Port,
  transports: t.array(Transport),
  maxSessions: PositiveInt,
  maxSessionsPerUser: PositiveInt,
  /** Longest call before it is hung up (0 = no limit). */
  sessionTimeoutMs: NonNegative,
  /** How long a deferred call rings before 480. */
  deferTimeoutMs: PositiveInt,
  /** How long an outgoing call may ring before it is cancelled. */
  answerTimeoutMs: PositiveInt,
  /** How long ended sessions stay visible to getSession. */
  lingerMs: NonNegative,
  userAgent: t.string,
  /**
   * Media for calls: true opens an RTP session per call; 'sdp-only' negotiates SDP as if it did (offers and
   * answers naming the range's first port) but opens nothing — what a signaling load test or a server whose
   * media lives elsewhere wants; false gives signaling-only sessions (no SDP unless given, no ports).
   */
  media: t.union([t.boolean, t.literal('sdp-only')]),
  /** Codecs to offer and accept, in order of preference. */
  codecs: t.array(t.keyof({ PCMU: null, PCMA: null })),
  /**
   * SRTP keyed by SDES (RFC 3711, RFC 4568): 'off' (plain RTP; an RTP/SAVP offer is answered 488),
   * 'optional' (RTP/AVP offered with keys, SRTP when the peer takes them), 'required' (RTP/SAVP only).
   */
  mediaEncryption: MediaEncryption,
  /**
   * Reliable provisional responses (RFC 3262): 'off' (a caller requiring them gets 420), 'supported' (100rel
   * offered and honoured: reliably when the caller requires it, or for early media when it supports it),
   * 'required' (our INVITEs require it; a caller without it gets 421).
   */
  reliableProvisionals: t.keyof({ off: null, supported: null, required: null }),
}), t.partial({
  /** Event packages (RFC 6665) we serve as notifier: subscriptions to them are accepted, others get 489. */
  eventPackages: t.array(t.keyof({ 'message-summary': null, presence: null, dialog: null })),
  /** Answers Digest challenges (401/407) to outgoing requests. */
  credentials: Credentials,
  /** A SIP URI every call and registration is sent through (a preloaded Route, RFC 3261 §8.1.2). */
  outboundProxy: t.string,
  /**
   * SIP over TLS: our certificate and key and the authorities to trust, each PEM text or a file path (read at
   * build); peers' certificates are verified unless verifyPeer is false; the listener's port defaults to the
   * SIP port + 1 (5061 beside 5060).
   */
  tls: t.partial({
    cert: t.string, key: t.string, ca: t.string, verifyPeer: t.boolean, serverName: t.string,
    requireClientCert: t.boolean, port: Port, handshakeTimeoutMs: PositiveInt,
  }),
  /**
   * Our registrar (RFC 3261 §10.3): the domains we keep bindings for (default: our local address) and the
   * expiry bounds; present means on.
   */
  registrar: t.partial({
    domains: t.array(t.string), minExpiresSec: PositiveInt, maxExpiresSec: PositiveInt,
    defaultExpiresSec: PositiveInt, maxContacts: PositiveInt, sweepIntervalMs: PositiveInt,
  }),
  /** Digest authentication of incoming requests (RFC 7616); the users come from the credential store. */
  authentication: t.intersection([t.type({ realm: t.string }), t.partial({
    methods: t.array(t.string), algorithms: t.array(t.keyof({ 'SHA-512-256': null, 'SHA-256': null, MD5: null })),
    challenge: t.keyof({ www: null, proxy: null }), nonceLifetimeSec: PositiveInt, maxFailures: PositiveInt,
    failureWindowSec: PositiveInt,
  })]),
  /** MESSAGE bodies above this are refused 413 (RFC 3428 §7); default 16 KiB. */
  maxMessageBytes: PositiveInt,
  /** WebRTC media (ICE-lite, DTLS-SRTP) for browsers' calls: present means on. */
  webrtc: t.partial({ connectTimeoutMs: PositiveInt }),
  /** SIP over WebSocket (RFC 7118): listening ports, the path, allowed origins, keep-alive, queue cap. */
  websocket: t.partial({
    port: Port, securePort: Port, path: t.string, allowedOrigins: t.array(t.string), pingIntervalMs: PositiveInt,
    maxQueuedBytes: PositiveInt,
  }),
  /** Caps on TCP connections and how long an idle one is kept. */
  connectionLimits: t.partial({
    maxConnections: PositiveInt, maxConnectionsPerAddress: PositiveInt, idleTimeoutMs: PositiveInt,
  }),
})]);

export type SessionConfig = t.TypeOf<typeof SessionConfigCodec>;

export const DEFAULT_SESSION_CONFIG: SessionConfig = {
  localAddress: '127.0.0.1', bindHost: '127.0.0.1', sipPort: 5060, mediaPortStart: 10000, mediaPortEnd: 20000,
  transports: ['udp'], maxSessions: 10_000, maxSessionsPerUser: 1_000, sessionTimeoutMs: 0, deferTimeoutMs: 30_000,
  answerTimeoutMs: 120_000, lingerMs: 2_000,
  userAgent: 'session-core/0.1', codecs: ['PCMU', 'PCMA'], media: true, mediaEncryption: 'off',
  reliableProvisionals: 'supported',
};

/** Validates options, naming the first bad field and why (InvalidConfig). */
export const validateConfig = (input: unknown): E.Either<SessionError, SessionConfig> => {
  const decoded = SessionConfigCodec.decode(input);
  if (E.isLeft(decoded)) {
    const [first] = decoded.left;
    const field = first?.context.map((c) => c.key).filter((k) => k !== '' && !/^\d+$/.test(k)).join('.') ?? '?';
    const expected = first?.context[first.context.length - 1]?.type.name ?? 'a valid value';
    return E.left({
      kind: 'InvalidConfig', field, message: `${field}: expected ${expected}, got ${JSON.stringify(first?.value)}`,
    });
  }
  const c = decoded.right;
  if (c.mediaPortStart >= c.mediaPortEnd) return E.left({
    kind: 'InvalidConfig', field: 'mediaPorts',
    message: `mediaPorts: start ${c.mediaPortStart} must be below end ${c.mediaPortEnd}`,
  });
  if (c.codecs.length === 0) return E.left({
    kind: 'InvalidConfig', field: 'codecs', message: 'codecs: at least one of PCMU, PCMA',
  });
  if (c.credentials !== undefined && c.credentials.username.length === 0) return E.left({
    kind: 'InvalidConfig', field: 'credentials.username', message: 'credentials.username: must not be empty',
  });
  if (c.transports.length === 0) return E.left({
    kind: 'InvalidConfig', field: 'transports', message: 'transports: at least one of udp, tcp, tls, ws, wss',
  });
  return E.right(c);
};
