import { createSocket } from 'node:dgram';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { runExample, startExample } from '../support/example-process.js';
import { listeningSipp, requireSipp, runSipp } from '../support/sipp.js';

/**
 * Delayed offer against real peers: SIPp calls us without SDP, and we call SIPp and our own auto-answer without SDP.
 */

const scenarios = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sipp');
const LISTENING = /listening on 127\.0\.0\.1:(\d+)/;

const startAutoAnswer = async (t: ExecutionContext, mediaPorts: string, quiet = true) => {
  const server = await startExample(
    'auto-answer', ['--port', '0', ...(quiet ? ['--quiet'] : []), '--media-ports', mediaPorts], LISTENING,
  );
  t.teardown(() => server.child.kill('SIGKILL'));
  return { server, port: LISTENING.exec(server.output())![1]! };
};

/** A loopback UDP port that counts the RTP packets it receives, standing in for SIPp's media side. */
const rtpCounter = async (t: ExecutionContext) => {
  const socket = createSocket('udp4');
  const counter = { port: 0, packets: 0, payloadTypes: new Set<number>() };
  socket.on('message', (data) => {
    if (data.length < 12 || data[0]! >> 6 !== 2) return;
    counter.packets++;
    counter.payloadTypes.add(data[1]! & 0x7f);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  t.teardown(() => socket.close());
  counter.port = socket.address().port;
  return counter;
};

const CALLS = 20;

const sippCalls = (scenario: string, port: string, keys: ReadonlyArray<[string, string | number]>) =>
  runSipp(['-sf', path.join(scenarios, `${scenario}.xml`), '-s', 'delayed', ...keys.flatMap(
    ([k, v]) => ['-key', k, String(v)],
  ),
    '-m', String(CALLS), '-r', '10', '-l', String(CALLS), '-t', 'u1', '-i', '127.0.0.1', '-timeout', '30s', '-timeout_error', `127.0.0.1:${port}`], 40_000);

const expectEveryCallPassed = (t: ExecutionContext, result: Awaited<ReturnType<typeof runSipp>>): void => {
  t.is(result.failed, 0, result.stdout.slice(-1500) + result.stderr);
  t.is(result.successful, CALLS);
};

const stopGracefully = async (
  t: ExecutionContext, server: Awaited<ReturnType<typeof startAutoAnswer>>['server'],
): Promise<void> => {
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0);
};

test('SIPp sends INVITE without SDP to examples/auto-answer.ts: the 200 offers PCMU, the ACK answers, and the tone reaches the port in the answer', async (t) => {
  if (!requireSipp(t)) return;
  const { server, port } = await startAutoAnswer(t, '48000-48199');
  const rtp = await rtpCounter(t);
  const result = await sippCalls('uac-delayed-offer', port, [['rtp_port', rtp.port]]);
  expectEveryCallPassed(t, result);
  // 20 calls of about a second each at 50 packets/s: most of 1,000 packets, whatever the start-up jitter.
  t.true(rtp.packets > 500, `received ${rtp.packets} RTP packets`);
  t.deepEqual([...rtp.payloadTypes], [0]);
  await stopGracefully(t, server);
});

test('SIPp re-INVITEs without SDP: examples/auto-answer.ts offers in the 200 and moves its RTP to the port in the ACK\'s answer', async (t) => {
  if (!requireSipp(t)) return;
  const { server, port } = await startAutoAnswer(t, '48600-48799');
  const before = await rtpCounter(t);
  const after = await rtpCounter(t);
  const result = await sippCalls(
    'uac-reinvite-no-sdp', port,
    [['rtp_port', before.port], ['rtp_port2', after.port], ['answer_direction', 'sendrecv']],
  );
  expectEveryCallPassed(t, result);
  // Half a second to the first port, then a second to the new one, per call.
  t.true(before.packets > 200, `first port: ${before.packets} packets`);
  t.true(after.packets > 500, `second port: ${after.packets} packets`);
  await stopGracefully(t, server);
});

test('SIPp re-INVITEs without SDP and answers sendonly in the ACK: examples/auto-answer.ts reports the hold and stops sending', async (t) => {
  if (!requireSipp(t)) return;
  const { server, port } = await startAutoAnswer(t, '49000-49199', false);
  const before = await rtpCounter(t);
  const after = await rtpCounter(t);
  const result = await sippCalls(
    'uac-reinvite-no-sdp', port,
    [['rtp_port', before.port], ['rtp_port2', after.port], ['answer_direction', 'sendonly']],
  );
  expectEveryCallPassed(t, result);
  t.true(before.packets > 200, `first port: ${before.packets} packets`);
  // Held: recvonly on our side, so nothing (beyond a packet already in flight) reaches the new port.
  t.true(after.packets < 20, `second port: ${after.packets} packets`);
  t.is((server.output().match(/ held sess-/g) ?? []).length, CALLS, server.output().slice(-800));
  await stopGracefully(t, server);
});

test('SIPp sends UPDATE without SDP mid-call: examples/auto-answer.ts answers 200 with no body and the call goes on', async (t) => {
  if (!requireSipp(t)) return;
  const { server, port } = await startAutoAnswer(t, '48800-48999');
  const rtp = await rtpCounter(t);
  const result = await sippCalls('uac-update-no-sdp', port, [['rtp_port', rtp.port]]);
  expectEveryCallPassed(t, result);
  t.true(rtp.packets > 500, `received ${rtp.packets} RTP packets`);
  await stopGracefully(t, server);
});

test('SIPp ACKs our offer without an answer: examples/auto-answer.ts hangs up with BYE on every call', async (t) => {
  if (!requireSipp(t)) return;
  const { server, port } = await startAutoAnswer(t, '48200-48399');
  const result = await sippCalls('uac-delayed-offer-no-answer', port, []);
  expectEveryCallPassed(t, result);
  await stopGracefully(t, server);
});

test('examples/call.ts --delayed-offer completes against SIPp uas (SIPp offers in its 200) and against examples/auto-answer.ts with audio both ways', async (t) => {
  if (!requireSipp(t)) return;
  const { port: sippPort, done: sipp } = await listeningSipp(
    () => ['-sn', 'uas', '-m', '1', '-t', 'u1', '-i', '127.0.0.1', '-timeout', '30s'], 40_000,
  );
  const toSipp = await runExample(
    'call', [`sip:service@127.0.0.1:${sippPort}`, '--duration', '300', '--delayed-offer'],
  );
  t.is(toSipp.code, 0, toSipp.output);
  const sippResult = await sipp;
  t.is(sippResult.successful, 1, sippResult.stdout.slice(-1000));

  const { server, port } = await startAutoAnswer(t, '48400-48599');
  const toUs = await runExample('call', [`sip:service@127.0.0.1:${port}`, '--duration', '1000', '--delayed-offer']);
  t.is(toUs.code, 0, toUs.output);
  const received = Number(/received (\d+)/.exec(toUs.output)?.[1] ?? 0);
  t.true(received > 25, toUs.output);
  await stopGracefully(t, server);
});
