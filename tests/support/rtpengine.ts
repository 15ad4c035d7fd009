import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ExecutionContext } from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { bdecode, bencode, type Bencoded } from '../../domain/media-relay/bencode.js';
import { freeUdpPort } from './ports.js';
import { requireTool, type Tool } from './require-tool.js';

/*
 * rtpengine (Debian package rtpengine-daemon) in userspace forwarding (no kernel module), in a temporary
 * folder, its ng control port and RTP port range on loopback, started and stopped by the test.
 */

const RTPENGINE: Tool = {
  name: 'rtpengine', command: 'rtpengine', probeArgs: ['--version'], debianPackage: 'rtpengine-daemon',
};

export const requireRtpengine = (t: ExecutionContext): boolean => requireTool(t, RTPENGINE);

export interface Rtpengine {
  /** Its ng control port, for `rtpengine:127.0.0.1:<port>`. */
  readonly ngPort: number;
  readonly spec: string;
  /** One ng command, its reply as a dictionary (for checks: list, query). */
  command(dict: Record<string, Bencoded>): Promise<Record<string, Bencoded>>;
  /** Call-IDs it holds now. */
  calls(): Promise<string[]>;
  /** RTP packets it received from each side of a call (by tag), summed over streams. */
  packetsByTag(callId: string): Promise<Record<string, number>>;
  output(): string;
  stop(): Promise<void>;
}

const dictOf = (value: Bencoded | undefined): Record<string, Bencoded> =>
  (typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, Bencoded> : {});
const listOf = (value: Bencoded | undefined): ReadonlyArray<Bencoded> => (Array.isArray(value) ? value : []);

/** Starts rtpengine; resolves once it answers a ping on its ng port. `ports` is its RTP range. */
export const startRtpengine = async (ports: readonly [number, number]): Promise<Rtpengine> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rtpengine-'));
  const ngPort = await freeUdpPort();
  writeFileSync(path.join(dir, 'rtpengine.conf'), [
    '[rtpengine]', 'table = -1', 'interface = 127.0.0.1', `listen-ng = 127.0.0.1:${ngPort}`,
    `port-min = ${ports[0]}`, `port-max = ${ports[1]}`, 'foreground = true', 'log-stderr = true', 'log-level = 5',
    // Calls without media for this long are dropped by rtpengine itself (a crashed signaler leaves none).
    'timeout = 60', 'silent-timeout = 3600', 'delete-delay = 0', 'num-threads = 2', '',
  ].join('\n'));
  const child = spawn('rtpengine', [
    `--config-file=${path.join(dir, 'rtpengine.conf')}`, '--config-section=rtpengine',
    `--pidfile=${path.join(dir, 'rtpengine.pid')}`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-200_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let sequence = 0;
  let stopped = false;
  const waiting = new Map<string, (reply: Record<string, Bencoded>) => void>();
  socket.on('message', (bytes) => {
    const space = bytes.indexOf(0x20);
    const decoded = bdecode(bytes.subarray(space + 1));
    waiting.get(bytes.subarray(0, space).toString())?.(E.isRight(decoded) ? dictOf(decoded.right) : {});
  });
  const command = (dict: Record<string, Bencoded>, timeoutMs = 1_000): Promise<Record<string, Bencoded>> => {
    const cookie = `t${sequence++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(cookie);
        reject(new Error(`rtpengine did not answer ${JSON.stringify(dict['command'])}`));
      }, timeoutMs);
      waiting.set(cookie, (reply) => {
        clearTimeout(timer);
        waiting.delete(cookie);
        resolve(reply);
      });
      socket.send(`${cookie} ${bencode(dict)}`, ngPort, '127.0.0.1');
    });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const pong = await command({ command: 'ping' }, 300).catch(() => undefined);
    if (pong?.['result'] === 'pong') break;
    if (child.exitCode !== null || Date.now() > deadline) {
      socket.close();
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`rtpengine did not start: ${log.slice(-2000)}`);
    }
  }
  return {
    ngPort, spec: `rtpengine:127.0.0.1:${ngPort}`, command, output: () => log,
    // `list` returns 32 calls unless told otherwise.
    calls: async () => listOf((await command({ command: 'list', limit: 100_000 }))['calls']).map(String),
    packetsByTag: async (callId) => {
      const reply = await command({ command: 'query', 'call-id': callId });
      const counts: Record<string, number> = {};
      for (const [tag, entry] of Object.entries(dictOf(reply['tags']))) {
        for (const media of listOf(dictOf(entry)['medias'])) {
          for (const stream of listOf(dictOf(media)['streams'])) {
            const isRtp = listOf(dictOf(stream)['flags']).includes('RTP');
            const packets = dictOf(dictOf(stream)['stats'])['packets'];
            if (isRtp && typeof packets === 'number') counts[tag] = (counts[tag] ?? 0) + packets;
          }
        }
      }
      return counts;
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
      socket.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
