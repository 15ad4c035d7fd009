/**
 * Reliable provisionals (RFC 3262) between two UA cores on the simulated network, clean and with 30 % loss:
 * PRACK with and without SDP in the provisional, retransmissions until the PRACK, the 2xx held for it,
 * forks each PRACKed in their own RSeq space, 420/421 by policy, 481 for an unknown RAck, 504 at 64·T1.
 */
import test from 'ava';
import { SimulatedNetwork } from '../../adapters/sim/simulated-network.js';
import { SimulatedSipTransport } from '../../adapters/sim/simulated-sip-transport.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import { TransactionLayer } from '../../application/transaction-layer.js';
import type { ReliabilityPolicy } from '../../domain/dialog/reliable-provisional.js';
import { buildRequest } from '../../domain/sip/build-request.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import { headerValue, headerValues, type SipRequest } from '../../domain/sip/message.js';
import { sipUri } from '../../domain/sip/uri.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import { simPeers, stopAndExpectReleased } from '../support/coordinator-harness.js';
import { right, unwrap } from '../support/either.js';
import { announceSeed, simSeeds } from '../support/sim-seed.js';
import { leakReport, simUa } from '../support/ua-harness.js';

const SDP = new TextEncoder().encode(
  'v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n',
);
const LINKS = [
  ['clean link', {}], ['30 % loss', { oneWayDelayMinMs: 5, oneWayDelayMeanMs: 5, lossRatio: 0.3 }],
] as const;
const via = (branch: string) => ({
  protocolName: 'SIP', protocolVersion: '2.0', transport: 'UDP', host: '10.0.0.1', port: 5060,
  params: [{ name: 'branch', value: branch }],
});
const BOB = { uri: sipUri('10.0.0.2', { user: 'bob' }), params: [] };
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

const pair = (seed: number, link: object, alicePolicy: ReliabilityPolicy, bobPolicy: ReliabilityPolicy) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed, link });
  const alice = simUa(network, clock, '10.0.0.1', seed * 2 + 1, {}, { reliableProvisionals: alicePolicy });
  const bob = simUa(network, clock, '10.0.0.2', seed * 2 + 2, {}, { reliableProvisionals: bobPolicy });
  // First lines in the order they were put on the wire (retransmissions included).
  const wire: string[] = [];
  network.tap({ send: (p) => void wire.push(text(p.bytes).split('\r\n', 1)[0]!) });
  return { clock, network, alice, bob, wire };
};

