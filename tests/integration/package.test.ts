/**
 * The package as a user gets it: `npm pack` (which builds dist/), unpacked
 * into a fresh project's node_modules, then imported by its public names —
 * `session-core`, `/sip`, `/sdp`, `/media`, `/testing`, `/internals` — from plain ESM
 * JavaScript (a simulated call runs through them) and from TypeScript under
 * `"module": "nodenext"` (the shipped declarations must type the same code).
 * Its dependencies are linked from this checkout's node_modules (no network).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { packedConsumer, typecheckIn } from '../support/packed-package.js';

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

if (typeof TransactionLayer !== 'function' || typeof UaCore !== 'function') throw new Error(
  'internals subpath incomplete',
);
const options = parseMessage(${JSON.stringify(OPTIONS)});
if (options._tag !== 'Right') throw new Error('sip subpath does not parse');
const bytes = serializeMessage(options.right);
const sdp = parseSdp(
  'v=0\\r\\no=- 1 1 IN IP4 127.0.0.1\\r\\ns=-\\r\\nc=IN IP4 127.0.0.1\\r\\nt=0 0\\r\\nm=audio 4000 RTP/AVP 0\\r\\n',
);
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
const answered = alice.waitForAnswer(call.id, 30_000);
await clock.advanceBy(1_000);
const state = (await answered).state;
const hangup = alice.terminateSession(call.id);
await clock.advanceBy(1_000);
await hangup;
await Promise.all([alice.stop(), bob.stop(), clock.advanceBy(10_000)]);
console.log(
  JSON.stringify({ bytes: bytes.length, sdp: sdp._tag, tone: dominantFrequency(tone, [500, 1000]).frequencyHz, state }),
);
`;

test('the packed package works from a fresh project: every public entry point imports in JavaScript (a simulated call runs) and typechecks in TypeScript', async (t) => {
  const consumer = await packedConsumer();
  // Source maps would point at sources the package does not ship: there are none.
  t.false(/\.map$/m.test(consumer.listing), 'no .map files in the package');
  const installed = path.join(consumer.dir, 'node_modules/session-core');
  t.false(/sourceMappingURL/.test(readFileSync(path.join(installed, 'dist/adapters/composition/index.js'), 'utf8')));

  writeFileSync(path.join(consumer.dir, 'consumer.mjs'), CONSUMER);
  const run = spawnSync(process.execPath, ['consumer.mjs'], { cwd: consumer.dir, encoding: 'utf8', timeout: 60_000 });
  t.is(run.status, 0, `${run.stdout}\n${run.stderr}`);
  t.deepEqual(JSON.parse(run.stdout.trim()), { bytes: OPTIONS.length, sdp: 'Right', tone: 1000, state: 'Connected' });

  // The same code as TypeScript, checked against the shipped declarations only.
  writeFileSync(
    path.join(consumer.dir, 'consumer.ts'),
    CONSUMER.replace('const build = (host) =>', 'const build = (host: string) =>'),
  );
  const tsc = typecheckIn(consumer, 'consumer.ts');
  t.is(tsc.status, 0, tsc.output);
});

test('README.md\'s tour, as written there, typechecks against the packed package and runs: three coordinators call, hold, bridge and transfer on loopback', async (t) => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const tour = /## A short tour[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  t.truthy(tour, 'README has a ts block under "A short tour"');
  const consumer = await packedConsumer();
  writeFileSync(path.join(consumer.dir, 'tour.ts'), tour!);
  const tsc = typecheckIn(consumer, 'tour.ts');
  t.is(tsc.status, 0, tsc.output);
  const run = spawnSync(
    process.execPath, ['--import', 'tsx/esm', 'tour.ts'], { cwd: consumer.dir, encoding: 'utf8', timeout: 90_000 },
  );
  t.is(run.status, 0, `${run.stdout}\n${run.stderr}`);
  t.regex(run.stdout, /pressed 1[\s\S]*pressed #/, 'Bob heard the DTMF');
  t.regex(run.stdout, /packetsReceived: [1-9]/, 'statistics of a call that carried audio');
  t.regex(run.stdout, /transferred with 2\d\d Terminated/);
});

test.after.always(async () => (await packedConsumer()).remove());
