import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { SimulatedNetwork, type LinkImpairment } from '../../adapters/sim/simulated-network.js';
import { SimulatedRtpSocketFactory } from '../../adapters/sim/simulated-rtp-socket.js';
import { SeededRandom } from '../../adapters/sim/seeded-random.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import { IdGenerator } from '../../application/id-generator.js';
import { MediaSession } from '../../application/media/media-session.js';
import { nodeSrtpPrimitives } from '../../adapters/node/node-srtp-primitives.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { parseRtp, serializeRtp } from '../../domain/media/rtp-packet.js';
import { right } from '../support/either.js';
import { announceSeed, simSeeds } from '../support/sim-seed.js';

const pair = async (seed: number, link: Partial<LinkImpairment>) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed, link });
  const ids = new IdGenerator(new SeededRandom(seed));
  const a = right(
    undefined as never,
    await MediaSession.open(new SimulatedRtpSocketFactory(network, '10.0.0.1', 20000, 20099), clock, ids, 'a'),
  );
  const b = right(
    undefined as never,
    await MediaSession.open(new SimulatedRtpSocketFactory(network, '10.0.0.2', 30000, 30099), clock, ids, 'b'),
  );
  const params = (peer: MediaSession) => ({
    codec: 'PCMU' as const, payloadType: 0, telephoneEventPayloadType: 101, direction: 'sendrecv' as const,
    remote: { host: peer.localAddress.host, port: peer.localAddress.rtpPort }, remoteRtcpPort: peer.localAddress.rtcpPort,
  });
  a.configure(params(b));
  b.configure(params(a));
  return { clock, network, a, b };
};

const stop = async (s: Awaited<ReturnType<typeof pair>>): Promise<void> => {
  await s.a.close();
  await s.b.close();
  await s.clock.runUntilIdle();
};

test('media: 20 ms frames leave on exact 20 ms deadlines for 10 virtual minutes (no drift)', async (t) => {
  const s = await pair(1, {});
  s.a.setSource({ kind: 'tone', frequenciesHz: [1000] });
  s.a.start();
  s.clock.advanceBySync(600_000);
  t.is(s.a.statistics().packetsSent, 30_000);
  const sends = s.network.trace.lines.filter((l) => l.includes(' send 10.0.0.1:20000 ')).map(
    (l) => Number(l.split(' ')[0]),
  );
  t.true(sends.every((ms, i) => ms === (i + 1) * 20), 'every packet exactly on its 20 ms mark');
  await stop(s);
  t.is(s.network.openSockets(), 0);
  t.is(s.clock.pendingTimers(), 0);
});

for (const seed of simSeeds([2, 3])) {
  test(`media (seed ${seed}): 5 % loss and 20 ms of jitter are reported within 10 % over 5 minutes; RTT comes from RTCP`, async (t) => {
    announceSeed(t, seed);
    const s = await pair(seed, { oneWayDelayMinMs: 30, oneWayDelayMeanMs: 20, lossRatio: 0.05 });
    s.a.start();
    s.b.start();
    // The RFC 3550 jitter estimator is a running average with gain 1/16, so one reading is noisy:
    // read it once a second, as a monitoring user would, and compare the mean.
    const readings: number[] = [];
    for (let second = 0; second < 300; second++) {
      s.clock.advanceBySync(1_000);
      if (second >= 10) readings.push(s.b.statistics().jitterMs);
    }
    const stats = s.b.statistics();
    const meanJitter = readings.reduce((a, b) => a + b, 0) / readings.length;
    t.log(
      `loss ${stats.lossPercent.toFixed(2)} %, mean jitter ${meanJitter.toFixed(1)} ms, rtt ${stats.rttMs?.toFixed(1)} ms, mos ${stats.mos?.toFixed(2)}`,
    );
    t.true(Math.abs(stats.lossPercent - 5) <= 0.5, `loss ${stats.lossPercent}`);
    // Exponential extra delay with a 20 ms mean: |D(i, i-1)| has a 20 ms mean too (difference of two exponentials).
    t.true(Math.abs(meanJitter - 20) <= 2, `jitter ${meanJitter}`);
    // Two one-way trips of at least 30 ms plus their random parts; RTCP RTT is measured, not defaulted.
    t.true(stats.rttMs !== undefined && stats.rttMs >= 60 && stats.rttMs < 200, `rtt ${stats.rttMs}`);
    t.true(stats.rtcpReceived > 30);
    await stop(s);
  });
}

