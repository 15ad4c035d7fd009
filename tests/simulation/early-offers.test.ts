/**
 * Offers and answers in early dialogs between two coordinators on the simulated network (RFC 3262 §5,
 * RFC 6337 §2): an offerless INVITE gets the callee's offer in a reliable 183, the caller answers in its
 * PRACK and hears the early media listen-only; the 2xx and the ACK then carry no SDP, and both talk.
 */
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { SimulatedSipTransport } from '../../adapters/sim/simulated-sip-transport.js';
import { TransactionLayer, type ServerTransaction } from '../../application/transaction-layer.js';
import type { TransactionUser } from '../../application/transaction-user.js';
import { buildRequest } from '../../domain/sip/build-request.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import {
  headerValue, withHeader, type SipMessage, type SipRequest, type SipResponse,
} from '../../domain/sip/message.js';
import { parseNameAddr, type NameAddr } from '../../domain/sip/name-addr.js';
import { sipUri } from '../../domain/sip/uri.js';
import { unwrap } from '../support/either.js';
import type { CallHandler } from '../../application/session/call-handler.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import type { SimulatedNetwork } from '../../adapters/sim/simulated-network.js';
import { simPeers, stopAndExpectReleased } from '../support/coordinator-harness.js';

const deferring: CallHandler = { onIncomingCall: () => CallDecision.defer() };
const toneOf = (samples: Int16Array): number => dominantFrequency(samples, [440, 1000]).frequencyHz;
const LINKS = [
  ['clean', {}], ['30 % loss', { oneWayDelayMinMs: 5, oneWayDelayMeanMs: 5, lossRatio: 0.3 }],
] as const;

interface Sent { readonly firstLine: string; readonly cseqMethod: string | undefined; readonly bodyLength: number }

/** Every SIP message put on the wire (retransmissions included): its first line, CSeq method and body size. */
const wire = (network: SimulatedNetwork): Sent[] => {
  const seen: Sent[] = [];
  network.tap({ send: (packet) => {
    const text = Buffer.from(packet.bytes).toString('latin1');
    if (!/^(SIP\/2\.0 |[A-Z]+ sips?:)/.test(text)) return undefined;
    const split = text.indexOf('\r\n\r\n');
    const head = text.slice(0, split);
    seen.push({
      firstLine: head.split('\r\n', 1)[0]!, cseqMethod: /\r\nCSeq:\s*\d+\s+(\w+)/i.exec(head)?.[1],
      bodyLength: text.length - split - 4,
    });
    return undefined;
  } });
  return seen;
};

