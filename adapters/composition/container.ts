import 'reflect-metadata';
import { Container } from 'inversify';
import type { Clock } from '../../ports/clock.js';
import type { SrtpPrimitives } from '../../ports/cipher.js';
import type { Hash } from '../../ports/hash.js';
import type { Logger } from '../../ports/logger.js';
import type { Random } from '../../ports/random.js';
import { TOKENS } from '../../ports/tokens.js';
import { InMemoryLogger } from '../memory/in-memory-logger.js';
import { CryptoRandom } from '../node/crypto-random.js';
import { NodeHash } from '../node/node-hash.js';
import { NodeWavFiles } from '../node/wav-files.js';
import type { AudioFiles } from '../../ports/audio-files.js';
import { nodeSrtpPrimitives } from '../node/node-srtp-primitives.js';
import { PinoLogger } from '../node/pino-logger.js';
import { SystemClock } from '../node/system-clock.js';
import { SeededRandom } from '../sim/seeded-random.js';
import { VirtualClock } from '../sim/virtual-clock.js';

/** Which adapters to wire: the real machine, or the deterministic fakes. */
export type Wiring =
  | { readonly kind: 'real'; readonly logger?: Logger }
  | { readonly kind: 'simulated'; readonly seed: number; readonly clock?: VirtualClock; readonly logger?: Logger };

/**
 * The composition root: the only place that knows both ports and adapters.
 * Bindings use factories (`toDynamicValue`), so no class needs decorators.
 */
export const createContainer = (wiring: Wiring): Container => {
  const container = new Container();
  // Hashing is pure: the same adapter serves real runs and simulations.
  container.bind<Hash>(TOKENS.Hash).toDynamicValue(() => new NodeHash()).inSingletonScope();
  // So is SRTP's cipher work (keys come from the Random port, seeded in simulations).
  container.bind<SrtpPrimitives>(TOKENS.SrtpPrimitives).toConstantValue(nodeSrtpPrimitives);
  // Files are files in simulations too (a recording is read back the same way).
  container.bind<AudioFiles>(TOKENS.AudioFiles).toDynamicValue(() => new NodeWavFiles()).inSingletonScope();
  if (wiring.kind === 'real') {
    container.bind<Clock>(TOKENS.Clock).toDynamicValue(() => new SystemClock()).inSingletonScope();
    container.bind<Random>(TOKENS.Random).toDynamicValue(() => new CryptoRandom()).inSingletonScope();
    container.bind<Logger>(TOKENS.Logger)
      .toDynamicValue(() => wiring.logger ?? PinoLogger.create({ level: 'warn' })).inSingletonScope();
  } else {
    const clock = wiring.clock ?? new VirtualClock();
    container.bind<Clock>(TOKENS.Clock).toConstantValue(clock);
    container.bind<Random>(TOKENS.Random).toDynamicValue(() => new SeededRandom(wiring.seed)).inSingletonScope();
    container.bind<Logger>(TOKENS.Logger)
      .toDynamicValue(() => wiring.logger ?? new InMemoryLogger()).inSingletonScope();
  }
  return container;
};
