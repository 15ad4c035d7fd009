import { createCipheriv, type Cipher } from 'node:crypto';
import type { AesCounterMode, SrtpPrimitives } from '../../ports/cipher.js';
import { HmacSha1Midstate } from '../shared/hmac-sha1.js';

/**
 * AES-128 in counter mode over one ECB cipher kept for the key's lifetime:
 * the counter blocks are written out and encrypted in one call, and the
 * result XORed in (creating a CTR cipher per packet costs more than the work).
 */
class NodeAesCounterMode implements AesCounterMode {
  private readonly ecb: Cipher;
  private blocks = Buffer.alloc(256);

  constructor(key: Uint8Array) {
    this.ecb = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
    this.ecb.setAutoPadding(false);
  }

  xor(iv: Uint8Array, data: Uint8Array, offset: number, length: number): void {
    if (length <= 0) return;
    const count = Math.ceil(length / 16);
    if (this.blocks.length < count * 16) this.blocks = Buffer.alloc(count * 16);
    const blocks = this.blocks;
    blocks.set(iv, 0);
    for (let at = 16; at < count * 16; at += 16) {
      blocks.copyWithin(at, at - 16, at);
      // The previous block + 1, as a big-endian 128-bit integer.
      for (let i = at + 15; i >= at; i--) {
        const next = ((blocks[i] as number) + 1) & 0xff;
        blocks[i] = next;
        if (next !== 0) break;
      }
    }
    const keystream = this.ecb.update(blocks.subarray(0, count * 16));
    for (let i = 0; i < length; i++) data[offset + i] = (data[offset + i] as number) ^ (keystream[i] as number);
  }
}

/**
 * SRTP's AES-CM from node:crypto and HMAC-SHA1 from saved pad states
 * (adapters/shared/hmac-sha1.ts); both deterministic, so simulations use them too.
 */
export const nodeSrtpPrimitives: SrtpPrimitives = {
  aesCounterMode: (key) => new NodeAesCounterMode(key),
  hmacSha1: (key) => new HmacSha1Midstate(key),
};
