/**
 * `npm run bench -- registrar`: serving phones.
 * - In process: REGISTERs with Digest (challenge, answer, binding) per second
 *   through the authenticator and the registrar, no network; the heap each
 *   binding costs with 100,000 of them; a lookup among 100,000 AORs.
 * - SIPp: the highest rate of Digest registrations (REGISTER, 401, REGISTER,
 *   200) examples/registrar.ts serves with none failed, on a ladder of 10 s
 *   steps, with its CPU per registration. Target: ≥ 5,000/s on one core.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { InMemoryCredentialStore } from '../../adapters/memory/in-memory-credential-store.js';
import { InMemoryLocationStore } from '../../adapters/memory/in-memory-location-store.js';
import { NodeHash } from '../../adapters/node/node-hash.js';
import { SeededRandom } from '../../adapters/sim/seeded-random.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import { Authenticator } from '../../application/auth/authenticator.js';
import { IdGenerator } from '../../application/id-generator.js';
import { RegistrarService } from '../../application/registrar/registrar-service.js';
import type { SipResponse } from '../../domain/sip/message.js';
import { endpoint } from '../../domain/transport/endpoint.js';
import { startExample } from '../support/example-process.js';
import { authorization, challengeFor, parseRequest, registerText } from '../support/raw-sip-client.js';
import { runSipp, sippAvailable } from '../support/sipp.js';
import { formatRate } from './bench-util.js';

const hash = new NodeHash();
const scenarios = path.join(path.dirname(fileURLToPath(import.meta.url)), '../integration/sipp');
const LADDER = (process.env['REGISTER_RATE_STEPS'] ?? '1000,2000,3000,4000,5000,6000,8000,10000')
  .split(',').map(Number);
const STEP_SECONDS = 10;
const USERS = 10_000;
const user = (i: number): string => `u${i}`;

const services = (users: number) => {
  const clock = new VirtualClock();
  const passwords = Object.fromEntries(Array.from({ length: users }, (_, i) => [user(i), `pw${i}`]));
  const auth = new Authenticator({
    realm: 'bench', methods: ['REGISTER'], algorithms: ['SHA-256', 'MD5'], challenge: 'www', nonceLifetimeMs: 300_000,
    maxFailures: 10, failureWindowMs: 60_000,
  }, InMemoryCredentialStore.fromPasswords('bench', passwords, hash), hash, new IdGenerator(new SeededRandom(1)), clock,
  undefined);
  const store = new InMemoryLocationStore();
  const registrar = new RegistrarService({
    domains: ['pbx'], minExpiresSec: 60, maxExpiresSec: 3600, defaultExpiresSec: 3600, maxContacts: 10,
    sweepIntervalMs: 10_000,
  }, store, (r) => auth.identity(r), () => undefined, clock, undefined);
  return { auth, registrar, store };
};

const source = (i: number) => ({ endpoint: endpoint('udp', '10.1.0.1', 10_000 + (i % 50_000)), connectionId: undefined });
const text = (i: number, cseq: number, extra: string[] = []): string => registerText({
  user: user(i), domain: 'pbx', callId: `c${i}`, cseq, contacts: [`<sip:${user(i)}@10.1.0.1:${10_000 + (i % 50_000)}>`],
  expires: 3600, extra,
}, '10.1.0.1');

/** Challenge, answer (MD5, as SIPp does), bind: the whole exchange a registering phone causes, parsing included. */
const inProcessRate = async (): Promise<void> => {
  const count = 20_000;
  const { auth, registrar } = services(count);
  const once = async (i: number): Promise<number> => {
    const first = parseRequest(text(i, 1));
    const challenged = await auth.admit(first, source(i));
    const challenge = challengeFor({ status: 401, headers: challenged?.headers ?? [] } as unknown as SipResponse, 'MD5');
    const second = parseRequest(text(i, 2, [authorization(challenge!, {
      username: user(i), password: `pw${i}`, method: 'REGISTER', uri: 'sip:pbx', nc: 1,
    })]));
    if ((await auth.admit(second, source(i))) !== undefined) throw new Error('refused');
    return (await registrar.register(second, source(i))).status;
  };
  for (let i = 0; i < 2_000; i++) await once(i);
  const start = performance.now();
  for (let i = 2_000; i < count; i++) if (await once(i) !== 200) throw new Error('not bound');
  const ms = performance.now() - start;
  const rate = ((count - 2_000) / ms) * 1000;
  console.log(`Digest REGISTER exchanges in process (parse, challenge, verify, bind): ${formatRate(rate)}/s, `
    + `${((ms * 1000) / (count - 2_000)).toFixed(1)} µs each (the client's side of the hashing included)`);
};

