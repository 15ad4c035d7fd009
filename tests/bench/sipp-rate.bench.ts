/**
 * `npm run bench -- sipp-rate`: the highest call rate SIPp's uac sustains with
 * zero failed calls against examples/auto-answer.ts --no-media, against
 * auto-answer with audio, and against SIPp's own uas — in the same run, on the
 * same step ladder and socket buffers, so the ratios compare like with like.
 *
 * A step is clean when every call of it succeeded and SIPp really generated
 * the rate (at least 95 % of it: a generator that cannot keep up is not a
 * clean step for the server). The first unclean step ends that server's climb.
 * Environment: SIPP_RATE_STEPS="1000,2000" to try other steps, SIPP_RATE_SECONDS
 * for the length of a step (default 5).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startExample, type RunningExample } from '../support/example-process.js';
import { listeningSipp, runSipp, sippAvailable, type SippResult } from '../support/sipp.js';

const LADDER = (process.env['SIPP_RATE_STEPS'] ?? '1000,2000,3000,4000,5000,6000,7000,8000,10000,12000,15000,20000')
  .split(',').map(Number);
const STEP_SECONDS = Number(process.env['SIPP_RATE_SECONDS'] ?? 5);
/** Kernel socket buffers for every party (SIPp's -buff_size; auto-answer's UDP transport uses the same). */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
/** The rate at which SIPp's response times give the p99 INVITE → 200 figure. */
const LATENCY_RATE = 1000;
const WARM_UP_CALLS = 1000;

interface Step {
  readonly rate: number;
  readonly result: SippResult;
  /** Server CPU (user + system) per call, µs; undefined where it could not be read. */
  readonly cpuPerCallUs: number | undefined;
}

interface Climb {
  readonly best: number;
  readonly steps: ReadonlyArray<Step>;
}

/** User + system CPU time of a process, ms (Linux /proc; clock ticks of 10 ms). */
const cpuMs = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
};

const clean = (rate: number, r: SippResult): boolean => {
  const calls = rate * STEP_SECONDS;
  return r.failed === 0 && r.successful === calls && r.callRate >= 0.95 * rate;
};

/** SIPp uac at each step of the ladder against 127.0.0.1:`port`, up to the first unclean one. */
const climb = async (port: number, serverPid: number | undefined): Promise<Climb> => {
  // A server runs warm: 1,000 calls at 500/s first, not counted, so the JIT's first minutes are not the first step.
  await runSipp(
    ['-sn', 'uac', '-m', String(WARM_UP_CALLS), '-r', '500', '-t', 'u1', '-i', '127.0.0.1', '-timeout', '30s', `127.0.0.1:${port}`],
    40_000,
  );
  let best = 0;
  const steps: Step[] = [];
  for (const rate of LADDER) {
    const calls = rate * STEP_SECONDS;
    const before = cpuMs(serverPid);
    const result = await runSipp(
      [
        '-sn', 'uac', '-m', String(calls), '-r', String(rate), '-l', String(calls), '-t', 'u1', '-i', '127.0.0.1',
        '-buff_size', String(SOCKET_BUFFER_BYTES), '-timeout', `${STEP_SECONDS + 30}s`, '-timeout_error',
        ...(rate === LATENCY_RATE ? ['-trace_rtt', '-rtt_freq', '1'] : []), `127.0.0.1:${port}`,
      ],
      (STEP_SECONDS + 40) * 1000,
    );
    const after = cpuMs(serverPid);
    const cpuPerCallUs = before === undefined || after === undefined ? undefined : ((after - before) * 1000) / calls;
    steps.push({ rate, result, cpuPerCallUs });
    if (!clean(rate, result)) break;
    best = rate;
  }
  return { best, steps };
};

const describeStep = ({ rate, result, cpuPerCallUs }: Step): string =>
  `${rate}/s: ${result.successful} ok, ${result.failed} failed, generated ${result.callRate.toFixed(0)}/s`
  + (cpuPerCallUs === undefined ? '' : `, server CPU ${cpuPerCallUs.toFixed(0)} µs/call`);

