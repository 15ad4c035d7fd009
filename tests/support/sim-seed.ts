import type { ExecutionContext } from 'ava';

/** Seeds for a simulation test: SIM_SEED=<n> replays one, otherwise the defaults. */
export const simSeeds = (defaults: ReadonlyArray<number>): ReadonlyArray<number> => {
  const override = process.env['SIM_SEED'];
  return override === undefined ? defaults : [Number(override)];
};

/** Logs the seed first, so a failing test always prints how to replay it. */
export const announceSeed = (t: ExecutionContext, seed: number): void => {
  t.log(`SIM_SEED=${seed} replays this run`);
};