for (const [name, link] of LINKS) {
  for (const seed of simSeeds([311])) {
    for (const withSdp of [false, true]) {
      test(`100rel (${name}, seed ${seed}): a reliable ${withSdp ? '183 with SDP' : '180'} is PRACKed once, passed on once, and the 2xx waits for the PRACK`, async (t) => {
        announceSeed(t, seed);
        // bob requires 100rel for the 180; the 183 with SDP goes reliably because alice supports it.
        const sim = pair(seed, link, 'supported', withSdp ? 'supported' : 'required');
        sim.bob.onInvite = (invite) => {
          const early = withSdp ? { body: SDP, contentType: 'application/sdp' } : {};
          right(t, invite.provisional(withSdp ? 183 : 180, early));
          // Answered at once: the 2xx must not overtake the PRACK.
          right(t, invite.accept({ body: SDP, contentType: 'application/sdp' }));
        };
        const call = right(t, sim.alice.ua.invite({
          to: { uri: sipUri('10.0.0.2', { user: 'bob' }), params: [] }, from: sim.alice.address,
          body: SDP, contentType: 'application/sdp',
        }));
        const provisionals: number[] = [];
        call.on({ onProvisional: (r) => void provisionals.push(r.status) });
        await sim.clock.advanceBy(40_000);
        const outcome = await call.outcome;
        if (outcome.kind !== 'Answered') return t.fail(outcome.kind);
        t.deepEqual(provisionals.filter((s) => s > 100), [withSdp ? 183 : 180], 'passed on once, resent or not');
        const prack = sim.wire.indexOf(sim.wire.find((l) => l.startsWith('PRACK '))!);
        const firstOk = sim.wire.findIndex((l, i) => l === 'SIP/2.0 200 OK' && i > prack);
        t.true(prack >= 0, 'a PRACK went out');
        // The PRACK's own 200 and the INVITE's 200 both come after the PRACK; nothing answered the INVITE before.
        t.false(sim.wire.slice(0, prack).includes('SIP/2.0 200 OK'), 'no 2xx before the PRACK');
        t.true(firstOk > prack);
        void outcome.session.bye();
        await sim.clock.runUntilIdle();
        t.deepEqual(leakReport(sim), []);
      });
    }

    test(`100rel (${name}, seed ${seed}): two forks' reliable 180s are each PRACKed in their own dialog and RSeq space`, async (t) => {
      announceSeed(t, seed);
      const clock = new VirtualClock();
      const network = new SimulatedNetwork(clock, { seed, link });
      const alice = simUa(network, clock, '10.0.0.1', seed);
      const forkTransport = unwrap(SimulatedSipTransport.listen(network, { host: '10.0.0.2', port: 5060 }));
      const pracks = new Map<string, string>();
      const toTag = (r: SipRequest): string => /tag=([^;>,\s]+)/.exec(headerValues(r, 'To')[0] ?? '')?.[1] ?? '';
      let invite: SipRequest | undefined;
      const forks = new TransactionLayer(forkTransport, clock, {
        onRequest: (request, tx) => {
          if (request.method === 'PRACK') {
            pracks.set(toTag(request), headerValue(request, 'RAck') ?? '');
            return void tx.respond(buildResponse(request, 200));
          }
          if (request.method === 'BYE') return void tx.respond(buildResponse(request, 200));
          if (request.method !== 'INVITE') return;
          invite = request;
          // Each fork numbers its own reliable provisionals; they are resent until PRACKed.
          const send = (tag: string, rseq: number, attempt = 0): void => {
            if (pracks.has(tag) || attempt > 6) return;
            void tx.respond(buildResponse(request, 180, { toTag: tag, headers: [
              { name: 'Contact', value: `<sip:${tag}@10.0.0.2:5060>` }, { name: 'Require', value: '100rel' },
              { name: 'RSeq', value: String(rseq) },
            ] }));
            clock.schedule(500 * 2 ** attempt, () => send(tag, rseq, attempt + 1));
          };
          send('f1', 7);
          send('f2', 9000);
          clock.schedule(3_000, () => void tx.respond(buildResponse(request, 486, { toTag: 'f1' })));
        },
      });
      const call = right(t, alice.ua.invite({ to: BOB, from: alice.address }));
      await clock.advanceBy(40_000);
      t.like(await call.outcome, { kind: 'Rejected', status: 486 });
      const cseq = headerValue(invite!, 'CSeq')!.split(' ')[0];
      t.deepEqual(Object.fromEntries(pracks), { f1: `7 ${cseq} INVITE`, f2: `9000 ${cseq} INVITE` });
      await clock.runUntilIdle();
      t.is(alice.ua.counts().dialogs, 0);
      t.deepEqual(forks.counts(), { ict: 0, nict: 0, ist: 0, nist: 0 });
    });
  }
}

test('100rel policy: 420 when it is off and the caller requires it; 421 when we require it and the caller does not support it', async (t) => {
  for (const [alice, bob, status] of [['required', 'off', 420], ['off', 'required', 421]] as const) {
    const sim = pair(5, {}, alice, bob);
    sim.bob.onInvite = (invite) => void invite.accept();
    const call = right(t, sim.alice.ua.invite({ to: BOB, from: sim.alice.address }));
    await sim.clock.advanceBy(5_000);
    t.like(await call.outcome, { kind: 'Rejected', status });
    t.is(sim.bob.invites.length, 0, 'refused by the UA core before the application saw it');
    await sim.clock.runUntilIdle();
    t.deepEqual(leakReport(sim), []);
  }
});