for (const [name, link] of LINKS) {
  test(`offer in a reliable 183, answer in the PRACK (${name}): early media heard, then the 2xx and ACK carry no SDP`, async (t) => {
    const sim = await simPeers(321, [{ onIncomingCall: () => CallDecision.reject(486) }, deferring], link);
    const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
    const messages = wire(sim.network);
    const call = await a.coordinator.createOutgoingCall(a.uri, b.uri, undefined, [], { delayedOffer: true });
    a.coordinator.setAudioSink(call.id, { kind: 'record' });
    a.coordinator.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [1000] });
    const answered = a.coordinator.waitForAnswer(call.id, 60_000);
    await sim.clock.advanceBy(2_000);
    const bId = b.coordinator.listActiveSessions()[0]!;
    await b.coordinator.sendEarlyMedia(bId);
    b.coordinator.setAudioSink(bId, { kind: 'record' });
    b.coordinator.startAudioTransmission(bId, { kind: 'tone', frequenciesHz: [440] });
    await sim.clock.advanceBy(8_000);
    t.is(a.coordinator.getSession(call.id)?.state, 'Ringing');
    t.true(a.events.some((e) => e.type === 'EarlyMedia' && e.sessionId === call.id && e.status === 183));
    t.is(a.coordinator.getMediaInfo(call.id).direction, 'recvonly', 'the caller listens only before the 2xx');
    t.is(toneOf(a.coordinator.getRecording(call.id).subarray(-8_000)), 440, "the callee's early media is heard");
    t.is(a.coordinator.getMediaStatistics(call.id).packetsSent, 0);

    await b.coordinator.acceptIncomingCall(bId);
    await sim.clock.advanceBy(4_000);
    t.is((await answered).state, 'Connected');
    t.is(a.coordinator.getMediaInfo(call.id).direction, 'sendrecv');
    t.is(toneOf(b.coordinator.getRecording(bId).subarray(-8_000)), 1000, 'after the 2xx the caller is heard');
    const invites = messages.filter((m) => m.firstLine.startsWith('INVITE '));
    t.true(invites.every((m) => m.bodyLength === 0), 'the INVITE had no offer');
    const pracks = messages.filter((m) => m.firstLine.startsWith('PRACK '));
    t.true(pracks.length > 0 && pracks.every((m) => m.bodyLength > 0), 'the PRACK carried our answer');
    const ok = messages.filter((m) => m.firstLine === 'SIP/2.0 200 OK' && m.cseqMethod === 'INVITE');
    t.true(ok.length > 0 && ok.every((m) => m.bodyLength === 0), 'the 2xx repeats nothing (RFC 3262 §5)');
    const acks = messages.filter((m) => m.firstLine.startsWith('ACK '));
    t.true(acks.length > 0 && acks.every((m) => m.bodyLength === 0));

    const hangup = a.coordinator.terminateSession(call.id);
    await sim.clock.advanceBy(40_000);
    await hangup;
    await stopAndExpectReleased(t, sim);
  });
}

const offer = (port: number, version: number, host = '10.0.0.9'): Uint8Array => new TextEncoder().encode(
  `v=0\r\no=- 77 ${version} IN IP4 ${host}\r\ns=-\r\nc=IN IP4 ${host}\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0 101\r\n`
  + 'a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n',
);
const SDP_TYPE = 'application/sdp';
const via = (host: string, branch: string) => ({
  protocolName: 'SIP', protocolVersion: '2.0', transport: 'UDP', host, port: 5060,
  params: [{ name: 'branch', value: branch }],
});
const toTagOf = (m: SipMessage): string => /tag=([^;>,\s]+)/.exec(headerValue(m, 'To') ?? '')?.[1] ?? '';
const fromTagOf = (m: SipMessage): string => /tag=([^;>,\s]+)/.exec(headerValue(m, 'From') ?? '')?.[1] ?? '';
const contactUri = (m: SipMessage) => {
  const parsed = parseNameAddr(headerValue(m, 'Contact')!);
  if (E.isLeft(parsed)) throw new Error('no Contact');
  return parsed.right.uri;
};

/** A scripted SIP peer at `host` on the simulated network: a bare transaction layer. */
const rawPeer = (sim: Awaited<ReturnType<typeof simPeers>>, host: string, onRequest: TransactionUser['onRequest']) => {
  const transport = unwrap(SimulatedSipTransport.listen(sim.network, { host, port: 5060 }));
  const layer = new TransactionLayer(transport, sim.clock, { onRequest });
  /** Sends a request and lets virtual time run until its final response is in. */
  const send = async (request: SipRequest, to: string): Promise<SipResponse> => {
    const final = new Promise<SipResponse>((resolve) => {
      layer.sendRequest(request, { protocol: 'udp', host: to, port: 5060 }, {
        onResponse: (r) => { if (r.status >= 200) resolve(r); },
      });
    });
    await sim.clock.advanceBy(2_000);
    return final;
  };
  return { layer, transport, send };
};

