/** A sine tone generator that keeps its phase between frames, so tones stay continuous across 20 ms blocks. */
export interface ToneState {
  readonly frequenciesHz: ReadonlyArray<number>;
  readonly amplitude: number;
  readonly sampleRateHz: number;
  /** Samples generated so far. */
  readonly position: number;
}

export const tone = (
  frequenciesHz: number | ReadonlyArray<number>, amplitude = 8000, sampleRateHz = 8000,
): ToneState => ({
  frequenciesHz: typeof frequenciesHz === 'number' ? [frequenciesHz] : frequenciesHz,
  amplitude, sampleRateHz, position: 0,
});

/** Fills `out` with the next samples; returns the advanced state. */
export const nextToneFrame = (state: ToneState, out: Int16Array): ToneState => {
  const { frequenciesHz, amplitude, sampleRateHz, position } = state;
  const scale = amplitude / Math.max(1, frequenciesHz.length);
  if (frequenciesHz.length === 1) {
    writeOscillator(frequenciesHz[0] as number, sampleRateHz, position, scale, out);
    return { ...state, position: position + out.length };
  }
  out.fill(0);
  const mix = new Float64Array(out.length);
  for (const f of frequenciesHz) {
    // Recursive oscillator: sin(n+1) = 2·cos(w)·sin(n) − sin(n−1); two Math.sin calls per frame, not one per sample.
    const w = (2 * Math.PI * f) / sampleRateHz;
    const k = 2 * Math.cos(w);
    let previous = Math.sin(w * (position - 1));
    let current = Math.sin(w * position);
    for (let i = 0; i < out.length; i++) {
      mix[i] = (mix[i] as number) + current;
      const next = k * current - previous;
      previous = current;
      current = next;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.round((mix[i] as number) * scale);
  return { ...state, position: position + out.length };
};

/** One frequency straight into `out` (no mixing buffer): the common single-tone case. */
const writeOscillator = (
  frequencyHz: number, sampleRateHz: number, position: number, scale: number, out: Int16Array,
): void => {
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  const k = 2 * Math.cos(w);
  let previous = Math.sin(w * (position - 1));
  let current = Math.sin(w * position);
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.round(current * scale);
    const next = k * current - previous;
    previous = current;
    current = next;
  }
};
