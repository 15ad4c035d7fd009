import { spawnSync } from 'node:child_process';
import type { ExecutionContext } from 'ava';

/** An interop peer the suite runs: its command, how to probe it, and the Debian package .ci/run installs. */
export interface Tool {
  readonly name: string;
  readonly command: string;
  readonly probeArgs: ReadonlyArray<string>;
  readonly debianPackage: string;
}

export const toolAvailable = (tool: Tool): boolean => spawnSync(tool.command, tool.probeArgs).error === undefined;

/**
 * Skips (with a message) when the tool is missing, except under CI, where
 * .ci/run installs it and its absence is a failure.
 */
export const requireTool = (t: ExecutionContext, tool: Tool): boolean => {
  if (toolAvailable(tool)) return true;
  skipOutsideCi(t, `${tool.name} is not installed (apt-get install ${tool.debianPackage}; .ci/run installs it)`);
  return false;
};

/**
 * A test whose precondition is missing on this machine: outside CI it passes
 * with the reason logged; under CI (CI set) it fails, so it cannot pass
 * without having run where it must run.
 */
export const skipOutsideCi = (t: ExecutionContext, reason: string): void => {
  if (process.env['CI'] !== undefined) {
    t.fail(`${reason} — required under CI`);
    return;
  }
  t.log(`skipped: ${reason}`);
  t.pass();
};
