import test from 'ava';
import { AutoAnswerHandler } from '../../application/session/call-handler.js';
import type { SessionEvent } from '../../domain/session/session-event.js';
import { simPeers, stopAll } from '../support/coordinator-harness.js';

const LINKS = [['clean', {}], ['30 % loss', { oneWayDelayMinMs: 5, oneWayDelayMeanMs: 5, lossRatio: 0.3 }]] as const;

for (const [name, link] of LINKS) {
  test(`blind transfer (${name}): A refers B to C; B calls C with Referred-By, NOTIFY reports 100 then 200, A hangs up (RFC 3515, 3892)`, async (t) => {
    const sim = await simPeers(201, [new AutoAnswerHandler(), new AutoAnswerHandler(), new AutoAnswerHandler()], link);
    const [a, b, c] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
    const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
    const answered = a.coordinator.waitForAnswer(call.id, 60_000);
    await sim.clock.advanceBy(40_000);
    await answered;
    const transfer = a.coordinator.transferSession(call.id, c.uri);
    await sim.clock.advanceBy(60_000);
    t.is(await transfer, 200);
    t.true(a.events.some((e) => e.type === 'CallEnded' && e.sessionId === call.id && e.reason === 'Transferred'));
    t.deepEqual(a.coordinator.listActiveSessions(), []);
    const progress = (events: SessionEvent[]): number[] => events.flatMap(
      (e) => (e.type === 'TransferProgress' ? [e.status] : []),
    );
    t.deepEqual(progress(b.events), [100, 200]);
    t.true(progress(a.events).includes(200));
    t.is(b.coordinator.listActiveSessions().length, 1, 'B now talks to C');
    t.is(c.coordinator.listActiveSessions().length, 1);
    const invitesToC = sim.network.trace.lines.filter(
      (l) => l.includes('deliver') && l.includes('> 10.0.0.3:5060 INVITE'),
    );
    t.true(invitesToC.length >= 1);
    await stopAll(sim);
    t.is(sim.clock.pendingTimers(), 0);
  });

  test(`attended transfer (${name}): A consults C, then refers B to C with Replaces; C swaps the consultation for B (RFC 3891)`, async (t) => {
    const sim = await simPeers(202, [new AutoAnswerHandler(), new AutoAnswerHandler(), new AutoAnswerHandler()], link);
    const [a, b, c] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
    const toB = await a.coordinator.createOutgoingCall(a.uri, b.uri);
    const toC = await a.coordinator.createOutgoingCall(a.uri, c.uri);
    const both = Promise.all([
      a.coordinator.waitForAnswer(toB.id, 60_000), a.coordinator.waitForAnswer(toC.id, 60_000),
    ]);
    await sim.clock.advanceBy(40_000);
    await both;
    const cOld = c.coordinator.listActiveSessions()[0]!;
    const transfer = a.coordinator.transferSession(toB.id, c.uri, toC.id);
    await sim.clock.advanceBy(60_000);
    t.is(await transfer, 200);
    t.deepEqual(a.coordinator.listActiveSessions(), [], 'A is out of both calls');
    const cNow = c.coordinator.listActiveSessions();
    t.is(cNow.length, 1);
    t.not(cNow[0], cOld, 'C replaced the consultation call with B\'s call');
    t.is(b.coordinator.listActiveSessions().length, 1);
    t.true(sim.network.trace.lines.some((l) => l.includes('> 10.0.0.3:5060 INVITE')));
    await stopAll(sim);
    t.is(sim.clock.pendingTimers(), 0);
  });
}

test('transfer refused or failing returns the call to Connected and rejects with the status', async (t) => {
  const sim = await simPeers(
    203,
    [new AutoAnswerHandler(), new AutoAnswerHandler(), { onIncomingCall: () => ({ kind: 'Reject', status: 486 }) }],
  );
  const [a, b, c] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const answered = a.coordinator.waitForAnswer(call.id, 10_000);
  await sim.clock.advanceBy(2_000);
  await answered;
  const transfer = a.coordinator.transferSession(call.id, c.uri).then(
    () => 'resolved', (e: { kind: string; status: number }) => `${e.kind} ${e.status}`,
  );
  await sim.clock.advanceBy(10_000);
  t.is(await transfer, 'Rejected 486');
  t.is(a.coordinator.getSession(call.id)?.state, 'Connected');
  await stopAll(sim);
});

test('a transfer whose failing final NOTIFY overtakes the REFER\'s 202 rejects once, with no unhandled rejection', async (t) => {
  const sim = await simPeers(
    204,
    [new AutoAnswerHandler(), new AutoAnswerHandler(), { onIncomingCall: () => ({ kind: 'Reject', status: 486 }) }],
  );
  const [a, b, c] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const answered = a.coordinator.waitForAnswer(call.id, 10_000);
  await sim.clock.advanceBy(2_000);
  await answered;
  // B's first 202 to the REFER is lost: its NOTIFY with C's 486 reaches A while the REFER still waits.
  let dropped = 0;
  sim.network.tap({
    send: (p) => (p.from.host === '10.0.0.2' && dropped === 0 && /^SIP\/2\.0 202 [^\r]*\r\n(?:[^\r]*\r\n)*CSeq: \d+ REFER/i
      .test(Buffer.from(p.bytes).toString('latin1')) ? (dropped++, 'drop') : undefined),
  });
  const transfer = a.coordinator.transferSession(call.id, c.uri).then(
    () => 'resolved', (e: { kind: string; status: number }) => `${e.kind} ${e.status}`,
  );
  // The virtual clock passes through the event loop after each timer: a rejection nobody handled by then is
  // reported as unhandled, as it would be (and crash the process) on a real network.
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  await sim.clock.advanceBy(10_000);
  process.off('unhandledRejection', onUnhandled);
  t.deepEqual(unhandled, []);
  t.is(dropped, 1);
  t.is(await transfer, 'Rejected 486');
  t.is(a.coordinator.getSession(call.id)?.state, 'Connected');
  await stopAll(sim);
});
