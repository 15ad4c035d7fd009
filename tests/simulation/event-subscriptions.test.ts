/**
 * Event notification (RFC 6665) between two coordinators on the simulated network, clean and with 30 %
 * loss: SUBSCRIBE → 200 → NOTIFY active → state change NOTIFY → refresh → un-SUBSCRIBE → terminated;
 * 489 for a package not served; a subscription whose refreshes are lost ends on both sides; nothing leaks.
 */
import test from 'ava';
import { AutoAnswerHandler } from '../../application/session/call-handler.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import { SimulatedSipTransport } from '../../adapters/sim/simulated-sip-transport.js';
import { TransactionLayer } from '../../application/transaction-layer.js';
import { buildRequest } from '../../domain/sip/build-request.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import { headerValue } from '../../domain/sip/message.js';
import { parseNameAddr } from '../../domain/sip/name-addr.js';
import { parseUri } from '../../domain/sip/parse-uri.js';
import { sipUri } from '../../domain/sip/uri.js';
import { unwrap } from '../support/either.js';
import { readPidf } from '../../domain/events/presence.js';
import type { SessionEvent } from '../../domain/session/session-event.js';
import { simPeers, stopAndExpectReleased } from '../support/coordinator-harness.js';

type Notified = Extract<SessionEvent, { type: 'SubscriptionNotified' }>;
const notified = (events: SessionEvent[], id: string): Notified[] =>
  events.filter((e): e is Notified => e.type === 'SubscriptionNotified' && e.subscriptionId === id);
const LINKS = [
  ['clean', {}], ['30 % loss', { oneWayDelayMinMs: 5, oneWayDelayMeanMs: 5, lossRatio: 0.3 }],
] as const;

for (const [name, link] of LINKS) {
  test(`message-summary (${name}): notified at once, on change, refreshed, and ended by un-SUBSCRIBE`, async (t) => {
    const sim = await simPeers(61, [new AutoAnswerHandler(), new AutoAnswerHandler()], link,
      (b, i) => (i === 1 ? b.withEventPackages(['message-summary', 'presence']) : b));
    const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
    const subscribing = a.coordinator.subscribe('sip:alice@10.0.0.2:5060', 'message-summary', { expiresSec: 120 });
    await sim.clock.advanceBy(5_000);
    const sub = await subscribing;
    t.like(sub, { event: 'message-summary' });
    t.is(b.coordinator.resources().subscriptions, 1);
    const first = notified(a.events, sub.id)[0]?.body ?? '';
    t.regex(first, /^Messages-Waiting: no\r\nMessage-Account: sip:alice@10\.0\.0\.2/);
    t.is(notified(a.events, sub.id)[0]?.contentType, 'application/simple-message-summary');

    b.coordinator.publishState('sip:alice@10.0.0.2', 'message-summary', { waiting: true, voice: { new: 2, old: 1 } });
    await sim.clock.advanceBy(5_000);
    const latest = notified(a.events, sub.id).at(-1)!;
    t.regex(latest.body, /Messages-Waiting: yes\r\n[\s\S]*Voice-Message: 2\/1/);
    t.is(latest.state, 'active');

    // Past the first grant: refreshed before it ran out, so still alive on both sides.
    await sim.clock.advanceBy(200_000);
    const subscribes = sim.network.trace.lines.filter((l) => /send 10\.0\.0\.1:5060 > \S+ SUBSCRIBE /.test(l));
    t.true(subscribes.length >= 2, `refreshed (${subscribes.length} SUBSCRIBEs sent)`);
    t.is(a.coordinator.listSubscriptions()[0]?.state, 'active');
    t.is(b.coordinator.resources().subscriptions, 1);

    const ending = a.coordinator.unsubscribe(sub.id);
    await sim.clock.advanceBy(40_000);
    await ending;
    t.true(a.events.some((e) => e.type === 'SubscriptionTerminated' && e.subscriptionId === sub.id));
    t.is(a.coordinator.resources().subscriptions, 0);
    t.is(b.coordinator.resources().subscriptions, 0);
    await stopAndExpectReleased(t, sim);
  });
}

test('presence: PIDF with the note escaped, read back; a package not served is refused 489', async (t) => {
  const sim = await simPeers(62, [new AutoAnswerHandler(), new AutoAnswerHandler()], {},
    (b, i) => (i === 1 ? b.withEventPackages(['presence']) : b));
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const subscribing = a.coordinator.subscribe('sip:bob@10.0.0.2:5060', 'presence', { expiresSec: 600 });
  await sim.clock.advanceBy(2_000);
  const sub = await subscribing;
  t.like(readPidf(notified(a.events, sub.id)[0]!.body), { basic: 'closed' });
  b.coordinator.publishState('bob@10.0.0.2', 'presence', { basic: 'open', note: 'in <a> meeting & "busy"' });
  await sim.clock.advanceBy(10_000);
  const body = notified(a.events, sub.id).at(-1)!.body;
  t.true(body.includes('in &lt;a&gt; meeting &amp; &quot;busy&quot;'), body);
  t.deepEqual(readPidf(body), { basic: 'open', note: 'in <a> meeting & "busy"' });
  t.throws(() => b.coordinator.publishState('bob@10.0.0.2', 'message-summary', {}), { message: /not served/ });

  const refused = a.coordinator.subscribe('sip:bob@10.0.0.2:5060', 'message-summary');
  const caught = refused.catch((e: unknown) => e);
  await sim.clock.advanceBy(2_000);
  t.like(await caught, { kind: 'Rejected', status: 489 });
  const ending = a.coordinator.unsubscribe(sub.id);
  await sim.clock.advanceBy(40_000);
  await ending;
  await stopAndExpectReleased(t, sim);
});