test('the callee answers a new offer in a PRACK and in an early UPDATE at once (RFC 6337 §2.1, RFC 3311); the 2xx carries no SDP', async (t) => {
  const sim = await simPeers(331, [deferring]);
  const b = sim.peers[0]!;
  let branch = 0;
  const caller = rawPeer(sim, '10.0.0.9', (request, tx) => void tx.respond(buildResponse(request, 200)));
  const alice = { uri: sipUri('10.0.0.9', { user: 'alice' }), params: [{ name: 'tag', value: 'a1' }] };
  const bobTo: NameAddr = { uri: sipUri('10.0.0.1', { user: 'user1' }), params: [] };
  const request = (method: string, cseq: number, to = bobTo, uri = bobTo.uri, body?: Uint8Array) => buildRequest({
    method, uri, from: alice, to, callId: 'early-offers-1', cseq, vias: [via('10.0.0.9', `z9hG4bKe${++branch}`)],
    contact: { uri: sipUri('10.0.0.9', { user: 'alice' }), params: [] },
    headers: [{ name: 'Supported', value: '100rel' }],
    ...(body === undefined ? {} : { body, contentType: SDP_TYPE }),
  });
  const provisionals: SipResponse[] = [];
  const invite = request('INVITE', 1, bobTo, bobTo.uri, offer(40000, 1));
  let final: SipResponse | undefined;
  caller.layer.sendRequest(invite, { protocol: 'udp', host: '10.0.0.1', port: 5060 }, {
    onResponse: (r) => { if (r.status < 200) provisionals.push(r); else final = r; },
  });
  await sim.clock.advanceBy(1_000);
  const bId = b.coordinator.listActiveSessions()[0]!;
  await b.coordinator.sendEarlyMedia(bId);
  await sim.clock.advanceBy(1_000);
  const reliable = provisionals.find((r) => r.status === 183)!;
  t.is(headerValue(reliable, 'Require'), '100rel');
  const tagged = { ...bobTo, params: [{ name: 'tag', value: toTagOf(reliable) }] };
  const target = contactUri(reliable);
  t.is(b.coordinator.getMediaInfo(bId).remoteRtpPort, 40000);

  // The PRACK carries a new offer: its 200 answers it, and the media follows.
  const rack = `${headerValue(reliable, 'RSeq')} 1 INVITE`;
  const prack = withHeader(request('PRACK', 2, tagged, target, offer(40002, 2)), 'RAck', rack);
  const prackOk = await caller.send(prack, '10.0.0.1');
  t.is(prackOk.status, 200);
  t.is(headerValue(prackOk, 'Content-Type'), SDP_TYPE);
  t.is(b.coordinator.getMediaInfo(bId).remoteRtpPort, 40002);

  // An UPDATE with another offer: answered in its 200, with Contact (a target refresh, RFC 3311 §5.2).
  const updateOk = await caller.send(request('UPDATE', 3, tagged, target, offer(40004, 3)), '10.0.0.1');
  t.is(updateOk.status, 200);
  t.truthy(headerValue(updateOk, 'Contact'));
  t.regex(new TextDecoder().decode(updateOk.body), /^o=- \d+ 3 IN IP4/m, 'our third description (RFC 3264 §8)');
  t.is(b.coordinator.getMediaInfo(bId).remoteRtpPort, 40004);
  const bad = await caller.send(request('UPDATE', 4, tagged, target, new TextEncoder().encode('not sdp')), '10.0.0.1');
  t.is(bad.status, 400);

  await b.coordinator.acceptIncomingCall(bId);
  await sim.clock.advanceBy(1_000);
  t.is(final?.status, 200);
  t.is(final!.body.length, 0, 'the exchanges are complete: the 2xx carries no SDP');
  const ack = buildRequest({
    method: 'ACK', uri: target, from: alice, to: tagged, callId: 'early-offers-1', cseq: 1,
    vias: [via('10.0.0.9', `z9hG4bKe${++branch}`)],
  });
  caller.transport.send(ack, { protocol: 'udp', host: '10.0.0.1', port: 5060 });
  await sim.clock.advanceBy(1_000);
  t.is(b.coordinator.getSession(bId)?.state, 'Connected');
  t.is(b.coordinator.getMediaInfo(bId).remoteRtpPort, 40004);
  t.is((await caller.send(request('BYE', 5, tagged, target), '10.0.0.1')).status, 200);
  await sim.clock.advanceBy(40_000);
  caller.layer.close();
  await caller.transport.close();
  await stopAndExpectReleased(t, sim);
});

