/** `session-core`: the public entry. */
export { createContainer, type Wiring } from './container.js';
export { TOKENS } from '../../ports/tokens.js';
export type { Clock, TimerHandle } from '../../ports/clock.js';
export type { Random } from '../../ports/random.js';
export type { Logger, LogFields, LogLevel } from '../../ports/logger.js';
export { IdGenerator, BRANCH_MAGIC_COOKIE } from '../../application/id-generator.js';
export { SystemClock } from '../node/system-clock.js';
export { CryptoRandom } from '../node/crypto-random.js';
export { PinoLogger } from '../node/pino-logger.js';
export { InMemoryLogger } from '../memory/in-memory-logger.js';
// Transports and the SIP stack (until the session API lands, these are the public building blocks).
export { UdpSipTransport, type UdpListenOptions } from '../node/udp-sip-transport.js';
export { TcpSipTransport, type TcpListenOptions } from '../node/tcp-sip-transport.js';
export { UdpRtpSocketFactory, type RtpPortRange } from '../node/udp-rtp-socket.js';
export { MultiTransport } from '../shared/multi-transport.js';
export { TransactionLayer, type TransactionUser, type ClientTransaction, type ServerTransaction, type ClientCallbacks } from '../../application/transaction-layer.js';
export { UaCore, type UaHandler, type CallOptions } from '../../application/ua/ua-core.js';
export type { IncomingInvite, AnswerOptions } from '../../application/ua/incoming-invite.js';
export type { OutgoingInvite, OutgoingOutcome } from '../../application/ua/outgoing-invite.js';
export type { InviteSession, InviteSessionHandler, Answer, RequestOutcome, SessionEndReason } from '../../application/ua/invite-session.js';
export type { SipTransport, InboundMessage, TransportCounters } from '../../ports/sip-transport.js';
export type { RtpSocket, RtpSocketFactory } from '../../ports/rtp-socket.js';
export { endpoint, type Endpoint, type TransportProtocol } from '../../domain/transport/endpoint.js';
// The session API.
export { SessionManagerBuilder, type SimulationOptions } from './session-manager-builder.js';
export {
  SessionCoordinator, type SessionStats, type MediaInfo, type OutgoingCallOptions, type RegisterOptions, type RegistrationInfo,
} from '../../application/session/session-coordinator.js';
export { AutoAnswerHandler, RejectAllHandler, CompositeHandler, type CallHandler, type CallInfo } from '../../application/session/call-handler.js';
export { EventBus, type EventFilter, type EventStream, type Subscription } from '../../application/session/event-bus.js';
export type { SessionConfig } from '../../application/session/session-config.js';
export { CallDecision } from '../../domain/session/call-decision.js';
export type { SessionError, SessionErrorKind } from '../../domain/session/session-error.js';
export type { SessionEvent, SessionEventType } from '../../domain/session/session-event.js';
export type { CallState } from '../../domain/session/call-state.js';
export type { MediaStatistics } from '../../application/media/media-session.js';
export type { AudioSource, AudioSink } from '../../application/media/audio-io.js';
export { readWavFile, writeWavFile } from '../media/wav-file.js';
export { TracingTransport, ladder, summarize, type SipTraceEntry, type LadderParty } from '../shared/tracing-transport.js';
export { dominantFrequency, goertzelPower } from '../../domain/media/goertzel.js';
export { B2bua } from '../../application/session/b2bua.js';
export type { BridgeEvent, BridgeInfo } from '../../application/session/bridge-service.js';
export { sessionException, type SessionException } from '../../application/session/session-exception.js';
