import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import type { InviteSession } from '../../application/ua/invite-session.js';
import { SimulatedSipTransport } from '../../adapters/sim/simulated-sip-transport.js';
import { TransactionLayer } from '../../application/transaction-layer.js';
import { buildRequest } from '../../domain/sip/build-request.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import { getContacts, getTo } from '../../domain/sip/core-headers.js';
import type { NameAddr } from '../../domain/sip/name-addr.js';
import { headerValue, type SipRequest, type SipResponse } from '../../domain/sip/message.js';
import { sipUri } from '../../domain/sip/uri.js';
import { endpoint } from '../../domain/transport/endpoint.js';
import { right, unwrap } from '../support/either.js';
import { RecordingUser, sendTimes } from '../support/transaction-harness.js';
import { leakReport, uaPair } from '../support/ua-harness.js';

const sdp = {
  body: new TextEncoder().encode(
    'v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n',
  ),
  contentType: 'application/sdp',
};

/** alice calls bob, both of them this UA, and bob answers at once. */
const connected = async (seed: number) => {
  const sim = uaPair(seed);
  let bobSession: InviteSession | undefined;
  const oks: SipResponse[] = [];
  sim.bob.onInvite = (invite) => {
    const accepted = invite.accept(sdp);
    if (E.isRight(accepted)) bobSession = accepted.right;
  };
  const outgoing = right(
    undefined as never, sim.alice.ua.invite({ to: sim.bob.address, from: sim.alice.address, ...sdp }),
  );
  await sim.clock.advanceBy(2_000);
  const outcome = await outgoing.outcome;
  if (outcome.kind !== 'Answered' || bobSession === undefined) throw new Error(`not answered: ${outcome.kind}`);
  oks.push(outcome.response);
  return { sim, alice: outcome.session, bob: bobSession, invite: sim.bob.invites[0]!.request, ok: outcome.response };
};

test('RFC 4028: we ask for 1800 s, the answering side names the caller refresher; UPDATE every 900 s keeps an hour-long call up', async (t) => {
  const { sim, alice, bob, invite, ok } = await connected(131);
  t.is(headerValue(invite, 'Session-Expires'), '1800');
  t.regex(headerValue(invite, 'Supported') ?? '', /\btimer\b/);
  t.is(headerValue(ok, 'Session-Expires'), '1800;refresher=uac');
  t.is(headerValue(ok, 'Require'), 'timer', 'the UAC must refresh, so the 2xx requires the extension');
  t.deepEqual(alice.sessionTimer, { intervalSec: 1800, weRefresh: true });
  t.deepEqual(bob.sessionTimer, { intervalSec: 1800, weRefresh: false });
  await sim.clock.advanceBy(3_600_000);
  t.false(alice.terminated || bob.terminated);
  const updates = sendTimes(sim.network.trace.lines, 'UPDATE');
  t.is(updates.length, 3, 'about every 900 s: the fourth falls just after the hour');
  t.true(updates.every((at, i) => Math.abs(at - 900_000 * (i + 1)) < 10_000), `refreshed at ${updates.join(', ')} ms`);
  t.deepEqual(bob.sessionTimer, { intervalSec: 1800, weRefresh: false }, 'each refresh negotiated the same again');
  void alice.bye();
  await sim.clock.advanceBy(40_000);
  t.deepEqual(leakReport(sim), []);
});

test('RFC 4028 §10: when refreshes stop arriving the other side hangs up before the interval runs out', async (t) => {
  const { sim, alice, bob } = await connected(132);
  sim.network.partition(['10.0.0.1'], ['10.0.0.2']);
  await sim.clock.advanceBy(1_800_000);
  t.true(alice.terminated, 'the refresher gave up when its UPDATE timed out');
  t.true(bob.terminated);
  const bobEnd = sim.bob.ended.find((e) => e.session === bob);
  t.is(bobEnd?.reason, 'SessionExpired');
  t.true(
    bobEnd !== undefined && bobEnd.atMs >= 1_767_000 && bobEnd.atMs < 1_800_000,
    `ended at ${bobEnd?.atMs} ms: 32 s before 1800 s`,
  );
  sim.network.heal();
  await sim.clock.advanceBy(40_000);
  t.deepEqual(leakReport(sim), []);
});

test('RFC 4028 §7.3: a 422 is answered by asking again for its Min-SE, which then runs', async (t) => {
  const sim = uaPair(133);
  const seen: SipRequest[] = [];
  sim.bob.onInvite = (invite) => {
    seen.push(invite.request);
    if (seen.length === 1) return void invite.reject(422, { headers: [{ name: 'Min-SE', value: '3600' }] });
    invite.accept(sdp);
  };
  const outgoing = right(t, sim.alice.ua.invite({ to: sim.bob.address, from: sim.alice.address, ...sdp }));
  await sim.clock.advanceBy(2_000);
  const outcome = await outgoing.outcome;
  if (outcome.kind !== 'Answered') return t.fail(outcome.kind);
  t.deepEqual(
    seen.map((r) => [headerValue(r, 'Session-Expires'), headerValue(r, 'Min-SE')]),
    [['1800', undefined], ['3600', '3600']],
  );
  t.deepEqual(outcome.session.sessionTimer, { intervalSec: 3600, weRefresh: true });
  void outcome.session.bye();
  await sim.clock.advanceBy(40_000);
  t.deepEqual(leakReport(sim), []);
});

