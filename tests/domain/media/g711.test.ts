import test from 'ava';
import {
  ALAW_DECODE, decodeALaw, decodeMuLaw, encodeALaw, encodeMuLaw, G711_SILENCE, MULAW_DECODE,
} from '../../../domain/media/g711.js';
import { corpusTest, readTestdata } from '../../support/testdata.js';

interface Table { readonly table: number[]; readonly encode_spot_checks: Array<{ linear: number; code: number }> }
const withTables = corpusTest('g711');
const load = (name: string): Table => JSON.parse(readTestdata(`g711/${name}`).toString()) as Table;

withTables('G.711 µ-law: all 256 codes decode to the ITU-T G.191 values', (t) => {
  t.deepEqual(Array.from(MULAW_DECODE), load('ulaw_decode.json').table);
});

withTables('G.711 A-law: all 256 codes decode to the ITU-T G.191 values', (t) => {
  t.deepEqual(Array.from(ALAW_DECODE), load('alaw_decode.json').table);
});

withTables('G.711: the ITU encode spot checks hold for both laws (incl. -1 → 0x7F, where Sun g711.c says 0x7E)', (
  t,
) => {
  for (const { linear, code } of load('ulaw_decode.json').encode_spot_checks) t.is(
    encodeMuLaw(Int16Array.of(linear))[0], code, `µ-law ${linear}`,
  );
  for (const { linear, code } of load('alaw_decode.json').encode_spot_checks) t.is(
    encodeALaw(Int16Array.of(linear))[0], code, `A-law ${linear}`,
  );
});

// An independent transcription of ITU-T G.191 g711.c, written in the style of the C source, to check the tables.
const itu = {
  ulaw(x: number): number {
    let absno = x < 0 ? ((~x) >> 2) + 33 : (x >> 2) + 33;
    if (absno > 0x1fff) absno = 0x1fff;
    let i = absno >> 6;
    let segno = 1;
    while (i !== 0) { segno++; i >>= 1; }
    const high = 0x0008 - segno;
    const low = 0x000f - ((absno >> segno) & 0x000f);
    let out = (high << 4) | low;
    if (x >= 0) out |= 0x0080;
    return out;
  },
  alaw(x: number): number {
    let ix = x < 0 ? (~x) >> 4 : x >> 4;
    if (ix > 15) {
      let iexp = 1;
      while (ix > 16 + 15) { ix >>= 1; iexp++; }
      ix -= 16;
      ix += iexp << 4;
    }
    if (x >= 0) ix |= 0x0080;
    return ix ^ 0x0055;
  },
};

test('G.711: encoding every 16-bit sample matches the ITU-T reference algorithm, both laws', (t) => {
  const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
  const mu = encodeMuLaw(all);
  const a = encodeALaw(all);
  let mismatches = 0;
  for (let i = 0; i < all.length; i++) {
    if (mu[i] !== itu.ulaw(all[i]!)) mismatches++;
    if (a[i] !== itu.alaw(all[i]!)) mismatches++;
  }
  t.is(mismatches, 0);
});

test('G.711: decode(encode(x)) stays within half a quantization step; silence codes decode to near zero', (t) => {
  const samples = Int16Array.from({ length: 2000 }, (_, i) => Math.round(Math.sin(i / 7) * 20000));
  const mu = decodeMuLaw(encodeMuLaw(samples));
  const a = decodeALaw(encodeALaw(samples));
  for (let i = 0; i < samples.length; i++) {
    const x = Math.abs(samples[i]!);
    const tolerance = Math.max(16, x / 16);
    if (Math.abs(mu[i]! - samples[i]!) > tolerance || Math.abs(a[i]! - samples[i]!) > tolerance) return t.fail(
      `sample ${i}`,
    );
  }
  t.is(decodeMuLaw(Uint8Array.of(G711_SILENCE.PCMU))[0], 0);
  t.is(Math.abs(decodeALaw(Uint8Array.of(G711_SILENCE.PCMA))[0]!), 8);
  const out = new Uint8Array(4);
  t.is(encodeMuLaw(Int16Array.of(0, 1, 2, 3), out), out, 'writes into the caller\'s buffer');
});
