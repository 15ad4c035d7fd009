/**
 * `session-core/internals`: the building blocks under the session API, for
 * users who assemble their own stack (a proxy, a registrar, tests at the
 * transaction level). They follow the code, not semver: the stable API is
 * `session-core`.
 */
export { createContainer, type Wiring } from './container.js';
export { bindSessionServices, SERVICES } from './session-services.js';
export { TOKENS } from '../../ports/tokens.js';
export type { Clock, TimerHandle } from '../../ports/clock.js';
export type { Random } from '../../ports/random.js';
export type { SipTransport, InboundMessage, TransportCounters } from '../../ports/sip-transport.js';
export type { RtpSocket, RtpSocketFactory } from '../../ports/rtp-socket.js';
export { IdGenerator, BRANCH_MAGIC_COOKIE } from '../../application/id-generator.js';
export { SystemClock } from '../node/system-clock.js';
export { CryptoRandom } from '../node/crypto-random.js';
export { UdpSipTransport, type UdpListenOptions } from '../node/udp-sip-transport.js';
export { TcpSipTransport, type TcpListenOptions } from '../node/tcp-sip-transport.js';
export { UdpRtpSocketFactory, type RtpPortRange } from '../node/udp-rtp-socket.js';
export { MultiTransport } from '../shared/multi-transport.js';
export { TracingTransport } from '../shared/tracing-transport.js';
export {
  TransactionLayer, type TransactionUser, type ClientTransaction, type ServerTransaction, type ClientCallbacks,
} from '../../application/transaction-layer.js';
export { UaCore, type UaHandler, type CallOptions } from '../../application/ua/ua-core.js';
export type { IncomingInvite, AnswerOptions } from '../../application/ua/incoming-invite.js';
export type { OutgoingInvite, OutgoingOutcome } from '../../application/ua/outgoing-invite.js';
export type {
  InviteSession, InviteSessionHandler, Answer, RequestOutcome, SessionEndReason,
} from '../../application/ua/invite-session.js';
export { endpoint, type Endpoint, type TransportProtocol } from '../../domain/transport/endpoint.js';
