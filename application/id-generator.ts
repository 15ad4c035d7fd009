import type { Random } from '../ports/random.js';

/** RFC 3261 §8.1.1.7: every branch created by an RFC 3261 element starts with this cookie. */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Protocol identifiers drawn from the Random port: with a seeded source the
 * same seed yields the same branches, tags and Call-IDs, so traces replay.
 */
export class IdGenerator {
  constructor(private readonly random: Random) {}

  /** `length` characters of [0-9a-z], about 5.17 bits each. */
  token(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += ALPHABET[this.random.nextUint32() % ALPHABET.length];
    return out;
  }

  /** A Via branch: the magic cookie plus 80+ random bits (§8.1.1.7). */
  branch(): string {
    return BRANCH_MAGIC_COOKIE + this.token(16);
  }

  /** A From/To tag: at least 32 random bits (§19.3). */
  tag(): string {
    return this.token(10);
  }

  /** A Call-ID, globally unique with high probability (§8.1.1.4). */
  callId(host?: string): string {
    const local = this.token(20);
    return host === undefined ? local : `${local}@${host}`;
  }

  /** An RTP SSRC (RFC 3550 §8: random 32 bits). */
  ssrc(): number {
    return this.random.nextUint32();
  }

  /** `length` random bytes (SRTP master keys and salts, RFC 4568 §6.1). */
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      const word = this.random.nextUint32();
      for (let k = 0; k < 4 && i + k < length; k++) out[i + k] = (word >>> (8 * k)) & 0xff;
    }
    return out;
  }

  /** An integer in [0, bound). */
  below(bound: number): number {
    return this.random.nextUint32() % bound;
  }
}
