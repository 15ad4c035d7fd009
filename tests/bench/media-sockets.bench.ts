/**
 * Media on real loopback sockets (`npm run bench -- media-sockets`): Node's own UDP ceiling (bare dgram
 * ping-pong, 64 in flight) and, in the same run, what our media path costs for a terminating endpoint, an
 * in-process B2BUA relay (PCMU↔PCMA) and three-party conferences — each process against a UDP echo in another
 * process, its CPU per datagram sent plus one received, the two-way calls one core could carry at that cost,
 * and its ratio to the bare ceiling. A second reference, bare dgram on 400 sockets at the media's 20 ms pace,
 * shows how much of the gap is Node's per-socket cost rather than ours. Loss and jitter are the sessions' own
 * statistics at the load run.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'media-sockets-worker.mjs');

interface Measured { readonly [key: string]: number }

const start = (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [worker, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buffered = '';
  const waiters: Array<(line: string) => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let at = buffered.indexOf('\n'); at !== -1; at = buffered.indexOf('\n')) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      const waiter = waiters.shift();
      if (waiter !== undefined) waiter(line);
      else lines.push(line);
    }
  });
  const next = (): Promise<Measured> => new Promise((resolve) => {
    const line = lines.shift();
    if (line !== undefined) resolve(JSON.parse(line) as Measured);
    else waiters.push((l) => resolve(JSON.parse(l) as Measured));
  });
  return { child, next };
};

const SECONDS = Number(process.env['MEDIA_SOCKETS_SECONDS'] ?? 8);

/** µs of CPU per datagram sent plus one received. */
const perPair = (m: Measured): number =>
  m['cpuMicros']! / Math.max(1, Math.max(m['sent'] ?? m['pairs']!, m['received'] ?? 0));

export const run = async (): Promise<void> => {
  const echo = start(['echo']);
  const echoed = await echo.next() as unknown as { port: number; ports: number[] };
  const port = echoed.port;
  try {
    const bare = await start(['bare', String(SECONDS), String(port)]).next();
    const ceiling = perPair(bare);
    const callsAtCeiling = 1e6 / (50 * ceiling);
    console.log(`bare dgram ping-pong (172-byte datagrams, 64 in flight): ${ceiling.toFixed(1)} µs per datagram `
      + `sent + one received, ${Math.round(bare['pairs']! / (bare['wallMicros']! / 1e6))} pairs/s at `
      + `${(100 * bare['cpuMicros']! / bare['wallMicros']!).toFixed(0)} % of a core → ceiling ≈ `
      + `${Math.round(callsAtCeiling)} two-way 20 ms calls per core`);
    // The same pattern as the sessions (one socket per leg, a datagram each way per 20 ms) with nothing done
    // per packet: how much of any media server's cost is Node's own per socket, before any RTP code runs.
    const floor = await start(['bare-sockets', '400', String(SECONDS), echoed.ports.join(',')]).next();
    const floorCost = perPair(floor);
    console.log(`bare dgram, 400 connected sockets each sending and receiving a datagram every 20 ms: `
      + `${floorCost.toFixed(1)} µs per datagram pair at ${(100 * floor['cpuMicros']! / floor['wallMicros']!)
        .toFixed(0)} % of a core (${(100 * floor['systemShare']!).toFixed(0)} % in the kernel) → `
      + `${Math.round(1e6 / (50 * floorCost))} two-way calls per core; ${(ceiling / floorCost).toFixed(2)} of the `
      + `ping-pong ceiling`);
    const loads: ReadonlyArray<readonly [string, string, number, number]> = [
      // [mode, label, groups, datagram pairs per second per group]
      ['endpoint', 'terminating endpoint (tone out, audio in, discarded)', 400, 50],
      ['relay', 'in-process B2BUA relay (two legs, PCMU↔PCMA)', 200, 100],
      ['conference', 'three-party conference (mix-minus)', 130, 150],
    ];
    for (const [mode, label, groups, pairsPerGroup] of loads) {
      const m = await start([mode, String(groups), String(SECONDS), echoed.ports.join(',')]).next();
      const cost = perPair(m);
      const perCore = 1e6 / (pairsPerGroup * cost);
      const loss = m['sent']! === 0 ? 0 : (100 * m['lost']!) / m['sent']!;
      const unit = mode === 'endpoint' ? 'calls' : mode === 'relay' ? 'relayed calls' : 'conferences';
      console.log(`${label}: ${groups} ${unit} (${m['legs']} legs) at ${(100 * m['cpuMicros']! / m['wallMicros']!)
        .toFixed(0)} % of a core, ${cost.toFixed(1)} µs per datagram pair → ${Math.round(perCore)} ${unit} per core; `
        + `loss ${loss.toFixed(2)} %, jitter mean ${m['jitterMeanMs']!.toFixed(2)} ms / max ${m['jitterMaxMs']!
          .toFixed(2)} ms; ${(100 * m['systemShare']!).toFixed(0)} % of it in the kernel; ratio to the bare `
        + `ceiling ${(ceiling / cost).toFixed(2)}, to the bare 400-socket floor ${(floorCost / cost).toFixed(2)}`);
    }
  } finally {
    echo.child.kill();
  }
};
