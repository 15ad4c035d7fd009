import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunningExample {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

/**
 * Starts `npx tsx examples/<name>.ts args…` and resolves once a line matches `ready` (killed if it does not
 * within `timeoutMs`: a loaded machine compiles and starts slowly, so the bound is generous).
 */
export const startExample = (
  name: string, args: ReadonlyArray<string>, ready: RegExp, timeoutMs = 60_000, env: Readonly<Record<string,
  string>> = {},
): Promise<RunningExample> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx/esm', path.join(root, 'examples', `${name}.ts`), ...args], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
    });
    let output = '';
    // 'close', not 'exit': by then stdout and stderr are read to the end.
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const timer = setTimeout(() => {
      // Not ready in time: stopped, so that a failed test leaves no process behind.
      child.kill('SIGKILL');
      reject(new Error(`${name} not ready after ${timeoutMs} ms: ${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve({ child, output: () => output, exited });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      // A process that ends without printing to stdout (a usage error on stderr) is done, not hanging.
      if (ready.test(output)) resolve({ child, output: () => output, exited });
      else reject(new Error(`${name} exited with ${code} before it was ready: ${output}`));
    });
  });

export const runExample = async (
  name: string, args: ReadonlyArray<string>, timeoutMs = 60_000, env: Readonly<Record<string, string>> = {},
): Promise<{ code: number | null; output: string }> => {
  const running = await startExample(name, args, /[\s\S]*/, timeoutMs, env);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs);
  const code = await running.exited;
  clearTimeout(timer);
  return { code, output: running.output() };
};
