import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { claimPort, freePort } from '../../examples/cluster/processes.js';

/**
 * A UDP port that was free a moment ago (bound to 0 and released), for peers like SIPp that need a number. Never
 * the same one twice in a process: the kernel may hand a released port out again, and two tests of one file
 * running side by side would then give two SIPps one port (one of them exits, the other gets both tests' calls).
 */
export const freeUdpPort = async (): Promise<number> => {
  for (;;) {
    const probe = createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
    const port = probe.address().port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    if (claimPort(port)) return port;
  }
};

/** A port free for both UDP and TCP a moment ago: SIPp binds its local port on the transport it uses. */
export const freeSipPort = freePort;

/**
 * Resolves once some process has bound UDP `port` on 127.0.0.1 (a peer we
 * started, SIPp say, is ready to receive): our own bind of it then fails.
 * A condition, not a fixed wait, so a loaded machine just takes longer.
 */
export const udpPortBound = async (port: number, timeoutMs = 60_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = createSocket({ type: 'udp4', reuseAddr: false });
    const free = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.bind({ port, address: '127.0.0.1', exclusive: true }, () => resolve(true));
    });
    await new Promise<void>((resolve) => {
      try {
        probe.close(() => resolve());
      } catch {
        resolve();
      }
    });
    if (!free) return;
    if (Date.now() > deadline) throw new Error(`nothing bound UDP port ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** Whether process `pid` holds UDP `port` (Linux /proc): the peer we started, not whoever else took the port. */
const holdsUdpPort = (pid: number, port: number): boolean => {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set(readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)
    .map((line) => line.trim().split(/\s+/)).filter((f) => f[1]?.endsWith(hex)).map((f) => `socket:[${f[9]}]`));
  if (inodes.size === 0) return false;
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * True once process `pid` has bound UDP `port`, false if it exits first (a port someone else took makes SIPp
 * exit at once): conditions, not a fixed wait.
 */
export const udpPortBoundBy = async (port: number, pid: number | undefined, timeoutMs = 60_000): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pid === undefined || !alive(pid)) return false;
    if (holdsUdpPort(pid, port)) return true;
    if (Date.now() > deadline) throw new Error(`process ${pid} did not bind UDP port ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