const heapAndLookup = async (): Promise<void> => {
  const count = 100_000;
  const { registrar, store } = services(0);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) await registrar.register(parseRequest(text(i, 1)), source(i));
  gc?.();
  const perBinding = (process.memoryUsage().heapUsed - before) / count;
  console.log(`heap per binding, ${store.size()} bindings held: ${Math.round(perBinding)} bytes${gc === undefined
    ? ' (run with --expose-gc for a clean figure)' : ''} (target ≤ 1,024)`);
  const lookups = 200_000;
  let found = 0;
  const start = performance.now();
  for (let i = 0; i < lookups; i++) found += (await registrar.lookup(`sip:${user((i * 7_919) % count)}@pbx`)).length;
  const ms = performance.now() - start;
  console.log(`lookup among ${count.toLocaleString('en')} AORs: ${formatRate((lookups / ms) * 1000)}/s, `
    + `${((ms * 1000) / lookups).toFixed(2)} µs each (${found} found)`);
};

/** User + system CPU time of a process, ms (Linux /proc, 10 ms ticks). */
const cpuMs = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
};

const sippLadder = async (): Promise<void> => {
  if (!sippAvailable()) return void console.log('SIPp not installed (apt-get install sip-tester): ladder skipped');
  const dir = mkdtempSync(path.join(tmpdir(), 'registrar-bench-'));
  try {
    writeFileSync(path.join(dir, 'users'), Array.from({ length: USERS }, (_, i) => `${user(i)}:pw${i}`).join('\n'));
    const server = await startExample('registrar', [
      '--port', '0', '--quiet', '--users-file', path.join(dir, 'users'), '--digest', 'MD5',
    ], /udp:(\d+)/);
    const port = /udp:(\d+)/.exec(server.output())![1]!;
    const csv = Buffer.from(`SEQUENTIAL\n${Array.from({ length: USERS }, (_, i) => (
      `${user(i)};pw${i};[authentication username=${user(i)} password=pw${i}];`)).join('\n')}\n`);
    const sipp = (count: number, rate: number) => runSipp([
      '-sf', path.join(scenarios, 'register-digest.xml'), '-inf', 'users.csv', '-key', 'callee', '5060',
      '-m', String(count), '-r', String(rate), '-l', String(count), '-i', '127.0.0.1', '-buff_size', '4194304',
      '-timeout', `${STEP_SECONDS + 30}s`, '-timeout_error', `127.0.0.1:${port}`,
    ], (STEP_SECONDS + 40) * 1000, { 'users.csv': csv });
    await sipp(2_000, 500);
    let best = 0;
    for (const rate of LADDER) {
      const count = rate * STEP_SECONDS;
      const cpuBefore = cpuMs(server.child.pid);
      const result = await sipp(count, rate);
      const cpuAfter = cpuMs(server.child.pid);
      const cpu = cpuBefore === undefined || cpuAfter === undefined ? '' : `, server CPU ${
        (((cpuAfter - cpuBefore) * 1000) / count).toFixed(0)} µs/registration`;
      console.log(`    ${rate}/s: ${result.successful} ok, ${result.failed} failed, generated `
        + `${result.callRate.toFixed(0)}/s${cpu}`);
      if (result.failed > 0 || result.successful !== count || result.callRate < 0.95 * rate) break;
      best = rate;
    }
    console.log(`SIPp Digest registrations → registrar.ts: highest clean rate ${best}/s (target ≥ 5,000/s)`);
    server.child.kill('SIGTERM');
    await server.exited;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export const run = async (): Promise<void> => {
  await inProcessRate();
  await heapAndLookup();
  await sippLadder();
};