const p99 = (climbed: Climb): string => {
  const times = [...(climbed.steps.find((s) => s.rate === LATENCY_RATE)?.result.responseTimesMs ?? [])];
  if (times.length === 0) return 'n/a';
  times.sort((a, b) => a - b);
  return `${times[Math.min(times.length - 1, Math.floor(0.99 * times.length))]} ms`;
};

const autoAnswer = async (extra: ReadonlyArray<string>): Promise<{ server: RunningExample; port: number }> => {
  const server = await startExample(
    'auto-answer',
    ['--port', '0', '--quiet', '--max-sessions', '1000000', '--media-ports', '20000-59999', ...extra],
    /listening on 127\.0\.0\.1:(\d+)/,
  );
  return { server, port: Number(/listening on 127\.0\.0\.1:(\d+)/.exec(server.output())![1]) };
};

const againstAutoAnswer = async (extra: ReadonlyArray<string>): Promise<Climb> => {
  const { server, port } = await autoAnswer(extra);
  try {
    return await climb(port, server.child.pid);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
};

const againstSipp = async (): Promise<Climb> => {
  const total = WARM_UP_CALLS + LADDER.reduce((n, rate) => n + rate * STEP_SECONDS, 0);
  const uas = await listeningSipp(
    () => ['-sn', 'uas', '-m', String(total), '-t', 'u1', '-i', '127.0.0.1', '-buff_size', String(SOCKET_BUFFER_BYTES)],
    LADDER.length * (STEP_SECONDS + 40) * 1000,
  );
  const climbed = await climb(uas.port, uas.pid);
  // The uas would wait for the calls of steps not run: it has served its purpose.
  try {
    if (uas.pid !== undefined) process.kill(uas.pid, 'SIGKILL');
  } catch {
    // It had ended: every step ran.
  }
  await uas.done;
  return climbed;
};

/** Whether this SIPp was built with OpenSSL (Debian's sip-tester is not): it then speaks TLS (-t l1). */
const sippHasTls = (): boolean => {
  const probe = spawnSync('sipp', ['-t', 'l1', '-m', '1', '-nostdin', '-timeout', '1s', '127.0.0.1:9'], {
    encoding: 'utf8', timeout: 10_000,
  });
  return !/compile SIPp with OpenSSL/.test(`${probe.stdout}${probe.stderr}`);
};

export const run = async (): Promise<void> => {
  if (!sippAvailable()) return void console.log('SIPp not installed (apt-get install sip-tester): skipped');
  if (!sippHasTls()) console.log('calls per second over TLS: not measured — this SIPp was built without TLS');
  console.log(
    `SIPp uac, ${STEP_SECONDS} s per step, steps ${LADDER.join(', ')} calls/s, socket buffers ${SOCKET_BUFFER_BYTES} B`,
  );
  const line = (name: string, climbed: Climb): void => {
    console.log(`${name.padEnd(46)} highest clean rate ${String(climbed.best).padStart(6)} calls/s`
      + `, p99 INVITE→200 at ${LATENCY_RATE}/s ${p99(climbed)}`);
    for (const step of climbed.steps) console.log(`    ${describeStep(step)}`);
  };
  const noMedia = await againstAutoAnswer(['--no-media']);
  line('SIPp uac → auto-answer.ts --no-media', noMedia);
  const audio = await againstAutoAnswer([]);
  line('SIPp uac → auto-answer.ts (audio)', audio);
  const ceiling = await againstSipp();
  line('SIPp uac → SIPp uas (the generator\'s ceiling)', ceiling);
  const ratio = (climbed: Climb): string => ceiling.best === 0 ? 'n/a' : (climbed.best / ceiling.best).toFixed(2);
  console.log(`ratios to SIPp: --no-media ${ratio(noMedia)} (goal 0.5), audio ${ratio(audio)} (goal 0.3)`);
};
