/**
 * `session-core`: the public API — build a coordinator, handle calls, listen
 * to events. The SIP stack's building blocks underneath (transports,
 * transaction layer, UA core, the DI container) are in `session-core/internals`.
 */
export { SessionManagerBuilder, type SimulationOptions } from './session-manager-builder.js';
export {
  SessionCoordinator, DEFAULT_STOP_GRACE_MS,
  type SessionStats, type CoordinatorMetrics, type MediaInfo, type OutgoingCallOptions, type RegisterOptions,
  type RegistrationInfo,
} from '../../application/session/session-coordinator.js';
export {
  AutoAnswerHandler, RejectAllHandler, CompositeHandler, type CallHandler, type CallInfo, type SubscriptionRequest,
  type SubscriptionVerdict,
} from '../../application/session/call-handler.js';
export type { SubscriptionInfo } from '../../application/events/subscriber.js';
export type { MessageSummary } from '../../domain/events/message-summary.js';
export { escapeXml, readPidf, type PresenceState } from '../../domain/events/presence.js';
export { CallHandle } from '../../application/session/call-handle.js';
export { B2bua } from '../../application/session/b2bua.js';
export { RelayedB2bua } from '../../application/session/relayed-b2bua.js';
export type { MediaRelay, MediaRelayError, RelayCall } from '../../ports/media-relay.js';
export { RtpengineRelay, parseRtpengineSpec, type RtpengineOptions } from '../node/rtpengine-relay.js';
export { ForkingRouter, type ForkingRouterOptions } from '../../application/session/forking-router.js';
export {
  EventBus, type EventFilter, type EventStream, type Subscription,
} from '../../application/session/event-bus.js';
export type { SessionConfig } from '../../application/session/session-config.js';
export { CallDecision } from '../../domain/session/call-decision.js';
export type { SessionError, SessionErrorKind } from '../../domain/session/session-error.js';
export { sessionException, type SessionException } from '../../application/session/session-exception.js';
export type { SessionEvent, SessionEventType, RegistrationStateName } from '../../domain/session/session-event.js';
export type { CallState } from '../../domain/session/call-state.js';
export type { MediaStatistics } from '../../application/media/media-session.js';
export type { AudioSource, AudioSink } from '../../application/media/audio-io.js';
export type { BridgeEvent, BridgeInfo } from '../../application/session/bridge-service.js';
export { readWavFile, writeWavFile } from '../media/wav-file.js';
export { summarize, type SipTraceEntry } from '../shared/tracing-transport.js';
export { ladder, type LadderParty } from '../shared/ladder.js';
export { dominantFrequency, goertzelPower } from '../../domain/media/goertzel.js';
export type { Logger, LogFields, LogLevel } from '../../ports/logger.js';
export { PinoLogger } from '../node/pino-logger.js';
export { InMemoryLocationStore } from '../memory/in-memory-location-store.js';
export { InMemoryCredentialStore } from '../memory/in-memory-credential-store.js';
export type { LocationStore, Binding } from '../../ports/location-store.js';
export type { CredentialStore, DigestAlgorithm } from '../../ports/credential-store.js';
export type { IncomingMessage } from '../../application/session/message-service.js';
export type { AuthCounters } from '../../application/auth/authenticator.js';
export { ANSWERED_ELSEWHERE, type EndReason } from '../../domain/sip/reason-header.js';
export { InMemoryLogger } from '../memory/in-memory-logger.js';
export type { DtmfMethod, DtmfOptions } from '../../application/session/dtmf-service.js';
export type { Resolver, NaptrRecord, SrvRecord, AddressRecord, DnsAnswer, DnsFailure } from '../../ports/resolver.js';
export { DnsResolver, type DnsResolverOptions } from '../node/dns-resolver.js';
export { NodeWavFiles } from '../node/wav-files.js';
export type { RecordingDirection, RecordingResult } from '../../application/media/file-media.js';
export { SessionMetrics } from '../http/session-metrics.js';
export { startHttpServer, type HttpServer, type HttpServerOptions } from '../http/http-server.js';
export { CallTraces, type CallTracesOptions, type TraceLine } from '../http/call-traces.js';
export type { EventSocketOptions } from '../http/event-socket.js';
export { InMemoryDialogStore } from '../memory/in-memory-dialog-store.js';
export { RedisDialogStore, type RedisDialogStoreOptions } from '../node/redis-dialog-store.js';
export { RedisLocationStore, type RedisLocationStoreOptions } from '../node/redis-location-store.js';
export type { DialogStore, DialogStoreBatch, CallSnapshot } from '../../ports/dialog-store.js';
export type { ClusterOptions } from './cluster-services.js';
export type { PersistenceStats } from '../../application/cluster/dialog-persistence.js';
export type { RecoveryStats } from '../../application/cluster/call-recovery.js';
export type { WorkerWatchStats } from '../../application/cluster/worker-watch.js';
export type { ClusterStats } from '../../application/cluster/cluster-stats.js';
