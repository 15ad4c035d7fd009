import type { RunOptions, RunResult } from './swarm-run.js';
import type { World } from './world.js';

export interface Shrunk {
  readonly world: World;
  readonly result: RunResult;
  readonly runs: number;
}

/** The world without the calls at the given positions; the rest keep their numbers' meaning. */
const withCalls = (world: World, keep: (index: number) => boolean): World => {
  const calls = world.calls.filter((c) => keep(c.index)).map((c, index) => ({ ...c, index }));
  return { ...world, calls };
};

/**
 * Makes a failing world smaller while the same invariant still breaks: halves of the calls first, then
 * single calls, then each fault, then each call's operations. Bounded by `maxRuns` reruns.
 */
export const shrink = async (
  world: World, failing: RunResult, run: (w: World, o: RunOptions) => Promise<RunResult>, options: RunOptions,
  maxRuns = 60,
): Promise<Shrunk> => {
  const invariant = failing.violations[0]?.invariant;
  let best = { world, result: failing };
  let runs = 0;
  const stillFails = async (candidate: World): Promise<boolean> => {
    if (runs >= maxRuns) return false;
    runs++;
    const result = await run(candidate, options);
    if (!result.violations.some((v) => v.invariant === invariant)) return false;
    best = { world: candidate, result };
    return true;
  };
  let chunk = Math.ceil(best.world.calls.length / 2);
  while (chunk >= 1 && runs < maxRuns) {
    let removed = false;
    for (let start = 0; start < best.world.calls.length && runs < maxRuns; start += chunk) {
      const candidate = withCalls(best.world, (i) => i < start || i >= start + chunk);
      if (candidate.calls.length > 0 && (await stillFails(candidate))) {
        removed = true;
        break;
      }
    }
    if (!removed) chunk = Math.floor(chunk / 2);
  }
  for (let i = best.world.faults.length - 1; i >= 0 && runs < maxRuns; i--) {
    await stillFails({ ...best.world, faults: best.world.faults.filter((_, j) => j !== i) });
  }
  for (let i = 0; i < best.world.calls.length && runs < maxRuns; i++) {
    if (best.world.calls[i]!.ops.length === 0) continue;
    await stillFails({ ...best.world, calls: best.world.calls.map((c, j) => (j === i ? { ...c, ops: [] } : c)) });
  }
  if (best.world.registrations.length > 0 && runs < maxRuns) await stillFails({ ...best.world, registrations: [] });
  return { ...best, runs };
};
