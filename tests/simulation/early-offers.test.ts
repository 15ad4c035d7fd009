/**
 * Offers and answers in early dialogs between two coordinators on the simulated network (RFC 3262 §5,
 * RFC 6337 §2): an offerless INVITE gets the callee's offer in a reliable 183, the caller answers in its
 * PRACK and hears the early media listen-only; the 2xx and the ACK then carry no SDP, and both talk.
 */
import test from 'ava';
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
