import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ExecutionContext } from 'ava';
import { freeSipPort, udpPortBoundBy } from './ports.js';
import { requireTool, toolAvailable, type Tool } from './require-tool.js';

const SIPP: Tool = { name: 'SIPp', command: 'sipp', probeArgs: ['-v'], debianPackage: 'sip-tester' };

export const sippAvailable = (): boolean => toolAvailable(SIPP);

export const requireSipp = (t: ExecutionContext): boolean => requireTool(t, SIPP);

export interface SippResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** SIPp's error log (-trace_err), its start and end when long: why calls failed. */
  readonly errors: string;
  readonly successful: number;
  readonly failed: number;
  /** Calls per second over the whole run, as SIPp counted them (its cumulative "Call Rate"). */
  readonly callRate: number;
  /** With -trace_rtt -rtt_freq 1: each call's response time (INVITE → 200 in uac), whole milliseconds. */
  readonly responseTimesMs: ReadonlyArray<number>;
}

/**
 * Runs SIPp to completion (bounded by `timeoutMs`) and reads its final
 * counters. `files` are written into its private working directory first,
 * where a scenario names them relatively (an `rtp_stream` audio file, say).
 */
export const runSipp = async (
  args: ReadonlyArray<string>, timeoutMs: number, files: Readonly<Record<string, Uint8Array>> = {},
): Promise<SippResult> => {
  // SIPp binds local port 5060 unless told otherwise: concurrent runs would collide on it.
  const withPort = args.includes('-p') ? args : ['-p', String(await freeSipPort()), ...args];
  return runSippWith(withPort, timeoutMs, files);
};

/** Starts SIPp (its args name its port) without waiting for it: its pid, and its result once it ends. */
export const startSipp = (
  args: ReadonlyArray<string>, timeoutMs: number,
): { readonly done: Promise<SippResult>; readonly pid: number | undefined } => {
  let pid: number | undefined;
  const done = runSippWith(args, timeoutMs, {}, (started) => (pid = started));
  return { done, pid };
};

/**
 * Starts SIPp as a server on a free UDP port and resolves once it listens
 * there (a condition, not a fixed wait). A port taken by someone else between
 * our probe and SIPp's bind makes SIPp exit at once: then it starts again on
 * another port, up to five times.
 */
export const listeningSipp = async (
  args: (port: number) => ReadonlyArray<string>, timeoutMs: number, files: Readonly<Record<string, Uint8Array>> = {},
): Promise<{ readonly port: number; readonly done: Promise<SippResult>; readonly pid: number | undefined }> => {
  let last: SippResult | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeSipPort();
    let pid: number | undefined;
    const done = runSippWith(['-p', String(port), ...args(port)], timeoutMs, files, (started) => (pid = started));
    // Bound by this SIPp: another process that took the port meanwhile makes it exit, and it starts elsewhere.
    if (await udpPortBoundBy(port, pid, timeoutMs)) return { port, done, pid };
    last = await done;
  }
  throw new Error(`SIPp never listened: ${last?.stdout.slice(-500)}\n${last?.stderr.slice(-500)}`);
};

const runSippWith = (
  args: ReadonlyArray<string>, timeoutMs: number, files: Readonly<Record<string, Uint8Array>>,
  onSpawn: (pid: number | undefined) => void = () => undefined,
): Promise<SippResult> =>
  new Promise((resolve) => {
    // SIPp writes its logs to the working directory: give it a private one.
    const cwd = mkdtempSync(path.join(tmpdir(), 'sipp-'));
    for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(cwd, name), bytes);
    // -trace_err: SIPp's account of each failed call, read back below for the failure message.
    const child = spawn('sipp', ['-nostdin', '-trace_err', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    onSpawn(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const read = (suffix: string): string => readdirSync(cwd).filter((f) => f.endsWith(suffix))
        .map((f) => readFileSync(path.join(cwd, f), 'utf8')).join('\n');
      const errors = read('_errors.log');
      const responseTimesMs = read('_rtt.csv').split('\n').filter((line) => /^\d/.test(line))
        .map((line) => Number(line.split(';')[1]));
      rmSync(cwd, { recursive: true, force: true });
      const count = (label: string): number => {
        const match = new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`).exec(stdout);
        return match ? Number(match[1]) : -1;
      };
      resolve({
        code, stdout, stderr,
        errors: errors.length > 4000 ? `${errors.slice(0, 2500)}\n…\n${errors.slice(-1500)}` : errors,
        successful: count('Successful call'), failed: count('Failed call'),
        callRate: Number(/Call Rate\s*\|[^|]*\|\s*([\d.]+) cps/.exec(stdout)?.[1] ?? -1), responseTimesMs,
      });
    });
  });