test('media: the MOS falls as loss rises', async (t) => {
  const mos: number[] = [];
  for (const loss of [0, 0.02, 0.05, 0.15]) {
    const s = await pair(4, { oneWayDelayMinMs: 10, oneWayDelayMeanMs: 5, lossRatio: loss });
    s.a.start();
    s.b.start();
    s.clock.advanceBySync(60_000);
    mos.push(s.b.statistics().mos ?? 0);
    await stop(s);
  }
  t.log(mos.map((m) => m.toFixed(2)).join(' > '));
  for (let i = 1; i < mos.length; i++) t.true(mos[i]! < mos[i - 1]!, `MOS ${mos.join(', ')}`);
  t.true(mos[0]! > 4.2);
});

test('media: a tone sent one way is received as that tone; DTMF events arrive once each', async (t) => {
  const s = await pair(5, { oneWayDelayMinMs: 10 });
  s.a.setSource({ kind: 'tone', frequenciesHz: [1000] });
  s.b.setSink({ kind: 'record' });
  const digits: string[] = [];
  s.b.onDtmf((d) => digits.push(d));
  s.a.start();
  s.b.start();
  s.clock.advanceBySync(2_000);
  const sent = s.a.sendDtmf('19#');
  s.clock.advanceBySync(2_000);
  t.true(await sent);
  const heard = s.b.recording();
  t.like(dominantFrequency(heard.subarray(800, 8000), [600, 1000, 1400]), { frequencyHz: 1000 });
  t.deepEqual(digits, ['1', '9', '#']);
  await stop(s);
});

test('media: digits asked for while others still play queue behind them: on the wire one event ends before the next starts (RFC 4733 §2.5.1); each arrives once, in order', async (t) => {
  const s = await pair(7, { oneWayDelayMinMs: 10 });
  // A sniffer between a and b records a's telephone-events, then forwards every packet to b.
  const events: Array<{ timestamp: number; event: number; end: boolean }> = [];
  const toB = { host: '10.0.0.2', port: s.b.localAddress.rtpPort };
  const sniffer = right(t, s.network.bindDatagram('10.0.0.3', 9000, (bytes) => {
    const packet = parseRtp(bytes);
    if (E.isRight(packet) && packet.right.payloadType === 101) {
      events.push({
        timestamp: packet.right.timestamp, event: packet.right.payload[0]!,
        end: (packet.right.payload[1]! & 0x80) !== 0,
      });
    }
    sniffer.send(bytes, toB);
  }));
  s.a.configure({
    codec: 'PCMU', payloadType: 0, telephoneEventPayloadType: 101, direction: 'sendrecv',
    remote: { host: '10.0.0.3', port: 9000 }, remoteRtcpPort: 9001,
  });
  const digits: string[] = [];
  s.b.onDtmf((d) => digits.push(d));
  s.a.start();
  s.b.start();
  s.clock.advanceBySync(500);
  // A keypad: one sendDtmf per key, 30 ms apart, far quicker than an event lasts.
  const sends = [s.a.sendDtmf('1')];
  s.clock.advanceBySync(30);
  sends.push(s.a.sendDtmf('2'));
  s.clock.advanceBySync(30);
  sends.push(s.a.sendDtmf('34'));
  s.clock.advanceBySync(3_000);
  t.deepEqual(await Promise.all(sends), [true, true, true]);
  t.deepEqual(digits, ['1', '2', '3', '4']);
  // Packets of one event are contiguous and the next event starts only after the previous one's end packets.
  const order: number[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (order.at(-1) !== e.event) {
      t.false(order.includes(e.event), `event ${e.event} resumed after another began`);
      if (i > 0) t.true(events[i - 1]!.end, 'the previous event ended before this one started');
      order.push(e.event);
    }
  }
  t.deepEqual(order, [1, 2, 3, 4]);
  sniffer.close();
  await stop(s);
});

test('media: malformed RTP, a foreign SSRC and an unexpected payload type are counted and not played', async (t) => {
  const s = await pair(6, {});
  s.a.start();
  s.b.start();
  s.clock.advanceBySync(200);
  const intruder = right(t, s.network.bindDatagram('10.0.0.9', 9000, () => undefined));
  const to = { host: '10.0.0.2', port: s.b.localAddress.rtpPort };
  intruder.send(Uint8Array.of(1, 2, 3), to);
  intruder.send(
    serializeRtp({
      marker: false, payloadType: 0, sequence: 1, timestamp: 1, ssrc: 0xbad, csrcs: [], payload: new Uint8Array(160),
      paddingBytes: 0,
    }),
    to,
  );
  s.clock.advanceBySync(200);
  const stats = s.b.statistics();
  t.is(stats.malformed, 1);
  t.is(stats.unexpectedSsrc, 1);
  const played = stats.packetsReceived;
  // Expect PCMA from now on: a's PCMU packets are counted and not played.
  s.b.configure({ ...s.b.parameters!, payloadType: 8, codec: 'PCMA' });
  s.clock.advanceBySync(200);
  t.true(s.b.statistics().unexpectedPayloadType >= 9);
  t.is(s.b.statistics().packetsReceived, played);
  intruder.close();
  await stop(s);
});