test('a subscription whose refreshes are all lost ends on both sides (timeout), nothing left behind', async (t) => {
  const sim = await simPeers(63, [new AutoAnswerHandler(), new AutoAnswerHandler()], {},
    (b, i) => (i === 1 ? b.withEventPackages(['message-summary']) : b));
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const subscribing = a.coordinator.subscribe('sip:carol@10.0.0.2:5060', 'message-summary', { expiresSec: 90 });
  await sim.clock.advanceBy(2_000);
  const sub = await subscribing;
  // From now on no SUBSCRIBE gets through: the refresh never reaches the notifier.
  const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
  sim.network.tap({ send: (p) => (text(p.bytes).startsWith('SUBSCRIBE ') ? 'drop' : undefined) });
  await sim.clock.advanceBy(200_000);
  const ended = a.events.find((e) => e.type === 'SubscriptionTerminated' && e.subscriptionId === sub.id);
  t.truthy(ended);
  t.is(a.coordinator.resources().subscriptions, 0);
  t.is(b.coordinator.resources().subscriptions, 0);
  await stopAndExpectReleased(t, sim);
});

test('dialog package (RFC 4235): a watcher sees a call to its resource go early, confirmed, then idle; versions count up; identities escaped', async (t) => {
  const sim = await simPeers(64, [new AutoAnswerHandler(), { onIncomingCall: () => CallDecision.defer() },
    new AutoAnswerHandler()], {}, (b, i) => (i === 1 ? b.withEventPackages(['dialog']) : b));
  const [a, b, watcher] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
  const subscribing = watcher.coordinator.subscribe('sip:user2@10.0.0.2:5060', 'dialog', { expiresSec: 600 });
  await sim.clock.advanceBy(2_000);
  const sub = await subscribing;
  // '&' is allowed in a SIP user part, and must be escaped in XML.
  const call = await a.coordinator.createOutgoingCall('sip:tom&jerry@10.0.0.1:5060', b.uri);
  await sim.clock.advanceBy(2_000);
  const atB = b.coordinator.listActiveSessions()[0]!;
  const accepting = b.coordinator.acceptIncomingCall(atB);
  await sim.clock.advanceBy(2_000);
  await accepting;
  await a.coordinator.terminateSession(call.id);
  await sim.clock.advanceBy(5_000);
  const bodies = notified(watcher.events, sub.id).map((e) => e.body);
  const versions = bodies.map((body) => Number(/version="(\d+)"/.exec(body)?.[1]));
  t.deepEqual(versions, versions.map((_v, i) => i), 'one document per NOTIFY, counted from 0');
  t.false(/<dialog /.test(bodies[0]!), 'idle at first');
  const confirmed = bodies.find((body) => body.includes('<state>confirmed</state>'));
  t.truthy(confirmed, bodies.join('\n---\n'));
  t.regex(confirmed!, /direction="recipient"/);
  t.regex(confirmed!, /<identity>sip:tom&amp;jerry@10\.0\.0\.1:5060<\/identity>/);
  t.false(confirmed!.includes('tom&jerry'));
  t.true(bodies.some((body) => body.includes('<state>early</state>')));
  t.false(/<dialog /.test(bodies.at(-1)!), 'idle again after the hang-up');
  const ending = watcher.coordinator.unsubscribe(sub.id);
  await sim.clock.advanceBy(40_000);
  await ending;
  await stopAndExpectReleased(t, sim);
});

