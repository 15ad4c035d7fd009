/**
 * The cluster's processes on loopback — Redis, Kamailio with its dispatcher, N workers — each on a free port,
 * with its files in one temporary folder, each ready (it answers) before the promise resolves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dispatcherConfig, dispatcherList, kamailioModules } from './kamailio-dispatcher.js';

export interface ClusterProcess {
  readonly name: string;
  readonly port: number;
  readonly pid: number | undefined;
  output(): string;
  /** Ends it with `signal` (default SIGTERM) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

const handedOut = new Set<number>();

/** True the first time a port is handed out by this process: the kernel may give a released port out again. */
export const claimPort = (port: number): boolean => {
  if (handedOut.has(port)) return false;
  handedOut.add(port);
  return true;
};

/** A port free for UDP and TCP a moment ago (never the same one twice in this process). */
export const freePort = async (): Promise<number> => {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const udp = createSocket('udp4');
    const free = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (free && port !== 0 && claimPort(port)) return port;
  }
  throw new Error('no free port');
};

const until = async (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const launch = (name: string, port: number, command: string, args: ReadonlyArray<string>): ClusterProcess => {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const keep = (chunk: Buffer): void => {
    text = (text + chunk.toString()).slice(-500_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  return {
    name, port, exited, pid: child.pid, output: () => text,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
};

/** Whether something answers Redis's PING with PONG on the port. */
export const answersPing = (port: number): Promise<boolean> => new Promise((resolve) => {
  const socket = connect(port, '127.0.0.1');
  const done = (ok: boolean): void => {
    socket.destroy();
    resolve(ok);
  };
  socket.setTimeout(1_000, () => done(false));
  socket.once('error', () => done(false));
  socket.once('connect', () => socket.write('PING\r\n'));
  socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
});

/** redis-server on `port` (default: a free one), nothing saved to disk. */
export const startRedis = async (dir: string, port?: number): Promise<ClusterProcess> => {
  port ??= await freePort();
  const redis = launch('redis', port, 'redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
  ]);
  await until(() => answersPing(port), `redis-server on ${port}`);
  return redis;
};

export const startKamailio = async (dir: string, workerPorts: ReadonlyArray<number>): Promise<ClusterProcess> => {
  const modules = kamailioModules();
  if (modules === undefined) throw new Error('Kamailio is not installed (apt-get install kamailio)');
  const port = await freePort();
  const listFile = path.join(dir, 'dispatcher.list');
  writeFileSync(listFile, dispatcherList(workerPorts));
  writeFileSync(path.join(dir, 'kamailio.cfg'), dispatcherConfig({ port, modules, listFile }));
  const kamailio = launch('kamailio', port, 'kamailio', [
    // 256 MB of shared memory: transactions of a few thousand calls a second fit in it.
    '-f', path.join(dir, 'kamailio.cfg'), '-DD', '-E', '-m', '256', '-M', '16', '-Y', dir,
    '-P', path.join(dir, 'kamailio.pid'),
  ]);
  await until(() => /SO_RCVBUF is finally/.test(kamailio.output()), 'Kamailio to start', 10_000);
  return kamailio;
};

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker.ts');

export const startWorker = async (
  id: string, port: number, redisUrl: string, extra: ReadonlyArray<string> = [],
): Promise<ClusterProcess> => {
  const worker = launch(id, port, process.execPath, [
    '--import', 'tsx/esm', WORKER, '--port', String(port), '--redis', redisUrl, '--worker-id', id, ...extra,
  ]);
  await until(() => worker.output().includes('listening'), `worker ${id}`);
  return worker;
};

export interface Cluster {
  readonly dir: string;
  readonly redis: ClusterProcess;
  readonly kamailio: ClusterProcess;
  readonly workers: ClusterProcess[];
  /** Starts Redis again on its port (after it was stopped or killed), empty. */
  restartRedis(): Promise<void>;
  stop(): Promise<void>;
}

/** Redis, N workers and Kamailio in front of them; `stop` ends them all and removes the folder. */
export const startCluster = async (workers: number, workerArgs: ReadonlyArray<string> = []): Promise<Cluster> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'session-core-cluster-'));
  const started: ClusterProcess[] = [];
  try {
    let redis = await startRedis(dir);
    started.push(redis);
    const ports: number[] = [];
    const running: ClusterProcess[] = [];
    for (let i = 1; i <= workers; i++) {
      const port = await freePort();
      ports.push(port);
      const worker = await startWorker(`worker-${i}`, port, `redis://127.0.0.1:${redis.port}`, [
        '--media-ports', `${20000 + i * 2000}-${20000 + i * 2000 + 1999}`, ...workerArgs,
      ]);
      started.push(worker);
      running.push(worker);
    }
    const kamailio = await startKamailio(dir, ports);
    started.push(kamailio);
    return {
      dir, get redis() {
        return redis;
      },
      kamailio, workers: running,
      restartRedis: async () => {
        const again = await startRedis(dir, redis.port);
        started[started.indexOf(redis)] = again;
        redis = again;
      },
      stop: async () => {
        await Promise.all([...started].reverse().map((p) => p.stop('SIGINT')));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(started.map((p) => p.stop('SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
};
