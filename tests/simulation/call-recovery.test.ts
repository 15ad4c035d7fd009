/**
 * Calls that outlive the process that carried them: the callee's worker keeps each answered call in a
 * dialog store; its machine crashes (sockets gone, no BYE); a new worker on the same address, sharing the
 * store, gets the caller's next in-dialog request for a dialog it never saw, loads it, and carries on —
 * the BYE answered 200 rather than 481, a re-INVITE answered from its own media, other requests followed
 * by its own re-INVITE moving the media to it.
 */
import test from 'ava';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import { InMemoryDialogStore } from '../../adapters/memory/in-memory-dialog-store.js';
import { SimulatedNetwork } from '../../adapters/sim/simulated-network.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import { AutoAnswerHandler } from '../../application/session/call-handler.js';
import type { SessionEvent } from '../../domain/session/session-event.js';
import { stopEverything } from '../support/coordinator-harness.js';

const CALLEE = '10.0.0.2';

const start = async (
  network: SimulatedNetwork, host: string, seed: number, store?: InMemoryDialogStore, workerId?: string,
  mediaBase = 20000, media: true | 'sdp-only' = true,
) => {
  let builder = new SessionManagerBuilder().withSipPort(5060).withMediaPorts(mediaBase, mediaBase + 199)
    .withMedia(media)
    .withHandler(new AutoAnswerHandler()).withSimulation({ network, host, seed });
  if (store !== undefined) builder = builder.withDialogStore(store, { workerId: workerId! });
  const coordinator = await builder.build();
  await coordinator.start();
  const events: SessionEvent[] = [];
  coordinator.events.subscribe((e) => events.push(e));
  return { coordinator, events };
};

/** A calls the first worker; once the call is stored there, that worker's machine crashes and a second starts. */
const crashAfterAnswer = async (seed: number, media: true | 'sdp-only' = true) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed });
  const store = new InMemoryDialogStore(clock);
  const a = await start(network, '10.0.0.1', seed * 10, undefined, undefined, 20000, media);
  const first = await start(network, CALLEE, seed * 10 + 1, store, 'first', 20000, media);
  const call = await a.coordinator.createOutgoingCall('sip:alice@10.0.0.1:5060', `sip:bob@${CALLEE}:5060`);
  const answered = a.coordinator.waitForAnswer(call.id, 10_000);
  await clock.advanceBy(2_000);
  await answered;
  const stored = store.size();
  network.crashHost(CALLEE);
  // The new worker's ports differ from the dead one's: the media has somewhere new to move to.
  const second = await start(network, CALLEE, seed * 10 + 2, store, 'second', 30000, media);
  return { clock, network, store, a, first, second, callId: call.id, stored };
};


test('recovery: after the callee\'s worker crashes, the caller\'s BYE is answered 200 by the worker that took its place', async (t) => {
  const { clock, network, store, a, first, second, callId, stored } = await crashAfterAnswer(71);
  t.is(stored, 1, 'the answered call was in the store before the crash');
  await a.coordinator.terminateSession(callId);
  await clock.advanceBy(2_000);
  t.deepEqual(a.coordinator.listActiveSessions(), []);
  const recovered = second.events.find((e) => e.type === 'CallRecovered');
  t.like(recovered, { type: 'CallRecovered', owner: 'first' });
  t.true(second.events.some((e) => e.type === 'CallEnded' && e.reason === 'Remote hangup'));
  t.false(network.trace.lines.some((l) => l.includes('SIP/2.0 481')), 'no 481 anywhere');
  t.like(second.coordinator.clusterStats()?.recovery, { recovered: 1, unknown: 0, failed: 0 });
  t.is(store.size(), 0, 'the ended call left the store');
  t.deepEqual(second.coordinator.listActiveSessions(), []);
  await stopEverything(t, clock, network, [a.coordinator, first.coordinator, second.coordinator]);
});

test('recovery: a re-INVITE to the new worker is answered from its own media; the call carries on and audio flows both ways', async (t) => {
  const { clock, network, a, first, second, callId } = await crashAfterAnswer(72);
  const held = a.coordinator.holdSession(callId);
  await clock.advanceBy(1_000);
  await held;
  const resumed = a.coordinator.resumeSession(callId);
  await clock.advanceBy(1_000);
  await resumed;
  const [adopted] = second.coordinator.listActiveSessions();
  t.truthy(adopted, 'the call is live on the new worker');
  const before = a.coordinator.getMediaStatistics(callId).packetsReceived;
  const theirs = second.coordinator.getMediaStatistics(adopted!).packetsReceived;
  await clock.advanceBy(2_000);
  t.true(a.coordinator.getMediaStatistics(callId).packetsReceived - before >= 90, 'the caller hears the new worker');
  const heardByNew = second.coordinator.getMediaStatistics(adopted!).packetsReceived - theirs;
  t.true(heardByNew >= 90, 'the new worker hears the caller');
  t.like(a.coordinator.getMediaInfo(callId), { remoteAddress: CALLEE, remoteRtpPort: 30000 });
  await second.coordinator.terminateSession(adopted!);
  await clock.advanceBy(2_000);
  t.deepEqual(a.coordinator.listActiveSessions(), [], 'the new worker\'s BYE ended the call at the caller');
  await stopEverything(t, clock, network, [a.coordinator, first.coordinator, second.coordinator]);
});

