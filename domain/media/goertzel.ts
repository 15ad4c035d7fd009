/**
 * The Goertzel algorithm: the power of one frequency in a block of samples,
 * cheaper than an FFT when only a few frequencies matter (tone checks, in-band DTMF).
 */
export const goertzelPower = (
  samples: Int16Array, frequencyHz: number, sampleRateHz = 8000, start = 0, end = samples.length,
): number => {
  const n = end - start;
  const k = Math.round((n * frequencyHz) / sampleRateHz);
  const coefficient = 2 * Math.cos((2 * Math.PI * k) / n);
  let s1 = 0;
  let s2 = 0;
  for (let i = start; i < end; i++) {
    const s0 = (samples[i] as number) + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / (n * n);
};

/** The strongest of `candidates` and its share of their total power. */
export const dominantFrequency = (
  samples: Int16Array, candidates: ReadonlyArray<number>, sampleRateHz = 8000,
): { readonly frequencyHz: number; readonly share: number } => {
  const powers = candidates.map((f) => goertzelPower(samples, f, sampleRateHz));
  const total = powers.reduce((a, b) => a + b, 0);
  let best = 0;
  for (let i = 1; i < powers.length; i++) if ((powers[i] as number) > (powers[best] as number)) best = i;
  return { frequencyHz: candidates[best] as number, share: total === 0 ? 0 : (powers[best] as number) / total };
};

const ROWS = [697, 770, 852, 941];
const COLUMNS = [1209, 1336, 1477, 1633];
const KEYS = ['123A', '456B', '789C', '*0#D'];

/** In-band DTMF on one block (≥ 20 ms at 8 kHz): the key whose row and column tones dominate, if any. */
export const detectDtmfTone = (samples: Int16Array, sampleRateHz = 8000): string | undefined => {
  const rows = ROWS.map((f) => goertzelPower(samples, f, sampleRateHz));
  const cols = COLUMNS.map((f) => goertzelPower(samples, f, sampleRateHz));
  const r = rows.indexOf(Math.max(...rows));
  const c = cols.indexOf(Math.max(...cols));
  const energy = samples.reduce((sum, x) => sum + x * x, 0) / samples.length;
  // The two tones must carry most of the signal (a speech or noise block does not).
  if (energy === 0 || ((rows[r] as number) + (cols[c] as number)) * 2 < energy * 0.5) return undefined;
  return KEYS[r]?.[c];
};
