import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSipp, sippAvailable } from '../support/sipp.js';

const CALLS = 30_000;
const RATE = 1_000;

interface Snapshot {
  readonly heapMB: number;
  readonly rssMB: number;
  readonly sessions: number;
  readonly dialogs: number;
  readonly transactions: number;
}

/**
 * A long run, as a server lives: 30,000 SIPp calls at 1,000 calls/s against an
 * auto-answering server (dist/, fresh process). Heap and resources at the
 * plateau (every ended call's transactions linger 64·T1), then after 40 s of
 * quiet, when everything should be back to where it started.
 */
export const run = async (): Promise<void> => {
  if (!sippAvailable()) {
    console.log('SIPp not installed (apt-get install sip-tester): skipped');
    return;
  }
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'soak-server.mjs');
  const server = spawn(process.execPath, ['--expose-gc', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buffered = '';
  server.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
  });
  const nextLine = async (): Promise<string> => {
    const seen = lines.length;
    while (lines.length === seen) await new Promise((resolve) => setTimeout(resolve, 20));
    return lines[seen] as string;
  };
  const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(await nextLine())![1]);
  const snapshot = async (): Promise<Snapshot> => {
    server.stdin.write('\n');
    return JSON.parse(await nextLine()) as Snapshot;
  };
  const before = await snapshot();
  const sipp = await runSipp(['-sn', 'uac', '-m', String(CALLS), '-r', String(RATE), '-l', String(RATE * 3), '-t', 'u1', '-i', '127.0.0.1',
    '-timeout', '120s', '-timeout_error', `127.0.0.1:${port}`], 150_000);
  const plateau = await snapshot();
  await new Promise((resolve) => setTimeout(resolve, 40_000));
  const after = await snapshot();
  server.stdin.end();
  await new Promise((resolve) => server.once('exit', resolve));
  const show = (s: Snapshot): string =>
    `heap ${s.heapMB.toFixed(1)} MB, RSS ${s.rssMB.toFixed(0)} MB, ${s.sessions} sessions, ${s.dialogs} dialogs, ${s.transactions} transactions`;
  console.log(`soak: ${sipp.successful} of ${CALLS} SIPp calls at ${RATE}/s answered, ${sipp.failed} failed`);
  console.log(`  before:            ${show(before)}`);
  console.log(
    `  at the end of load: ${show(plateau)} (${((plateau.heapMB - before.heapMB) * 1e3 / Math.max(1, plateau.transactions / 2)).toFixed(1)} KB heap per call still lingering)`,
  );
  console.log(
    `  40 s later:         ${show(after)} (heap ${after.heapMB - before.heapMB >= 0 ? '+' : ''}${(after.heapMB - before.heapMB).toFixed(1)} MB against before)`,
  );
};
