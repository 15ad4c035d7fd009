import test from 'ava';
import { runExample, startExample } from '../support/example-process.js';

test('npm start (examples/main-demo.ts): a real loopback call with audio, DTMF, hold/resume, a ladder and statistics, exit 0', async (t) => {
  const { code, output } = await runExample('main-demo', [], 60_000);
  t.is(code, 0, output);
  t.regex(output, /INVITE sip:bob@127\.0\.0\.1/);
  t.regex(output, /180 Ringing/, 'bob rings before answering');
  t.regex(output, /BYE sip:/);
  t.regex(output, /MOS \d\.\d\d/);
  t.regex(output, /bob heard 1000 Hz, alice heard 600 Hz; DTMF at bob: 1234#/);
  t.regex(output, /^OK in/m);
  // The ladder counts from the call's first message and says which re-INVITE holds and which resumes.
  t.regex(output, /^ +0\.000s \|-+ INVITE sip:bob@/m);
  t.regex(output, /INVITE \(hold\)[\s\S]*INVITE \(resume\)/);
  t.regex(output, /^alice .*RTT \d+\.\d\d ms/m, 'RTT measured at alice');
  t.regex(output, /^bob .*RTT \d+\.\d\d ms/m, 'RTT measured at bob');
});

test('npm start -- --secure: the same call over TLS (sips:, verified certificates made for the run) with SRTP media, exit 0', async (t) => {
  const { code, output } = await runExample('main-demo', ['--secure'], 60_000);
  t.is(code, 0, output);
  t.regex(output, /^alice sips:alice@127\.0\.0\.1:\d+ {2}⇄ {2}bob sips:bob@/m);
  t.regex(output, /INVITE sips:bob@127\.0\.0\.1/);
  t.regex(output, /SRTP AES_CM_128_HMAC_SHA1_80/);
  t.notRegex(output, /duplicate|lost/, 'the ladder pairs every message over TLS');
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

const EXAMPLES = [
  ['auto-answer', '--answer-after'], ['call', '--dtmf'], ['b2bua', '--target'], ['deferred-queue', '--port'],
  ['quality-monitor', '--seconds'], ['simulation-ladder', '--seed'], ['main-demo', 'npm start'],
  ['cluster/worker', '--drain-deadline'], ['cluster/start', '--workers'], ['webrtc-gateway', '--tls-cert'],
] as const;

test('every example answers --help with its flags (npm start\'s demo included) and exits 0 without doing anything else', async (t) => {
  await Promise.all(EXAMPLES.map(async ([name, flag]) => {
    const { code, output } = await runExample(name, ['--help']);
    t.is(code, 0, name);
    t.regex(output, new RegExp(flag), name);
    t.regex(output, /^Usage:/m, name);
    t.notRegex(
      output, /listening on|^OK in|^calling |^alice sip:|SIP\/2\.0 /m, `${name} ran instead of printing its help`,
    );
  }));
});

test('every example given a mistyped flag or a malformed value prints what was wrong and its usage, and exits 2 (no stack trace)', async (t) => {
  await Promise.all(EXAMPLES.map(async ([name]) => {
    const { code, output } = await runExample(name, ['--no-such-flag']);
    t.is(code, 2, `${name}: ${output}`);
    t.regex(output, /Unknown option '--no-such-flag'[\s\S]*Usage:/, name);
    t.notRegex(output, /ERR_PARSE_ARGS|at .*\.ts:\d+/, `${name} printed a stack`);
  }));
  const malformed = await runExample('call', ['sip:x@127.0.0.1', '--duration', 'soon']);
  t.is(malformed.code, 2);
  t.regex(malformed.output, /--duration takes a whole number/);
});

test('examples/auto-answer.ts --early-media with examples/call.ts: the caller hears the ringback from the 183 before the answer; --early-media alone is refused', async (t) => {
  const server = await startExample(
    'auto-answer', ['--port', '0', '--answer-after', '1500', '--early-media', '--media-ports', '52000-52499'],
    /listening on 127\.0\.0\.1:(\d+)/,
  );
  t.teardown(() => server.child.kill('SIGKILL'));
  const port = /listening on 127\.0\.0\.1:(\d+)/.exec(server.output())![1]!;
  const call = await runExample('call', [`sip:service@127.0.0.1:${port}`, '--duration', '500']);
  t.is(call.code, 0, call.output);
  t.regex(call.output, /early media \(183\)[\s\S]*answered \(after \d+ RTP packets of early media\)[\s\S]*hung up/);
  // 1.5 s of ringing, some 75 packets of 20 ms; under load the ringback may start late.
  t.true(Number(/after (\d+) RTP packets/.exec(call.output)?.[1]) >= 25, call.output);
  t.regex(server.output(), /early media sess-/);
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0);
  const alone = await runExample('auto-answer', ['--port', '0', '--early-media']);
  t.is(alone.code, 2);
  t.regex(alone.output, /--early-media needs --answer-after/);
});
