import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ExecutionContext } from 'ava';
import { startRedis as launchRedis, type ClusterProcess } from '../../examples/cluster/processes.js';
import { requireTool, toolAvailable, type Tool } from './require-tool.js';

/* redis-server (Debian package redis-server) on a free loopback port, in a temporary folder, nothing saved. */

const REDIS: Tool = {
  name: 'redis-server', command: 'redis-server', probeArgs: ['--version'], debianPackage: 'redis-server',
};

export const requireRedis = (t: ExecutionContext): boolean => requireTool(t, REDIS);

export const redisAvailable = (): boolean => toolAvailable(REDIS);

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
  let running: ClusterProcess = await launchRedis(dir);
  const port = running.port;
  return {
    port, url: `redis://127.0.0.1:${port}`,
    kill: async () => void await running.stop('SIGKILL'),
    restart: async () => {
      running = await launchRedis(dir, port);
    },
    stop: async () => {
      await running.stop('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
