import { performance } from 'node:perf_hooks';

export interface BenchResult {
  readonly name: string;
  readonly ops: number;
  readonly elapsedMs: number;
}

/** Runs `body` (which performs `ops` operations) after a warm-up and prints the rate. */
export const measure = (name: string, ops: number, body: () => void, warmup = true): BenchResult => {
  if (warmup) body();
  const start = performance.now();
  body();
  const elapsedMs = performance.now() - start;
  const result = { name, ops, elapsedMs };
  report(result);
  return result;
};

export const report = ({ name, ops, elapsedMs }: BenchResult): void => {
  const perSecond = (ops / elapsedMs) * 1000;
  const usPerOp = (elapsedMs * 1000) / ops;
  console.log(`${name.padEnd(58)} ${formatRate(perSecond).padStart(12)} ops/s ${usPerOp.toFixed(3).padStart(10)} µs/op`);
};

export const formatRate = (n: number): string =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(1);
