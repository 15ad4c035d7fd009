/**
 * The package as a user gets it: `npm pack` (which builds dist/), unpacked
 * into a fresh project's node_modules, then imported by its public names —
 * `session-core`, `/sip`, `/sdp`, `/media`, `/testing`, `/internals` — from plain ESM
 * JavaScript (a simulated call runs through them) and from TypeScript under
 * `"module": "nodenext"` (the shipped declarations must type the same code).
 * Its dependencies are linked from this checkout's node_modules (no network).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const OPTIONS = 'OPTIONS sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nMax-Forwards: 70\r\nTo: <sip:b@example.com>\r\n'
  + 'From: <sip:a@example.com>;tag=1\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';

const CONSUMER = `
import { CallDecision, SessionManagerBuilder } from 'session-core';
import { parseMessage, serializeMessage } from 'session-core/sip';
import { parseSdp } from 'session-core/sdp';
import { dominantFrequency } from 'session-core/media';
import { SimulatedNetwork, VirtualClock } from 'session-core/testing';
import { TransactionLayer, UaCore } from 'session-core/internals';

if (typeof TransactionLayer !== 'function' || typeof UaCore !== 'function') throw new Error('internals subpath incomplete');
const options = parseMessage(${JSON.stringify(OPTIONS)});
if (options._tag !== 'Right') throw new Error('sip subpath does not parse');
const bytes = serializeMessage(options.right);
const sdp = parseSdp('v=0\\r\\no=- 1 1 IN IP4 127.0.0.1\\r\\ns=-\\r\\nc=IN IP4 127.0.0.1\\r\\nt=0 0\\r\\nm=audio 4000 RTP/AVP 0\\r\\n');
const tone = new Int16Array(800).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));

const clock = new VirtualClock();
const network = new SimulatedNetwork(clock, { seed: 7 });
const build = (host) => new SessionManagerBuilder().withSimulation({ network, host, seed: 7 })
  .withHandler({ onIncomingCall: () => CallDecision.accept() }).build();
const alice = await build('10.0.0.1');
const bob = await build('10.0.0.2');
await alice.start();
await bob.start();
const call = await alice.createOutgoingCall('sip:alice@10.0.0.1', 'sip:bob@10.0.0.2:5060');
const answered = alice.waitForAnswer(call.id, 5_000);
await clock.advanceBy(1_000);
const state = (await answered).state;
const hangup = alice.terminateSession(call.id);
await clock.advanceBy(1_000);
await hangup;
await Promise.all([alice.stop(), bob.stop(), clock.advanceBy(10_000)]);
console.log(JSON.stringify({ bytes: bytes.length, sdp: sdp._tag, tone: dominantFrequency(tone, [500, 1000]).frequencyHz, state }));
`;

test('the packed package works from a fresh project: every public entry point imports in JavaScript (a simulated call runs) and typechecks in TypeScript', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'session-core-consumer-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // npm pack runs the prepack script, which builds dist/.
  execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
  t.truthy(tarball, 'npm pack made a tarball');
  const modules = path.join(dir, 'node_modules');
  const installed = path.join(modules, 'session-core');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', path.join(dir, tarball!), '-C', installed, '--strip-components=1']);
  // Source maps would point at sources the package does not ship: there are none.
  const listing = execFileSync('tar', ['-tzf', path.join(dir, tarball!)], { encoding: 'utf8' });
  t.false(/\.map$/m.test(listing), 'no .map files in the package');
  t.false(/sourceMappingURL/.test(readFileSync(path.join(installed, 'dist/adapters/composition/index.js'), 'utf8')));
  const own = createRequire(path.join(root, 'package.json'));
  const manifest = own('./package.json') as { dependencies: Record<string, string> };
  for (const dependency of [...Object.keys(manifest.dependencies), '@types/node']) {
    mkdirSync(path.dirname(path.join(modules, dependency)), { recursive: true });
    symlinkSync(path.join(root, 'node_modules', dependency), path.join(modules, dependency));
  }
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));

  writeFileSync(path.join(dir, 'consumer.mjs'), CONSUMER);
  const run = spawnSync(process.execPath, ['consumer.mjs'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  t.is(run.status, 0, `${run.stdout}\n${run.stderr}`);
  t.deepEqual(JSON.parse(run.stdout.trim()), { bytes: OPTIONS.length, sdp: 'Right', tone: 1000, state: 'Connected' });

  // The same code as TypeScript, checked against the shipped declarations only.
  writeFileSync(path.join(dir, 'consumer.ts'), CONSUMER.replace('const build = (host) =>', 'const build = (host: string) =>'));
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
    files: ['consumer.ts'],
  }));
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  t.is(tsc.status, 0, tsc.stdout + tsc.stderr);
});
