/** `session-core/testing`: the deterministic fakes for simulation tests. */
export { VirtualClock } from './virtual-clock.js';
export { SeededRandom } from './seeded-random.js';
export { MinHeap } from './min-heap.js';
export { SimTrace, describeSip, describeRtp } from './sim-trace.js';
export {
  SimulatedNetwork, PERFECT_LINK, type LinkImpairment, type SimAddress, type SimDatagramSocket,
  type SimStreamConnection, type NetworkTap, type SimPacket,
} from './simulated-network.js';
export { SimulatedSipTransport, type SimulatedListenOptions } from './simulated-sip-transport.js';
export { SimulatedRtpSocketFactory } from './simulated-rtp-socket.js';
export { InMemoryLogger, type LogLine } from '../memory/in-memory-logger.js';
export { SimulatedResolver, type Zone } from './simulated-resolver.js';
export { SimulatedMediaRelay } from './simulated-media-relay.js';
