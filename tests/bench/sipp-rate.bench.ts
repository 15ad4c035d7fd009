import { startExample } from '../support/example-process.js';
import { freeUdpPort } from '../support/ports.js';
import { runSipp, sippAvailable } from '../support/sipp.js';

const RATES = [250, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 5000, 6000, 7000, 8000, 10000];

/** SIPp uac at each rate for ~2 s against `port`; the highest rate with no failed call. */
const highestClean = async (port: number): Promise<{ rate: number; results: string[] }> => {
  let best = 0;
  const results: string[] = [];
  for (const rate of RATES) {
    const r = await runSipp(
      [
        '-sn', 'uac', '-m', String(rate * 2), '-r', String(rate), '-l', String(rate * 2), '-t', 'u1', '-i', '127.0.0.1',
        '-timeout', '30s', '-timeout_error', `127.0.0.1:${port}`,
      ],
      40_000,
    );
    results.push(`${rate}/s: ${r.successful} ok, ${r.failed} failed`);
    if (r.failed === 0 && r.successful === rate * 2) best = rate;
    else break;
  }
  return { rate: best, results };
};

/** The call rate SIPp's uac sustains with zero failures against examples/auto-answer.ts, beside SIPp against SIPp. */
export const run = async (): Promise<void> => {
  if (!sippAvailable()) {
    console.log('SIPp not installed (apt-get install sip-tester): skipped');
    return;
  }
  const server = await startExample(
    'auto-answer', ['--port', '0', '--quiet', '--media-ports', '20000-59999'], /listening on 127\.0\.0\.1:(\d+)/,
  );
  const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(server.output())![1]);
  const ours = await highestClean(port);
  server.child.kill('SIGTERM');
  await server.exited;
  const uasPort = await freeUdpPort();
  const uas = runSipp(
    [
      '-sn', 'uas', '-m', String(RATES.reduce((n, r) => n + 2 * r, 0)), '-t', 'u1', '-i', '127.0.0.1', '-p',
      String(uasPort), '-timeout', '60s',
    ],
    70_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  const ceiling = await highestClean(uasPort);
  await uas;
  console.log(
    `SIPp uac → examples/auto-answer.ts (with RTP ports and SDP per call): highest clean rate ${ours.rate} calls/s  [${ours.results.join('; ')}]`,
  );
  console.log(
    `SIPp uac → SIPp uas (ceiling on this machine): highest clean rate ${ceiling.rate} calls/s  [${ceiling.results.join('; ')}]`,
  );
};