test('RFC 4028 §9: a Session-Expires from a caller without timer support (a proxy added it) makes us the refresher, by re-INVITE repeating our current description when UPDATE is not allowed', async (t) => {
  const sim = uaPair(134);
  // A caller that knows nothing of timers or UPDATE: a bare transaction layer on 10.0.0.3 answering re-INVITEs 200.
  const transport = unwrap(
    SimulatedSipTransport.listen(sim.network, { host: '10.0.0.3', port: 5060, protocols: ['udp'] }),
  );
  const legacy = new RecordingUser(sim.clock);
  const layer = new TransactionLayer(transport, sim.clock, legacy);
  legacy.answer = (request, tx) => void tx.respond(
    buildResponse(request, 200, { headers: [{ name: 'Contact', value: '<sip:old@10.0.0.3:5060>' }], ...sdp }),
  );
  let bob: InviteSession | undefined;
  sim.bob.onInvite = (invite) => {
    const accepted = invite.accept(sdp);
    if (E.isRight(accepted)) bob = accepted.right;
  };
  const request = buildRequest({
    method: 'INVITE', uri: sipUri('10.0.0.2', { user: 'bob' }),
    from: { uri: sipUri('10.0.0.3', { user: 'old' }), params: [{ name: 'tag', value: 'o1' }] }, to: { uri: sipUri('10.0.0.2', { user: 'bob' }), params: [] },
    callId: 'legacy-1', cseq: 1, contact: { uri: sipUri('10.0.0.3', { user: 'old', port: 5060 }), params: [] },
    vias: [
      {
        protocolName: 'SIP', protocolVersion: '2.0', transport: 'UDP', host: '10.0.0.3', port: 5060,
        params: [{ name: 'branch', value: 'z9hG4bKlegacy1' }],
      },
    ],
    headers: [{ name: 'Session-Expires', value: '120' }, { name: 'Allow', value: 'INVITE, ACK, BYE' }], ...sdp,
  });
  const responses: SipResponse[] = [];
  right(
    t, layer.sendRequest(request, endpoint('udp', '10.0.0.2', 5060), { onResponse: (r) => void responses.push(r) }),
  );
  await sim.clock.advanceBy(200);
  const ok = responses[0]!;
  // The caller's ACK (§13.2.2.4), so the 2xx is not retransmitted until the call is dropped.
  const ack = buildRequest({
    method: 'ACK', uri: (right(t, getContacts(ok)) as ReadonlyArray<NameAddr>)[0]!.uri,
    from: { uri: sipUri('10.0.0.3', { user: 'old' }), params: [{ name: 'tag', value: 'o1' }] }, to: right(t, getTo(ok)),
    callId: 'legacy-1', cseq: 1, vias: [{ protocolName: 'SIP', protocolVersion: '2.0', transport: 'UDP', host: '10.0.0.3', port: 5060, params: [{ name: 'branch', value: 'z9hG4bKlegacyack' }] }],
  });
  await transport.send(ack, endpoint('udp', '10.0.0.2', 5060));
  await sim.clock.advanceBy(800);
  t.is(headerValue(ok, 'Session-Expires'), '120;refresher=uas');
  t.is(headerValue(ok, 'Require'), undefined, 'the caller never has to refresh');
  t.deepEqual(bob?.sessionTimer, { intervalSec: 120, weRefresh: true });
  // bob holds the call; the refresh that follows must offer the held description again, not the original one.
  const held = new TextEncoder().encode(`${new TextDecoder().decode(sdp.body)}a=sendonly\r\n`);
  const hold = bob!.reinvite({ body: held, contentType: 'application/sdp' });
  await sim.clock.advanceBy(1_000);
  t.like(await hold, { kind: 'Response', response: { status: 200 } });
  await sim.clock.advanceBy(62_000);
  const reinvites = legacy.requests.filter((r) => r.request.method === 'INVITE').map((r) => r.request);
  t.is(reinvites.length, 2, 'the hold, then one refresh about 60 s later');
  t.regex(new TextDecoder().decode(reinvites[1]!.body), /a=sendonly/);
  t.is(headerValue(reinvites[1]!, 'Session-Expires'), '120;refresher=uac');
  t.false(bob!.terminated);
  void bob!.bye();
  await sim.clock.advanceBy(40_000);
  layer.close();
  await transport.close();
  t.deepEqual(leakReport(sim), []);
});

test('RFC 4028 §10: a refresh the peer keeps refusing is retried a few times, then the call ends before the interval runs out', async (t) => {
  const { sim, alice, bob } = await connected(135);
  let refused = 0;
  bob.setHandler({ onModify: () => (refused++, { status: 403 }) });
  await sim.clock.advanceBy(1_800_000);
  t.true(alice.terminated && bob.terminated);
  const reasons = [
    sim.alice.ended.find((e) => e.session === alice)?.reason, sim.bob.ended.find((e) => e.session === bob)?.reason,
  ];
  t.true(
    reasons.includes('SessionExpired') && reasons.includes('RemoteBye'),
    `ended: ${reasons.join(', ')} (one side expired first and said BYE)`,
  );
  t.true(refused >= 3 && refused <= 7, `${refused} refused refreshes: the first at 900 s, then one every 180 s`);
  await sim.clock.advanceBy(40_000);
  t.deepEqual(leakReport(sim), []);
});
