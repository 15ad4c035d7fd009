import test from 'ava';
import { runExample } from '../support/example-process.js';

test('npm start (examples/main-demo.ts): a real loopback call with audio, DTMF, hold/resume, a ladder and statistics, exit 0', async (t) => {
  const { code, output } = await runExample('main-demo', [], 60_000);
  t.is(code, 0, output);
  t.regex(output, /INVITE sip:bob@127\.0\.0\.1/);
  t.regex(output, /180 Ringing/, 'bob rings before answering');
  t.regex(output, /BYE sip:/);
  t.regex(output, /MOS \d\.\d\d/);
  t.regex(output, /bob heard 1000 Hz, alice heard 600 Hz; DTMF at bob: 1234#/);
  t.regex(output, /^OK in/m);
});

test('examples/simulation-ladder.ts: the same seed prints the same ladder, another seed another one', async (t) => {
  const first = await runExample('simulation-ladder', ['--seed', '5']);
  const again = await runExample('simulation-ladder', ['--seed', '5']);
  const other = await runExample('simulation-ladder', ['--seed', '6']);
  t.is(first.code, 0, first.output);
  t.is(first.output, again.output);
  t.not(first.output, other.output);
  t.regex(first.output, /INVITE sip:bob@10\.0\.0\.2:5060/);
});

test('every example answers --help with its flags', async (t) => {
  for (const [name, flag] of [['auto-answer', '--answer-after'], ['call', '--dtmf'], ['deferred-queue', '--port'], ['quality-monitor', '--seconds'], ['simulation-ladder', '--seed']] as const) {
    const { code, output } = await runExample(name, ['--help']);
    t.is(code, 0, name);
    t.regex(output, new RegExp(flag), name);
  }
});