test('media: symmetric RTP latches once onto the first packet\'s source address', async (t) => {
  const s = await pair(10, {});
  // b believes a is somewhere else (a NAT rewrote it); with symmetric RTP b answers where a's packets come from.
  s.b.configure({ ...s.b.parameters!, remote: { host: '192.0.2.99', port: 5555 }, symmetric: true });
  s.a.setSource({ kind: 'tone', frequenciesHz: [1000] });
  s.a.start();
  s.b.start();
  s.clock.advanceBySync(1_000);
  t.deepEqual(s.b.parameters?.remote, { host: '10.0.0.1', port: s.a.localAddress.rtpPort });
  t.true(s.a.statistics().packetsReceived > 40, 'b\'s audio reaches a');
  await stop(s);
});

test('media: RTCP BYE on close only from a session that sent RTP or RTCP (RFC 3550 §6.3.7)', async (t) => {
  const s = await pair(9, {});
  // Configured but never started: nothing was sent, so closing sends nothing either.
  await s.b.close();
  s.a.start();
  s.clock.advanceBySync(100);
  await s.a.close();
  await s.clock.runUntilIdle();
  const rtcpFrom = (host: string, port: number) => s.network.trace.lines.filter(
    (l) => l.includes(` send ${host}:${port} `),
  );
  t.is(rtcpFrom('10.0.0.2', s.b.localAddress.rtcpPort).length, 0);
  t.is(rtcpFrom('10.0.0.1', s.a.localAddress.rtcpPort).length, 1, 'the sender says BYE');
});

for (const seed of simSeeds([4, 5, 6, 7])) {
  test(`media (seed ${seed}): both ends know the round trip within 6 s of the start (reports at ~1 s and ~2.5 s later), so a short call reports RTT on both sides`, async (t) => {
    announceSeed(t, seed);
    const s = await pair(seed, { oneWayDelayMinMs: 20, oneWayDelayMeanMs: 5 });
    s.a.start();
    s.b.start();
    s.clock.advanceBySync(6_000);
    const [a, b] = [s.a.statistics(), s.b.statistics()];
    t.true(a.rttMs !== undefined && a.rttMs >= 40 && a.rttMs < 100, `a: rtt ${a.rttMs} after ${a.rtcpSent} reports`);
    t.true(b.rttMs !== undefined && b.rttMs >= 40 && b.rttMs < 100, `b: rtt ${b.rttMs} after ${b.rtcpSent} reports`);
    await stop(s);
  });
}

test('media under SRTP: a re-key (new keys in a re-offer, RFC 4568 §7.1.4) starts the streams afresh; packets under the old key are refused and counted, audio goes on under the new one', async (t) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed: 9 });
  const ids = new IdGenerator(new SeededRandom(9));
  const open = async (host: string, port: number) => right(t, await MediaSession.open(
    new SimulatedRtpSocketFactory(network, host, port, port + 99), clock, ids, host, nodeSrtpPrimitives,
  ));
  const a = await open('10.0.0.1', 20000);
  const b = await open('10.0.0.2', 30000);
  const keyA = ids.bytes(30);
  const keyB = ids.bytes(30);
  const suite = 'AES_CM_128_HMAC_SHA1_80' as const;
  const params = (peer: MediaSession, send: Uint8Array, receive: Uint8Array) => ({
    codec: 'PCMU' as const, payloadType: 0, direction: 'sendrecv' as const,
    remote: { host: peer.localAddress.host, port: peer.localAddress.rtpPort }, remoteRtcpPort: peer.localAddress.rtcpPort,
    srtp: { suite, send, receive },
  });
  a.configure(params(b, keyA, keyB));
  b.configure(params(a, keyB, keyA));
  a.setSource({ kind: 'tone', frequenciesHz: [1000] });
  a.start();
  b.start();
  clock.advanceBySync(1_000);
  const before = b.statistics().packetsReceived;
  t.true(before > 40);
  // a re-keys its sending side; b learns the new key a moment later (the answer crossing): meanwhile refused.
  const newKeyA = ids.bytes(30);
  a.configure(params(b, newKeyA, keyB));
  clock.advanceBySync(100);
  const refused = b.statistics().srtpAuthFailures;
  t.true(refused > 0, 'packets under the key b does not know yet are refused');
  b.configure(params(a, keyB, newKeyA));
  clock.advanceBySync(1_000);
  t.true(b.statistics().packetsReceived > before + 40, 'audio goes on under the new key');
  t.is(b.statistics().srtpAuthFailures, refused, 'and none refused since, the old count kept across the re-key');
  await a.close();
  await b.close();
  await clock.runUntilIdle();
});
