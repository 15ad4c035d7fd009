import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

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
  console.log(
    `${name.padEnd(58)} ${formatRate(perSecond).padStart(12)} ops/s ${usPerOp.toFixed(3).padStart(10)} µs/op`,
  );
};

export const formatRate = (n: number): string =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(1);

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const DIST_ENTRY = path.join(BENCH_DIR, '../../dist/adapters/composition/index.js');

/**
 * Runs a bench script of this folder in a fresh Node process (as a server runs:
 * no earlier benchmark's heap or JIT state) and prints what it printed. `mode`
 * picks the compiled dist/ (built by `npm run bench`) or the sources under tsx;
 * 'best' means dist/ when it exists.
 */
export const runFresh = (
  script: string, mode: 'dist' | 'source' | 'best', extraArgs: ReadonlyArray<string> = [],
  nodeFlags: ReadonlyArray<string> = [],
): string => {
  const file = path.join(BENCH_DIR, script);
  const useDist = mode === 'dist' || (mode === 'best' && existsSync(DIST_ENTRY));
  if (useDist && !existsSync(DIST_ENTRY)) {
    console.log(`${script} on dist/: skipped (run npm run build first)`);
    return '';
  }
  const args = useDist ? [...nodeFlags, file, 'dist', ...extraArgs] : [
    ...nodeFlags, '--import', 'tsx/esm', file, 'source', ...extraArgs,
  ];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000 });
  const printed = (child.stdout || child.stderr || `${script} printed nothing`).trim();
  console.log(printed);
  return printed;
};
