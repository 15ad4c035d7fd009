/**
 * G.711 µ-law (PCMU) and A-law (PCMA), bit-exact with the ITU-T G.191 reference
 * (g711.c: ulaw_compress/expand, alaw_compress/expand). The reference
 * arithmetic runs once at load to fill tables: 256 entries to decode, 65,536
 * to encode, so the hot path is one array lookup per sample.
 */

/** ITU-T G.191 alaw_compress for one 16-bit sample (13 significant bits). */
export const alawCompressReference = (sample: number): number => {
  let ix = sample < 0 ? ~sample >> 4 : sample >> 4;
  if (ix > 15) {
    let exponent = 1;
    while (ix > 16 + 15) {
      ix >>= 1;
      exponent++;
    }
    ix -= 16;
    ix += exponent << 4;
  }
  if (sample >= 0) ix |= 0x80;
  return (ix ^ 0x55) & 0xff;
};

/** ITU-T G.191 alaw_expand for one code byte. */
export const alawExpandReference = (code: number): number => {
  const ix = (code ^ 0x55) & 0x7f;
  const exponent = ix >> 4;
  let mantissa = ix & 0x0f;
  if (exponent > 0) mantissa += 16;
  mantissa = (mantissa << 4) + 0x08;
  if (exponent > 1) mantissa <<= exponent - 1;
  return code > 127 ? mantissa : -mantissa;
};

/** ITU-T G.191 ulaw_compress for one 16-bit sample (14 significant bits). */
export const ulawCompressReference = (sample: number): number => {
  let absno = sample < 0 ? (~sample >> 2) + 33 : (sample >> 2) + 33;
  if (absno > 0x1fff) absno = 0x1fff;
  let i = absno >> 6;
  let segment = 1;
  while (i !== 0) {
    segment++;
    i >>= 1;
  }
  const high = 0x08 - segment;
  const low = 0x0f - ((absno >> segment) & 0x0f);
  let code = (high << 4) | low;
  if (sample >= 0) code |= 0x80;
  return code & 0xff;
};

/** ITU-T G.191 ulaw_expand for one code byte. */
export const ulawExpandReference = (code: number): number => {
  const sign = code < 0x80 ? -1 : 1;
  const inverted = ~code;
  const exponent = (inverted >> 4) & 0x07;
  const mantissa = inverted & 0x0f;
  const step = 4 << (exponent + 1);
  return sign * ((0x80 << exponent) + step * mantissa + step / 2 - 4 * 33);
};

const buildDecode = (expand: (code: number) => number): Int16Array => Int16Array.from(
  { length: 256 }, (_, code) => expand(code),
);
const buildEncode = (compress: (sample: number) => number): Uint8Array => {
  const table = new Uint8Array(65536);
  // Index = sample & 0xffff, so negative samples live in the upper half.
  for (let sample = -32768; sample < 32768; sample++) table[sample & 0xffff] = compress(sample);
  return table;
};

export const MULAW_DECODE: Int16Array = buildDecode(ulawExpandReference);
export const ALAW_DECODE: Int16Array = buildDecode(alawExpandReference);
const MULAW_ENCODE = buildEncode(ulawCompressReference);
const ALAW_ENCODE = buildEncode(alawCompressReference);

const encodeWith = (table: Uint8Array, pcm: Int16Array, out: Uint8Array): Uint8Array => {
  for (let i = 0; i < pcm.length; i++) out[i] = table[(pcm[i] as number) & 0xffff] as number;
  return out;
};

const decodeWith = (table: Int16Array, bytes: Uint8Array, out: Int16Array): Int16Array => {
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i] as number] as number;
  return out;
};

/** Encodes 16-bit PCM to µ-law; pass `out` (same length) to avoid allocating. */
export const encodeMuLaw = (pcm: Int16Array, out: Uint8Array = new Uint8Array(pcm.length)): Uint8Array => encodeWith(
  MULAW_ENCODE, pcm, out,
);
export const decodeMuLaw = (bytes: Uint8Array, out: Int16Array = new Int16Array(bytes.length)): Int16Array =>
  decodeWith(MULAW_DECODE, bytes, out);
export const encodeALaw = (pcm: Int16Array, out: Uint8Array = new Uint8Array(pcm.length)): Uint8Array => encodeWith(
  ALAW_ENCODE, pcm, out,
);
export const decodeALaw = (bytes: Uint8Array, out: Int16Array = new Int16Array(bytes.length)): Int16Array => decodeWith(
  ALAW_DECODE, bytes, out,
);

export type G711Codec = 'PCMU' | 'PCMA';

export const encodeG711 = (codec: G711Codec, pcm: Int16Array, out?: Uint8Array): Uint8Array =>
  codec === 'PCMU' ? encodeMuLaw(pcm, out) : encodeALaw(pcm, out);
export const decodeG711 = (codec: G711Codec, bytes: Uint8Array, out?: Int16Array): Int16Array =>
  codec === 'PCMU' ? decodeMuLaw(bytes, out) : decodeALaw(bytes, out);

/** The code for digital silence (0), for comfort frames and padding. */
export const G711_SILENCE: Readonly<Record<G711Codec, number>> = { PCMU: 0xff, PCMA: 0xd5 };
