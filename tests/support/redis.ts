import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ExecutionContext } from 'ava';
import { freeSipPort } from './ports.js';
import { requireTool, type Tool } from './require-tool.js';
import { waitForAsync } from './wait.js';

/* redis-server (Debian package redis-server) on a free loopback port, in a temporary folder, nothing saved. */

const REDIS: Tool = {
  name: 'redis-server', command: 'redis-server', probeArgs: ['--version'], debianPackage: 'redis-server',
};

export const requireRedis = (t: ExecutionContext): boolean => requireTool(t, REDIS);

/** Whether something answers PING with PONG on the port. */
export const redisAnswers = (port: number): Promise<boolean> => new Promise((resolve) => {
  const socket = connect(port, '127.0.0.1');
  const done = (answer: boolean): void => {
    socket.destroy();
    resolve(answer);
  };
  socket.setTimeout(1_000, () => done(false));
  socket.once('error', () => done(false));
  socket.once('connect', () => socket.write('PING\r\n'));
  socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
});

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Kills it at once (SIGKILL): the store vanishes mid-run. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export const startRedis = async (): Promise<RedisServer> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'redis-'));
  const port = await freeSipPort();
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    child = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
      '--protected-mode', 'no',
    ], { stdio: 'ignore' });
    await waitForAsync(() => redisAnswers(port), 30_000, `redis-server on ${port}`);
  };
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    await exited;
  };
  await launch();
  return {
    port, url: `redis://127.0.0.1:${port}`,
    kill: () => end('SIGKILL'),
    restart: launch,
    stop: async () => {
      await end('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
