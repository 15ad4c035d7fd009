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
  if (process.env['CI'] !== undefined) t.fail(`${tool.name} (Debian package ${tool.debianPackage}) is not installed; .ci/run should have installed it`);
  else {
    t.log(`skipped: ${tool.name} is not installed (apt-get install ${tool.debianPackage})`);
    t.pass();
  }
  return false;
};
