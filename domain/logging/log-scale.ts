/**
 * Whether the `count`-th occurrence of something repeated deserves a log
 * line: the 1st, 10th, 100th, 1000th… A flood is visible in the log, with its
 * size, without flooding it — and the choice needs no clock, so a simulation
 * logs the same lines for the same seed.
 */
export const isLogWorthy = (count: number): boolean => {
  let x = count;
  while (x >= 10 && x % 10 === 0) x /= 10;
  return x === 1;
};
