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
