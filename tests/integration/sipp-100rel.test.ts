/**
 * Reliable provisionals (RFC 3262) with SIPp: its caller requires 100rel of examples/auto-answer.ts, whose
 * 180 goes reliably and whose 2xx waits for the PRACK (SIPp sends it after the answer is ready); and our
 * caller against a SIPp callee that answers in a reliable 183 with SDP and waits for our PRACK.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { SessionManagerBuilder, type SessionEvent } from '../../adapters/composition/index.js';
import { startExample } from '../support/example-process.js';
import { listeningSipp, requireSipp, runSipp } from '../support/sipp.js';

const scenarios = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sipp');
const SIP = /listening on 127\.0\.0\.1:(\d+)/;

test('SIPp requires 100rel of auto-answer.ts: 100 calls with a reliable 180, PRACK, the 2xx held until it, none failed', async (t) => {
  if (!requireSipp(t)) return;
  const server = await startExample('auto-answer', [
    '--port', '0', '--no-media', '--answer-after', '100', '--quiet',
  ], SIP);
  t.teardown(() => server.child.kill('SIGKILL'));
  const port = SIP.exec(server.output())![1]!;
  const result = await runSipp(['-sf', path.join(scenarios, 'uac-100rel.xml'), '-s', 'reliable', '-m', '100',
    '-r', '50', '-l', '100', '-i', '127.0.0.1', '-timeout', '60s', '-timeout_error', `127.0.0.1:${port}`], 90_000);
  t.is(result.failed, 0, result.errors || result.stdout.slice(-1500));
  t.is(result.successful, 100);
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0, server.output().slice(-1000));
});

test('our UAC against a SIPp callee answering in a reliable 183 with SDP: 100 calls PRACKed, answered, hung up', async (t) => {
  if (!requireSipp(t)) return;
  const CALLS = 100;
  const { port, done } = await listeningSipp(() => [
    '-sf', path.join(scenarios, 'uas-100rel-early-media.xml'), '-m', String(CALLS), '-i', '127.0.0.1',
    '-timeout', '60s',
  ], 90_000);
  const coordinator = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMedia('sdp-only')
    .withMaxSessionsPerUser(1_000).build();
  await coordinator.start();
  t.teardown(() => coordinator.stop());
  const early: string[] = [];
  coordinator.events.subscribe((e: SessionEvent) => {
    if (e.type === 'EarlyMedia') early.push(e.sessionId);
  }, { types: ['EarlyMedia'] });
  const from = `sip:caller@127.0.0.1:${coordinator.localEndpoint!.port}`;
  const calls = Array.from({ length: CALLS }, async (_, i) => {
    await new Promise((resolve) => setTimeout(resolve, i * 10));
    const call = await coordinator.createOutgoingCall(from, `sip:carrier@127.0.0.1:${port}`);
    await coordinator.waitForAnswer(call.id, 30_000);
    await coordinator.terminateSession(call.id);
    return call.id;
  });
  const ids = await Promise.all(calls);
  const sipp = await done;
  t.is(sipp.failed, 0, sipp.errors || sipp.stdout.slice(-1500));
  t.is(sipp.successful, CALLS);
  t.deepEqual([...new Set(early)].sort(), [...ids].sort(), 'every call heard the 183 as early media');
  t.is(coordinator.resources().dialogs, 0);
});

test('our delayed-offer UAC against a SIPp callee offering in a reliable 183: 50 calls answered in the PRACK, no SDP in the 200 or ACK', async (t) => {
  if (!requireSipp(t)) return;
  const CALLS = 50;
  const { port, done } = await listeningSipp(() => [
    '-sf', path.join(scenarios, 'uas-100rel-offer-in-183.xml'), '-m', String(CALLS), '-i', '127.0.0.1',
    '-timeout', '60s',
  ], 90_000);
  const coordinator = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMedia('sdp-only')
    .withMaxSessionsPerUser(1_000).build();
  await coordinator.start();
  t.teardown(() => coordinator.stop());
  const from = `sip:caller@127.0.0.1:${coordinator.localEndpoint!.port}`;
  const calls = Array.from({ length: CALLS }, async (_, i) => {
    await new Promise((resolve) => setTimeout(resolve, i * 10));
    const call = await coordinator.createOutgoingCall(from, `sip:carrier@127.0.0.1:${port}`, undefined, [], {
      delayedOffer: true,
    });
    const answered = await coordinator.waitForAnswer(call.id, 30_000);
    await coordinator.terminateSession(call.id);
    return answered.state;
  });
  t.deepEqual(new Set(await Promise.all(calls)), new Set(['Connected']));
  const sipp = await done;
  t.is(sipp.failed, 0, sipp.errors || sipp.stdout.slice(-1500));
  t.is(sipp.successful, CALLS);
  t.is(coordinator.resources().dialogs, 0);
});
