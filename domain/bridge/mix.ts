/**
 * The mixing plan of a conference: every participant hears the sum of all the
 * others, never itself, saturated to 16 bits. One pass sums everyone into an
 * Int32 accumulator; each output is the total minus its own input.
 */
export const saturate16 = (x: number): number => (x > 32767 ? 32767 : x < -32768 ? -32768 : x);

/**
 * `inputs[i]` is participant i's latest frame (undefined = nothing new);
 * `outputs[i]` receives what participant i must hear. All frames have the same length.
 */
export const mixExcludingSelf = (
  inputs: ReadonlyArray<Int16Array | undefined>, outputs: ReadonlyArray<Int16Array>, scratch?: Int32Array,
): void => {
  const length = outputs[0]?.length ?? 0;
  const total = scratch !== undefined && scratch.length >= length ? scratch : new Int32Array(length);
  total.fill(0, 0, length);
  for (const input of inputs) {
    if (input === undefined) continue;
    for (let k = 0; k < length; k++) total[k] = (total[k] as number) + (input[k] as number);
  }
  for (let i = 0; i < outputs.length; i++) {
    const out = outputs[i] as Int16Array;
    const own = inputs[i];
    if (own === undefined) for (let k = 0; k < length; k++) out[k] = saturate16(total[k] as number);
    else for (let k = 0; k < length; k++) out[k] = saturate16((total[k] as number) - (own[k] as number));
  }
};
