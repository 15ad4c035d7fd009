/** A sine tone generator that keeps its phase between frames, so tones stay continuous across 20 ms blocks. */
export interface ToneState {
  readonly frequenciesHz: ReadonlyArray<number>;
  readonly amplitude: number;
  readonly sampleRateHz: number;
  /** Samples generated so far. */
  readonly position: number;
}

export const tone = (frequenciesHz: number | ReadonlyArray<number>, amplitude = 8000, sampleRateHz = 8000): ToneState => ({
  frequenciesHz: typeof frequenciesHz === 'number' ? [frequenciesHz] : frequenciesHz, amplitude, sampleRateHz, position: 0,
});

/** Fills `out` with the next samples; returns the advanced state. */
export const nextToneFrame = (state: ToneState, out: Int16Array): ToneState => {
  const { frequenciesHz, amplitude, sampleRateHz, position } = state;
  const scale = amplitude / Math.max(1, frequenciesHz.length);
  for (let i = 0; i < out.length; i++) {
    let value = 0;
    for (const f of frequenciesHz) value += Math.sin((2 * Math.PI * f * (position + i)) / sampleRateHz);
    out[i] = Math.round(value * scale);
  }
  return { ...state, position: position + out.length };
};
