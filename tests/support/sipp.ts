import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ExecutionContext } from 'ava';

export const sippAvailable = (): boolean => spawnSync('sipp', ['-v']).error === undefined;

/**
 * Skips (with a message) when SIPp is not installed, except under CI, where
 * .ci/run installs it and its absence is a failure.
 */
export const requireSipp = (t: ExecutionContext): boolean => {
  if (sippAvailable()) return true;
  if (process.env['CI'] !== undefined) t.fail('SIPp (Debian package sip-tester) is not installed; .ci/run should have installed it');
  else {
    t.log('skipped: SIPp is not installed (apt-get install sip-tester)');
    t.pass();
  }
  return false;
};

export interface SippResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly successful: number;
  readonly failed: number;
}

/** Runs SIPp to completion (bounded by `timeoutMs`) and reads its final counters. */
export const runSipp = (args: ReadonlyArray<string>, timeoutMs: number): Promise<SippResult> =>
  new Promise((resolve) => {
    // SIPp writes its logs to the working directory: give it a private one.
    const cwd = mkdtempSync(path.join(tmpdir(), 'sipp-'));
    const child = spawn('sipp', ['-nostdin', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(cwd, { recursive: true, force: true });
      const count = (label: string): number => {
        const match = new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`).exec(stdout);
        return match ? Number(match[1]) : -1;
      };
      resolve({ code, stdout, stderr, successful: count('Successful call'), failed: count('Failed call') });
    });
  });
