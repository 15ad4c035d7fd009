import { randomFillSync } from 'node:crypto';
import type { Random } from '../../ports/random.js';

const BATCH = 256;

/** Cryptographically strong randomness, drawn in batches to keep ids cheap. */
export class CryptoRandom implements Random {
  private readonly pool = new Uint32Array(BATCH);
  private index = BATCH;

  nextUint32(): number {
    if (this.index === BATCH) {
      randomFillSync(this.pool);
      this.index = 0;
    }
    return this.pool[this.index++] as number;
  }
}
