import { performance } from 'node:perf_hooks';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import type { HttpServer } from '../../adapters/http/http-server.js';
import WebSocket from 'ws';
import { AutoAnswerHandler } from '../../application/session/call-handler.js';

const CALLS = 3000;
const CONCURRENT = 50;

/**
 * Calls per second between two coordinators on loopback, with or without the HTTP adapter on both (metrics,
 * call traces, quality monitoring), an event-stream client following the caller and /metrics scraped.
 */
type Mode = 'plain' | 'http' | 'watched';

/** Calls per second and CPU microseconds per call (both coordinators share this process). */
const round = async (mode: Mode, portBase: number): Promise<{ rate: number; cpuUs: number }> => {
  const withHttp = mode !== 'plain';
  const servers: HttpServer[] = [];
  const build = (ports: [number, number], answer: boolean) => {
    const b = new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMedia('sdp-only')
      .withMediaPorts(...ports).withMaxSessionsPerUser(100_000);
    if (answer) b.withHandler(new AutoAnswerHandler());
    if (withHttp) b.withHttp({ host: '127.0.0.1', port: 0, onListening: (s) => servers.push(s) });
    return b.build();
  };
  const a = await build([portBase, portBase + 99], false);
  const b = await build([portBase + 100, portBase + 199], true);
  await a.start();
  await b.start();
  const ops = servers[0];
  // A dashboard watching the caller: every event goes out over its WebSocket.
  let received = 0;
  const watcher = mode !== 'watched' ? undefined : new WebSocket(`ws://127.0.0.1:${ops!.port}/events`);
  if (watcher !== undefined) {
    watcher.on('message', () => received++);
    await new Promise((resolve) => watcher.once('open', resolve));
  }
  const to = `sip:bench@127.0.0.1:${b.localEndpoint!.port}`;
  const from = `sip:caller@127.0.0.1:${a.localEndpoint!.port}`;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  // Scraped once a second (Prometheus' default is every 15 s): a round sees one or two scrapes.
  const scraper = ops === undefined ? undefined : setInterval(() => {
    void fetch(`http://127.0.0.1:${ops.port}/metrics`).then((r) => r.text());
  }, 1_000);
  for (let done = 0; done < CALLS; done += CONCURRENT) {
    await Promise.all(Array.from({ length: CONCURRENT }, async () => {
      const call = await a.createOutgoingCall(from, to);
      await a.waitForAnswer(call.id, 10_000);
      await a.terminateSession(call.id);
    }));
  }
  const rate = CALLS / ((performance.now() - started) / 1000);
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(scraper);
  if (ops !== undefined) await (await fetch(`http://127.0.0.1:${ops.port}/metrics`)).text();
  if (watcher !== undefined && received === 0) throw new Error('the event stream carried nothing');
  watcher?.close();
  await a.stop();
  await b.stop();
  return { rate, cpuUs: (cpu.user + cpu.system) / CALLS };
};

/**
 * The cost of the HTTP adapter on the call path, in the same run: calls/s and CPU per call without it, with it
 * (metrics scraped, call traces, quality monitoring), and with it and an event-stream client following every
 * event. Rounds alternate; a first one of each warms the JIT up and is not counted.
 */
export const run = async (): Promise<void> => {
  const modes: Mode[] = ['plain', 'http', 'watched'];
  const results = new Map<Mode, Array<{ rate: number; cpuUs: number }>>(modes.map((m) => [m, []]));
  for (let i = 0; i < 6; i++) {
    for (const [n, mode] of modes.entries()) {
      const result = await round(mode, 50000 + (i * 3 + n) * 200);
      if (i > 0) results.get(mode)!.push(result);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const figure = (mode: Mode) => ({
    rate: median(results.get(mode)!.map((r) => r.rate)), cpuUs: median(results.get(mode)!.map((r) => r.cpuUs)),
  });
  const plain = figure('plain');
  console.log(`call rate on loopback (${CALLS} calls, ${CONCURRENT} at a time, SDP only, both ends in this process)`);
  for (const mode of modes) {
    const f = figure(mode);
    const slower = mode === 'plain' ? '' : ` — ${((1 - f.rate / plain.rate) * 100).toFixed(1)} % slower, `
      + `${((f.cpuUs / plain.cpuUs - 1) * 100).toFixed(1)} % more CPU per call (target ≤ 5 %)`;
    console.log(`  ${mode.padEnd(8)} ${f.rate.toFixed(0)} calls/s, ${f.cpuUs.toFixed(0)} µs CPU per call${slower}`);
  }
};
