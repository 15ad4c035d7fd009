/**
 * A REFER's implicit subscription on the event framework (RFC 3515 §2.4, RFC 6665) between coordinators:
 * listed and reported like any subscription, told apart by `refer;id=<REFER CSeq>`, refreshed by the
 * transferor while the new call rings past the grant, ended by `unsubscribe`, and gone with the call.
 */
import test from 'ava';
import { AutoAnswerHandler, type CallHandler } from '../../application/session/call-handler.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import type { SessionEvent } from '../../domain/session/session-event.js';
import { simPeers, stopAll } from '../support/coordinator-harness.js';

const deferring: CallHandler = { onIncomingCall: () => CallDecision.defer() };

type Sim = Awaited<ReturnType<typeof simPeers>>;

/** A calls B (both answer at once) and waits for the answer. */
const connected = async (sim: Sim): Promise<string> => {
  const [a, b] = sim.peers as [Sim['peers'][0], Sim['peers'][0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const answered = a.coordinator.waitForAnswer(call.id, 60_000);
  await sim.clock.advanceBy(5_000);
  await answered;
  return call.id;
};

const referNotices = (events: SessionEvent[]) => events.flatMap((e) => (
  e.type === 'SubscriptionNotified' && e.event === 'refer'
    ? [{ id: e.subscriptionId, state: e.state, body: e.body }] : []
));

test('a transfer\'s REFER subscription is listed, reports sipfrag progress as SubscriptionNotified and ends terminated (noresource)', async (t) => {
  const sim = await simPeers(341, [new AutoAnswerHandler(), new AutoAnswerHandler(), deferring]);
  const [a, , c] = sim.peers as [Sim['peers'][0], Sim['peers'][0], Sim['peers'][0]];
  const callId = await connected(sim);
  const transfer = a.coordinator.transferSession(callId, c.uri);
  await sim.clock.advanceBy(3_000);
  const listed = a.coordinator.listSubscriptions();
  t.like(listed, [{ event: 'refer', state: 'active', target: c.uri }]);
  const notices = referNotices(a.events);
  t.true(notices.length >= 1 && notices.every((n) => n.id === listed[0]!.id && n.state === 'active'));
  t.regex(notices[0]!.body, /^SIP\/2\.0 100 Trying/);
  const notifies = sim.network.trace.lines.filter((l) => l.includes(' send ') && l.includes(' NOTIFY sip:'));
  t.true(notifies.length >= 1);

  await c.coordinator.acceptIncomingCall(c.coordinator.listActiveSessions()[0]!);
  await sim.clock.advanceBy(5_000);
  t.is(await transfer, 200);
  t.like(referNotices(a.events).at(-1), { state: 'terminated', body: 'SIP/2.0 200 OK\r\n' });
  t.true(a.events.some((e) => e.type === 'SubscriptionTerminated' && e.event === 'refer' && e.reason === 'noresource'));
  t.deepEqual(a.coordinator.listSubscriptions(), []);
  await stopAll(sim);
  t.is(sim.clock.pendingTimers(), 0);
  for (const peer of sim.peers) t.is(peer.coordinator.resources().subscriptions, 0);
});

test('the transferor refreshes a REFER subscription with SUBSCRIBE while the new call rings past the grant; unsubscribe ends it', async (t) => {
  const sim = await simPeers(342, [new AutoAnswerHandler(), new AutoAnswerHandler(), deferring], {}, (builder) => (
    builder.withAnswerTimeout(600_000).withDeferTimeout(600_000)
  ));
  const [a, b, c] = sim.peers as [Sim['peers'][0], Sim['peers'][0], Sim['peers'][0]];
  const callId = await connected(sim);
  const transfer = a.coordinator.transferSession(callId, c.uri);
  void transfer.catch(() => undefined);
  // The grant is 180 s: past it, the subscription still runs because A refreshed it in the call's dialog.
  await sim.clock.advanceBy(250_000);
  const refreshes = sim.network.trace.lines.filter(
    (l) => l.includes(' send 10.0.0.1:5060 ') && l.includes(' SUBSCRIBE sip:'),
  );
  t.true(refreshes.length >= 1, 'A sent SUBSCRIBE to refresh');
  const [listed] = a.coordinator.listSubscriptions();
  t.like(listed, { event: 'refer', state: 'active' });
  t.true(referNotices(a.events).length >= 2, 'each refresh is followed by a NOTIFY with the current state');
  t.is(b.coordinator.resources().subscriptions, 1);

  const unsubscribed = a.coordinator.unsubscribe(listed!.id);
  await sim.clock.advanceBy(2_000);
  await unsubscribed;
  t.deepEqual(a.coordinator.listSubscriptions(), []);
  t.like(referNotices(a.events).at(-1), { state: 'terminated' });
  t.is(b.coordinator.resources().subscriptions, 0, 'the transferee ended it too');
  // The new call goes on without a subscription; the old one ends, and the transfer with it.
  const hangup = a.coordinator.terminateSession(callId);
  await sim.clock.advanceBy(5_000);
  await hangup;
  await t.throwsAsync(transfer);
  await stopAll(sim);
  t.is(sim.clock.pendingTimers(), 0);
});
