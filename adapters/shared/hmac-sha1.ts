/**
 * HMAC-SHA1 (RFC 2104, FIPS 180-4) for a key used for millions of short
 * messages — SRTP's per-packet tags. The key's inner and outer pads are
 * hashed once, and each message continues from those saved states: four
 * compressions per 160-byte packet instead of six, and no object per packet
 * (node:crypto's createHmac costs more than the hashing itself here).
 */

const w = new Int32Array(80);
/** A message's padded blocks are assembled here (grown on demand). */
let scratch = new Uint8Array(512);

/** Runs the compression function over `blocks` 64-byte blocks of `bytes` from `offset`, updating `h`. */
const compress = (h: Int32Array, bytes: Uint8Array, offset: number, blocks: number): void => {
  let h0 = h[0] as number;
  let h1 = h[1] as number;
  let h2 = h[2] as number;
  let h3 = h[3] as number;
  let h4 = h[4] as number;
  for (let block = 0; block < blocks; block++) {
    const at = offset + block * 64;
    for (let i = 0; i < 16; i++) {
      const p = at + 4 * i;
      w[i] = ((bytes[p] as number) << 24) | ((bytes[p + 1] as number) << 16) | ((bytes[p + 2] as number) << 8)
        | (bytes[p + 3] as number);
    }
    for (let i = 16; i < 80; i++) {
      const x = (w[i - 3] as number) ^ (w[i - 8] as number) ^ (w[i - 14] as number) ^ (w[i - 16] as number);
      w[i] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    // Four rounds of twenty, each with its own function and constant (no branch per step).
    for (let i = 0; i < 20; i++) {
      const t = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + (w[i] as number)) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    for (let i = 20; i < 40; i++) {
      const t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + (w[i] as number)) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    for (let i = 40; i < 60; i++) {
      const t = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + 0x8f1bbcdc + (w[i] as number)) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    for (let i = 60; i < 80; i++) {
      const t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + (w[i] as number)) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  h[0] = h0;
  h[1] = h1;
  h[2] = h2;
  h[3] = h3;
  h[4] = h4;
};

const INITIAL = Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0);

/** The state after one 64-byte block of `pad` XOR key. */
const padState = (key: Uint8Array, pad: number): Int32Array => {
  const block = new Uint8Array(64);
  for (let i = 0; i < 64; i++) block[i] = (i < key.length ? (key[i] as number) : 0) ^ pad;
  const h = INITIAL.slice();
  compress(h, block, 0, 1);
  return h;
};

/**
 * Finishes a hash begun at state `start` (one 64-byte block already in) over
 * `length` bytes at the front of `scratch`, padding them there.
 */
const finish = (start: Int32Array, length: number, out: Int32Array): void => {
  const total = 64 + length;
  const padded = Math.ceil((length + 9) / 64) * 64;
  scratch[length] = 0x80;
  scratch.fill(0, length + 1, padded - 4);
  const bits = total * 8;
  scratch[padded - 4] = bits >>> 24;
  scratch[padded - 3] = (bits >>> 16) & 0xff;
  scratch[padded - 2] = (bits >>> 8) & 0xff;
  scratch[padded - 1] = bits & 0xff;
  out.set(start);
  compress(out, scratch, 0, padded / 64);
};

const inner = new Int32Array(5);
const outer = new Int32Array(5);

/** HMAC-SHA1 under one key (at most 64 bytes, as SRTP's 20-byte keys are). */
export class HmacSha1Midstate {
  private readonly inner: Int32Array;
  private readonly outer: Int32Array;

  constructor(key: Uint8Array) {
    if (key.length > 64) throw new RangeError('HMAC keys longer than a block are hashed first; not needed here');
    this.inner = padState(key, 0x36);
    this.outer = padState(key, 0x5c);
  }

  /** The 20-byte MAC of `data[offset, offset + length)` followed by `trailer`, into `out`. */
  sign(data: Uint8Array, offset: number, length: number, trailer: Uint8Array | undefined, out: Uint8Array): void {
    const size = length + (trailer?.length ?? 0);
    if (scratch.length < size + 72) scratch = new Uint8Array(2 * (size + 72));
    scratch.set(data.subarray(offset, offset + length));
    if (trailer !== undefined) scratch.set(trailer, length);
    finish(this.inner, size, inner);
    for (let i = 0; i < 5; i++) {
      const v = inner[i] as number;
      scratch[4 * i] = v >>> 24;
      scratch[4 * i + 1] = (v >>> 16) & 0xff;
      scratch[4 * i + 2] = (v >>> 8) & 0xff;
      scratch[4 * i + 3] = v & 0xff;
    }
    finish(this.outer, 20, outer);
    for (let i = 0; i < 5; i++) {
      const v = outer[i] as number;
      out[4 * i] = v >>> 24;
      out[4 * i + 1] = (v >>> 16) & 0xff;
      out[4 * i + 2] = (v >>> 8) & 0xff;
      out[4 * i + 3] = v & 0xff;
    }
  }
}