test('100rel: a PRACK for no provisional we sent gets 481; a caller that never PRACKs gets 504 at 64·T1', async (t) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed: 9 });
  const bob = simUa(network, clock, '10.0.0.2', 9, {}, { reliableProvisionals: 'supported' });
  bob.onInvite = (invite) => void invite.provisional(180);
  const transport = unwrap(SimulatedSipTransport.listen(network, { host: '10.0.0.1', port: 5060 }));
  const caller = new TransactionLayer(transport, clock, { onRequest: () => undefined });
  const responses: Array<{ status: number; rseq: string | undefined; atMs: number }> = [];
  const invite = buildRequest({
    method: 'INVITE', uri: sipUri('10.0.0.2', { user: 'bob' }),
    from: { uri: sipUri('10.0.0.1', { user: 'x' }), params: [{ name: 'tag', value: 'x1' }] },
    to: { uri: sipUri('10.0.0.2', { user: 'bob' }), params: [] }, callId: 'c-prack', cseq: 1,
    vias: [via('z9hG4bKp1')],
    contact: { uri: sipUri('10.0.0.1', { user: 'x' }), params: [] },
    headers: [{ name: 'Require', value: '100rel' }],
  });
  caller.sendRequest(invite, { protocol: 'udp', host: '10.0.0.2', port: 5060 }, {
    onResponse: (r) => void responses.push({ status: r.status, rseq: headerValue(r, 'RSeq'), atMs: clock.nowMs() }),
  });
  await clock.advanceBy(1_000);
  const first = responses.find((r) => r.status === 180)!;
  const toTag = bob.invites[0]!.localTag;
  // A PRACK whose RAck names an RSeq never sent.
  const prackReplies: number[] = [];
  caller.sendRequest(buildRequest({
    method: 'PRACK', uri: sipUri('10.0.0.2', { user: 'session-core' }),
    from: { uri: sipUri('10.0.0.1', { user: 'x' }), params: [{ name: 'tag', value: 'x1' }] },
    to: { uri: sipUri('10.0.0.2', { user: 'bob' }), params: [{ name: 'tag', value: toTag }] }, callId: 'c-prack',
    cseq: 2, vias: [via('z9hG4bKp2')],
    headers: [{ name: 'RAck', value: `${Number(first.rseq) + 5} 1 INVITE` }],
  }), { protocol: 'udp', host: '10.0.0.2', port: 5060 }, { onResponse: (r) => void prackReplies.push(r.status) });
  await clock.advanceBy(40_000);
  t.deepEqual(prackReplies, [481]);
  const final = responses.find((r) => r.status >= 200)!;
  t.is(final.status, 504);
  t.true(final.atMs >= 32_000 && final.atMs < 33_000, `504 at ${final.atMs} ms`);
  const copies = responses.filter((r) => r.status === 180);
  t.true(copies.length >= 6 && copies.every((r) => r.rseq === first.rseq), 'the same 180 retransmitted');
  await clock.runUntilIdle();
  t.is(bob.ua.counts().dialogs, 0);
});

test('withReliableProvisionals: by default early media goes in a PRACKed 183; a callee with 100rel off refuses a caller that requires it (420)', async (t) => {
  const deferring = { onIncomingCall: () => CallDecision.defer() };
  const sim = await simPeers(88, [deferring, deferring, deferring], {}, (b, i) => (
    i === 0 ? b.withReliableProvisionals('required') : i === 2 ? b.withReliableProvisionals('off') : b
  ));
  const [a, b, c] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
  const call = await a.coordinator.createOutgoingCall(a.uri, b.uri);
  const answered = a.coordinator.waitForAnswer(call.id, 30_000);
  await sim.clock.advanceBy(500);
  const atB = b.coordinator.listActiveSessions()[0]!;
  await b.coordinator.sendEarlyMedia(atB);
  const accepting = b.coordinator.acceptIncomingCall(atB);
  await sim.clock.advanceBy(2_000);
  await accepting;
  await answered;
  const lines = sim.network.trace.lines;
  const prack = lines.findIndex((l) => / PRACK sip:/.test(l));
  t.true(prack >= 0, 'the 183 was PRACKed');
  t.true(lines.some((l) => /183 Session Progress/.test(l)));
  const refused = await a.coordinator.createOutgoingCall(a.uri, c.uri);
  const refusal = t.throwsAsync(a.coordinator.waitForAnswer(refused.id, 30_000), { message: /420/ });
  await sim.clock.advanceBy(2_000);
  await refusal;
  await a.coordinator.terminateSession(call.id);
  await sim.clock.advanceBy(2_000);
  await stopAndExpectReleased(t, sim);
});
