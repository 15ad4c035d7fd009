/** Polls `condition` on real time (loopback tests only) until true or `timeoutMs`. */
export const waitFor = async (condition: () => boolean, timeoutMs = 5_000, label = 'condition'): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};
