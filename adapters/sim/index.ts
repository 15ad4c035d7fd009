/** `session-core/testing`: the deterministic fakes for simulation tests. */
export { VirtualClock } from './virtual-clock.js';
export { SeededRandom } from './seeded-random.js';
export { MinHeap } from './min-heap.js';
export { InMemoryLogger, type LogLine } from '../memory/in-memory-logger.js';
