/**
 * Polls `condition` on real time (loopback tests only) until true, or fails
 * after `timeoutMs`: a generous last resort, since a loaded machine is slow
 * and a met condition returns at once.
 */
export const waitFor = async (condition: () => boolean, timeoutMs = 30_000, label = 'condition'): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/** As waitFor, for a condition that must be asked for (a daemon's control port): polled every 100 ms. */
export const waitForAsync = async (
  condition: () => Promise<boolean>, timeoutMs = 30_000, label = 'condition',
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** Resolves once `read()` has reached `at least`, e.g. a packet count: media has flowed that long, however slow the machine. */
export const reached = (read: () => number, atLeast: number, label: string, timeoutMs = 60_000): Promise<void> =>
  waitFor(() => read() >= atLeast, timeoutMs, `${label} ≥ ${atLeast}`);