test('the caller answers the callee\'s UPDATE in the early dialog (RFC 3311 §5.1), listening to the new terms until the 2xx', async (t) => {
  const sim = await simPeers(332, [deferring]);
  const a = sim.peers[0]!;
  let invite: SipRequest | undefined;
  let inviteTx: ServerTransaction | undefined;
  const pracks: SipRequest[] = [];
  const callee = rawPeer(sim, '10.0.0.9', (request, tx) => {
    if (request.method === 'INVITE') {
      invite = request;
      inviteTx = tx;
      const answer = { body: offer(40000, 1), contentType: SDP_TYPE };
      return void tx.respond(buildResponse(request, 183, { toTag: 'b1', ...answer, headers: [
        { name: 'Require', value: '100rel' }, { name: 'RSeq', value: '1' },
        { name: 'Contact', value: '<sip:bob@10.0.0.9:5060>' },
        { name: 'Allow', value: 'INVITE, ACK, BYE, PRACK, UPDATE' },
      ] }));
    }
    if (request.method === 'PRACK') pracks.push(request);
    void tx.respond(buildResponse(request, 200));
  });
  const call = await a.coordinator.createOutgoingCall(a.uri, 'sip:bob@10.0.0.9:5060');
  const answered = a.coordinator.waitForAnswer(call.id, 60_000);
  await sim.clock.advanceBy(1_000);
  t.is(pracks.length, 1);
  t.is(pracks[0]!.body.length, 0, 'the 183 answered our offer: the PRACK carries nothing');
  t.is(a.coordinator.getMediaInfo(call.id).remoteRtpPort, 40000);
  t.is(a.coordinator.getSession(call.id)?.state, 'Ringing');
  const update = buildRequest({
    method: 'UPDATE', uri: contactUri(invite!), callId: headerValue(invite!, 'Call-ID')!, cseq: 1,
    from: { uri: sipUri('10.0.0.9', { user: 'bob' }), params: [{ name: 'tag', value: 'b1' }] },
    to: { uri: sipUri('10.0.0.1', { user: 'user1' }), params: [{ name: 'tag', value: fromTagOf(invite!) }] },
    vias: [via('10.0.0.9', 'z9hG4bKu1')], contact: { uri: sipUri('10.0.0.9', { user: 'bob' }), params: [] },
    body: offer(40006, 2), contentType: SDP_TYPE,
  });
  const updated = await callee.send(update, '10.0.0.1');
  t.is(updated.status, 200);
  t.is(headerValue(updated, 'Content-Type'), SDP_TYPE);
  t.truthy(headerValue(updated, 'Contact'));
  t.like(a.coordinator.getMediaInfo(call.id), { remoteRtpPort: 40006, direction: 'recvonly' });
  const stale = await callee.send({ ...update, headers: update.headers.map((h) => (
    h.name === 'Via' ? { ...h, value: h.value.replace('z9hG4bKu1', 'z9hG4bKu2') } : h
  )) }, '10.0.0.1');
  t.is(stale.status, 500, 'the same CSeq again is out of order (§12.2.2)');

  void inviteTx!.respond(buildResponse(invite!, 200, { toTag: 'b1', headers: [
    { name: 'Contact', value: '<sip:bob@10.0.0.9:5060>' },
  ] }));
  await sim.clock.advanceBy(1_000);
  t.is((await answered).state, 'Connected');
  t.like(a.coordinator.getMediaInfo(call.id), { remoteRtpPort: 40006, direction: 'sendrecv' });
  const hangup = a.coordinator.terminateSession(call.id);
  await sim.clock.advanceBy(40_000);
  await hangup;
  callee.layer.close();
  await callee.transport.close();
  await stopAndExpectReleased(t, sim);
});
