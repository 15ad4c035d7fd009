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
export { MultiTransport } from '../../application/multi-transport.js';
export { TransactionLayer, type TransactionUser, type ClientTransaction, type ServerTransaction, type ClientCallbacks } from '../../application/transaction-layer.js';
export { UaCore, type UaHandler, type CallOptions } from '../../application/ua/ua-core.js';
export type { IncomingInvite, AnswerOptions } from '../../application/ua/incoming-invite.js';
export type { OutgoingInvite, OutgoingOutcome } from '../../application/ua/outgoing-invite.js';
export type { InviteSession, InviteSessionHandler, Answer, RequestOutcome, SessionEndReason } from '../../application/ua/invite-session.js';
export type { SipTransport, InboundMessage, TransportCounters } from '../../ports/sip-transport.js';
export type { RtpSocket, RtpSocketFactory } from '../../ports/rtp-socket.js';
export { endpoint, type Endpoint, type TransportProtocol } from '../../domain/transport/endpoint.js';
