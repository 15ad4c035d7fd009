import { performance } from 'node:perf_hooks';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import { SessionMetrics } from '../../adapters/http/session-metrics.js';
import { startHttpServer } from '../../adapters/http/http-server.js';
import { AutoAnswerHandler } from '../../application/session/call-handler.js';

const CALLS = 1000;
const CONCURRENT = 50;

/** Calls per second between two coordinators on loopback, with or without metrics (and /metrics scraped). */
const round = async (withMetrics: boolean, portBase: number): Promise<number> => {
  const metrics = withMetrics ? new SessionMetrics() : undefined;
  const build = (ports: [number, number], answer: boolean) => {
    const b = new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMedia('sdp-only')
      .withMediaPorts(...ports).withMaxSessionsPerUser(100_000);
    if (answer) b.withHandler(new AutoAnswerHandler());
    if (metrics !== undefined && !answer) b.withSipTrace(metrics.sipTrace);
    return b.build();
  };
  const a = await build([portBase, portBase + 99], false);
  const b = await build([portBase + 100, portBase + 199], true);
  await a.start();
  await b.start();
  const ops = metrics === undefined ? undefined
    : await startHttpServer(a, { host: '127.0.0.1', port: 0, metrics: metrics.attach(a) });
  const to = `sip:bench@127.0.0.1:${b.localEndpoint!.port}`;
  const from = `sip:caller@127.0.0.1:${a.localEndpoint!.port}`;
  const started = performance.now();
  for (let done = 0; done < CALLS; done += CONCURRENT) {
    await Promise.all(Array.from({ length: CONCURRENT }, async () => {
      const call = await a.createOutgoingCall(from, to);
      await a.waitForAnswer(call.id, 10_000);
      await a.terminateSession(call.id);
    }));
    // A scrape every 200 calls, as a Prometheus server would every few seconds.
    if (ops !== undefined && done % 200 === 0) await (await fetch(`http://127.0.0.1:${ops.port}/metrics`)).text();
  }
  const rate = CALLS / ((performance.now() - started) / 1000);
  await ops?.close();
  await a.stop();
  await b.stop();
  return rate;
};

/** The cost of metrics on the call path: calls/s without and with them, alternating, in the same run. */
export const run = async (): Promise<void> => {
  const without: number[] = [];
  const withMetrics: number[] = [];
  for (let i = 0; i < 3; i++) {
    without.push(await round(false, 50000 + i * 400));
    withMetrics.push(await round(true, 50200 + i * 400));
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const plain = median(without);
  const measured = median(withMetrics);
  console.log(`call rate on loopback (${CALLS} calls, ${CONCURRENT} at a time, SDP only): ${plain.toFixed(0)} calls/s `
    + `without metrics, ${measured.toFixed(0)} with SessionMetrics and /metrics scraped — `
    + `${((1 - measured / plain) * 100).toFixed(1)} % slower (target ≤ 5 %)`);
};
