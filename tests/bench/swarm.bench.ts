import { runWorld } from '../swarm/swarm-run.js';
import { generateWorld } from '../swarm/world.js';

/**
 * The swarm's speed: simulated calls per wall second (target ≥ 500), over 50 worlds of 100 calls with
 * random operations and faults, every invariant checked; and the same with every agent carrying RTP.
 */
export const run = async (): Promise<void> => {
  // Warm-up worlds, not counted: the JIT settles as it would in a long `npm run sim`.
  for (let seed = 1000; seed < 1003; seed++) await runWorld(generateWorld(seed, { calls: 100 }));
  for (const [label, allMedia] of [['most agents SDP-only', false], ['every agent with RTP', true]] as const) {
    let calls = 0;
    let wallMs = 0;
    let violations = 0;
    let simulatedMs = 0;
    for (let seed = 1; seed <= 50; seed++) {
      const result = await runWorld(generateWorld(seed, { calls: 100, allRtp: allMedia }));
      calls += result.calls;
      wallMs += result.wallMs;
      simulatedMs += result.simulatedMs;
      violations += result.violations.length;
    }
    console.log(`swarm (${label}): ${calls} calls in ${(wallMs / 1000).toFixed(1)} s wall `
      + `(${Math.round(simulatedMs / 1000)} s simulated): ${Math.round(calls / (wallMs / 1000))} simulated calls per `
      + `wall second (target ≥ 500), ${violations} violations`);
  }
};