test('recovery: a request without an offer (INFO) brings the new worker\'s own re-INVITE, which moves the media to it', async (t) => {
  const { clock, network, a, first, second, callId } = await crashAfterAnswer(73);
  const firstPort = a.coordinator.getMediaInfo(callId).remoteRtpPort;
  const sent = a.coordinator.sendDtmf(callId, '5', { method: 'info' });
  await clock.advanceBy(3_000);
  await sent;
  const [adopted] = second.coordinator.listActiveSessions();
  t.truthy(adopted);
  t.true(second.events.some((e) => e.type === 'DtmfReceived' && e.digit === '5'), 'the INFO reached the new worker');
  const info = a.coordinator.getMediaInfo(callId);
  t.is(info.remoteAddress, CALLEE);
  t.is(firstPort, 20000);
  t.is(info.remoteRtpPort, 30000, 'the new worker\'s re-INVITE pointed the caller at its own port');
  const heard = second.coordinator.getMediaStatistics(adopted!).packetsReceived;
  await clock.advanceBy(1_000);
  const heardSince = second.coordinator.getMediaStatistics(adopted!).packetsReceived - heard;
  t.true(heardSince >= 45, 'the caller sends to the new port');
  await a.coordinator.terminateSession(callId);
  await clock.advanceBy(2_000);
  t.deepEqual(second.coordinator.listActiveSessions(), []);
  await stopEverything(t, clock, network, [a.coordinator, first.coordinator, second.coordinator]);
});

test('recovery: with the store unreachable the BYE is answered 481, counted, never a crash', async (t) => {
  const { clock, network, store, a, first, second, callId } = await crashAfterAnswer(74);
  store.available = false;
  await a.coordinator.terminateSession(callId);
  await clock.advanceBy(2_000);
  t.true(network.trace.lines.some((l) => l.includes('SIP/2.0 481')), 'the BYE got 481: nothing could be loaded');
  t.like(second.coordinator.clusterStats()?.recovery, { recovered: 0, failed: 1 });
  store.available = true;
  await stopEverything(t, clock, network, [a.coordinator, first.coordinator, second.coordinator]);
});

test('recovery: the session timer (RFC 4028) is stored with the call and runs on after the takeover', async (t) => {
  // The crashing worker placed the call: as its UAC it is the refresher, so the survivor must refresh in its place
  // (without the stored timer the callee, only watching, would end the call at its expiry).
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed: 75 });
  const store = new InMemoryDialogStore(clock);
  const a = await start(network, '10.0.0.1', 750, undefined, undefined, 20000, 'sdp-only');
  const first = await start(network, CALLEE, 751, store, 'first', 20000, 'sdp-only');
  const placed = await first.coordinator.createOutgoingCall(`sip:bob@${CALLEE}:5060`, 'sip:alice@10.0.0.1:5060');
  await clock.advanceBy(2_000);
  t.is(placed.direction, 'outgoing');
  const [stored] = await store.callsOf('first');
  t.like(stored?.sessionTimer, { intervalSec: 1800, weRefresh: true }, 'stored with the call');
  network.crashHost(CALLEE);
  const second = await start(network, CALLEE, 752, store, 'second', 30000, 'sdp-only');
  const [atA] = a.coordinator.listActiveSessions();
  const sent = a.coordinator.sendDtmf(atA!, '1', { method: 'info' });
  await clock.advanceBy(2_000);
  await sent;
  t.is(second.coordinator.listActiveSessions().length, 1, 'recovered');
  const refreshes = (): number => network.trace.lines.filter((l) => /send 10\.0\.0\.2:5060.*(UPDATE|INVITE) sip:/.test(l))
    .length;
  const before = refreshes();
  // Past two refresh times and the expiry an unrefreshed timer would reach: the call is alive on both sides.
  await clock.advanceBy(4_000_000);
  t.deepEqual(a.coordinator.listActiveSessions(), [atA]);
  t.is(second.coordinator.listActiveSessions().length, 1);
  t.true(refreshes() > before, 'the survivor refreshed');
  await a.coordinator.terminateSession(atA!);
  await clock.advanceBy(2_000);
  await stopEverything(t, clock, network, [a.coordinator, first.coordinator, second.coordinator]);
});