test('forked NOTIFYs (RFC 6665 §4.1.2.4): each fork makes a subscription of its own, refreshed and ended on its own', async (t) => {
  const sim = await simPeers(65, [new AutoAnswerHandler()]);
  const [a] = sim.peers as [typeof sim.peers[0]];
  // A forking proxy's view: two notifiers answer one SUBSCRIBE, each with its own tag and NOTIFYs.
  const transport = unwrap(SimulatedSipTransport.listen(sim.network, { host: '10.0.0.2', port: 5060 }));
  const inDialog: Array<{ tag: string; expires: string }> = [];
  const forks = new TransactionLayer(transport, sim.clock, {
    onRequest: (request, tx) => {
      if (request.method !== 'SUBSCRIBE') return;
      const tag = /tag=([^;>,\s]+)/.exec(headerValue(request, 'To') ?? '')?.[1];
      if (tag !== undefined) {
        inDialog.push({ tag, expires: headerValue(request, 'Expires') ?? '' });
        const expires = headerValue(request, 'Expires') ?? '0';
        return void tx.respond(buildResponse(request, 200, { headers: [{ name: 'Expires', value: expires }] }));
      }
      void tx.respond(buildResponse(request, 200, { toTag: 'f1', headers: [
        { name: 'Contact', value: '<sip:f1@10.0.0.2:5060>' }, { name: 'Expires', value: '120' },
      ] }));
      const contact = /<([^>]+)>/.exec(headerValue(request, 'Contact') ?? '')![1]!;
      for (const fork of ['f1', 'f2']) {
        forks.sendRequest(buildRequest({
          method: 'NOTIFY', uri: unwrap(parseUri(contact)),
          from: { uri: sipUri('10.0.0.2', { user: 'alice' }), params: [{ name: 'tag', value: fork }] },
          to: unwrap(parseNameAddr(headerValue(request, 'From')!)), callId: headerValue(request, 'Call-ID')!, cseq: 1,
          vias: [{ protocolName: 'SIP', protocolVersion: '2.0', transport: 'UDP', host: '10.0.0.2', port: 5060,
            params: [{ name: 'branch', value: `z9hG4bK${fork}` }] }],
          contact: { uri: sipUri('10.0.0.2', { user: fork }), params: [] },
          headers: [{ name: 'Event', value: 'presence' }, { name: 'Subscription-State', value: 'active;expires=120' }],
        }), { protocol: 'udp', host: '10.0.0.1', port: 5060 }, { onResponse: () => undefined });
      }
    },
  });
  const subscribing = a.coordinator.subscribe('sip:alice@10.0.0.2:5060', 'presence', { expiresSec: 120 });
  await sim.clock.advanceBy(2_000);
  const first = await subscribing;
  const ids = new Set(a.events.filter((e): e is Notified => e.type === 'SubscriptionNotified')
    .map((e) => e.subscriptionId));
  t.is(ids.size, 2, 'one subscription per fork');
  t.true(ids.has(first.id));
  t.is(a.coordinator.listSubscriptions().length, 2);
  await sim.clock.advanceBy(100_000);
  t.deepEqual([...new Set(inDialog.map((r) => r.tag))].sort(), ['f1', 'f2'], 'each fork refreshed in its own dialog');
  for (const id of ids) {
    const ending = a.coordinator.unsubscribe(id);
    await sim.clock.advanceBy(40_000);
    await ending;
  }
  t.true(inDialog.filter((r) => r.expires === '0').length === 2, 'each fork un-subscribed');
  t.is(a.coordinator.resources().subscriptions, 0);
  await sim.clock.runUntilIdle();
  t.deepEqual(forks.counts(), { ict: 0, nict: 0, ist: 0, nist: 0 });
  forks.close();
  await transport.close();
  await stopAndExpectReleased(t, sim);
});

test('onSubscribe decides: pending until decideSubscription, rejected (403), and a hook that throws refuses without harm', async (t) => {
  const sim = await simPeers(66, [new AutoAnswerHandler(), {
    onIncomingCall: () => CallDecision.accept(),
    onSubscribe: (request) => {
      if (request.from.includes('stranger')) return 'rejected';
      if (request.from.includes('boom')) throw new Error('the application failed');
      return 'pending';
    },
  }], {}, (b, i) => (i === 1 ? b.withEventPackages(['presence']) : b));
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  b.coordinator.publishState('bob@10.0.0.2', 'presence', { basic: 'open' });
  const subscribing = a.coordinator.subscribe('sip:bob@10.0.0.2:5060', 'presence', { from: 'sip:friend@10.0.0.1' });
  await sim.clock.advanceBy(2_000);
  const sub = await subscribing;
  const requested = b.events.find((e) => e.type === 'SubscriptionRequested');
  t.like(requested, { type: 'SubscriptionRequested', event: 'presence', resource: 'bob@10.0.0.2', state: 'pending' });
  t.like(notified(a.events, sub.id)[0], { state: 'pending', body: '' }, 'nothing of the resource while pending');
  b.coordinator.decideSubscription((requested as { subscriptionId: string }).subscriptionId, true);
  await sim.clock.advanceBy(6_000);
  t.like(notified(a.events, sub.id).at(-1), { state: 'active' });
  t.like(readPidf(notified(a.events, sub.id).at(-1)!.body), { basic: 'open' });
  t.throws(() => b.coordinator.decideSubscription('sub-nope', true), { message: /no session sub-nope/ });

  for (const from of ['sip:stranger@10.0.0.1', 'sip:boom@10.0.0.1']) {
    const refused = a.coordinator.subscribe('sip:bob@10.0.0.2:5060', 'presence', { from }).catch((e: unknown) => e);
    await sim.clock.advanceBy(2_000);
    t.like(await refused, { kind: 'Rejected', status: 403 });
  }
  t.is(b.coordinator.getStats().callbackFailures, 1, 'the throwing hook was caught and counted');
  const ending = a.coordinator.unsubscribe(sub.id);
  await sim.clock.advanceBy(40_000);
  await ending;
  await stopAndExpectReleased(t, sim);
});
