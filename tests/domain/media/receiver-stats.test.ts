import test from 'ava';
import { SeededRandom } from '../../../adapters/sim/seeded-random.js';
import { estimateMos, mosFromR, rFactor } from '../../../domain/media/mos.js';
import {
  cumulativeLost, expectedPackets, extendedMax, initialReceiverStats, noteSenderReport, ntpMiddle, receivePacket, receivePacketStepByStep, reportBlock, roundTripMs, type ReceiverStats,
} from '../../../domain/media/receiver-stats.js';

const feed = (seqs: ReadonlyArray<number>, start: ReceiverStats = initialReceiverStats): ReceiverStats =>
  seqs.reduce((s, seq, i) => receivePacket(s, 42, seq, i * 160, i * 160, 160), start);

test('receiver stats: in-order packets, no loss (RFC 3550 A.1, A.3)', (t) => {
  const s = feed(Array.from({ length: 100 }, (_, i) => 1000 + i));
  t.is(cumulativeLost(s), 0);
  t.is(extendedMax(s), 1099);
  const [, block] = reportBlock(s, 0);
  t.is(block.fractionLost, 0);
  t.is(block.jitter, 0, 'perfectly paced packets have no jitter');
});

test('receiver stats: sequence wrap-around extends the highest sequence with a cycle count', (t) => {
  const s = feed(Array.from({ length: 20 }, (_, i) => (65530 + i) % 65536));
  t.is(extendedMax(s), 65536 + 13);
  t.is(cumulativeLost(s), 0);
});

test('receiver stats: losses give cumulative and fraction lost per interval; duplicates are not counted', (t) => {
  const seqs = Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 10 !== 5);
  let s = feed(seqs);
  s = receivePacket(s, 42, 99, 99 * 160, 99 * 160, 160);
  t.is(s.duplicates, 1);
  t.is(expectedPackets(s), 99);
  t.is(cumulativeLost(s), 10, "5, 15, … 95 are missing; the first packet only validates the source");
  const [after, block] = reportBlock(s, 0);
  t.is(block.fractionLost, Math.floor((10 * 256) / 99));
  const [, next] = reportBlock(feed([100, 101], after), 0);
  t.is(next.fractionLost, 0, 'the fraction covers only the new interval');
});

test('receiver stats: interarrival jitter converges to the mean deviation (A.8)', (t) => {
  let s = initialReceiverStats;
  // Arrivals alternate 10 ms (80 units) early and late around a 20 ms pace.
  for (let i = 0; i < 2000; i++) s = receivePacket(s, 7, i, i * 160, i * 160 + (i % 2 === 0 ? 80 : -80), 160);
  t.true(Math.abs(s.jitter - 160) < 5, `jitter ${s.jitter}`);
});

test('receiver stats: a new SSRC restarts the statistics', (t) => {
  const s = receivePacket(feed([1, 2, 3]), 99, 500, 0, 0, 160);
  t.is(s.ssrc, 99);
  t.is(s.received, 1);
});

test('RTT: arrival − LSR − DLSR, in 1/65536 s units (§6.4.1)', (t) => {
  const sent = noteSenderReport(initialReceiverStats, 10, 0, 1_000);
  const [, block] = reportBlock({ ...feed([1, 2, 3], sent), lastSr: sent.lastSr, lastSrArrivalMs: 1_000 }, 1_500);
  // The SR left at t=10 s (NTP), the RR arrives back at 10.6 s: 100 ms of path + 500 ms held.
  const rtt = roundTripMs(ntpMiddle(10_600), block);
  t.true(rtt !== undefined && Math.abs(rtt - 100) < 1, `rtt ${rtt}`);
  t.is(roundTripMs(123, { ...block, lastSr: 0 }), undefined);
});

test('MOS (E-model): a clean G.711 call scores about 4.4 and the score falls as loss rises', (t) => {
  const clean = estimateMos({ lossPercent: 0, jitterMs: 0, oneWayDelayMs: 0 });
  t.true(clean > 4.3 && clean <= 4.5, `clean ${clean}`);
  const scores = [0, 1, 2, 5, 10, 20].map((loss) => estimateMos({ lossPercent: loss, jitterMs: 5, oneWayDelayMs: 20 }));
  for (let i = 1; i < scores.length; i++) t.true(scores[i]! < scores[i - 1]!, `MOS at step ${i}`);
  t.true(estimateMos({ lossPercent: 0, jitterMs: 0, oneWayDelayMs: 400 }) < clean - 0.5, 'long delays hurt');
  t.is(mosFromR(0), 1);
  t.is(mosFromR(120), 4.5);
  t.true(rFactor({ lossPercent: 100, jitterMs: 0, oneWayDelayMs: 0 }) < 20);
});

test('receiver stats: the steady-state shortcut agrees with the step-by-step A.1/A.8 path on any packet sequence', (
  t,
) => {
  const seeded = new SeededRandom(7);
  const random = { nextFloat: () => seeded.nextFloat(), below: (n: number) => Math.floor(seeded.nextFloat() * n) };
  for (let run = 0; run < 50; run++) {
    let fast: ReceiverStats = initialReceiverStats;
    let slow: ReceiverStats = initialReceiverStats;
    let seq = random.below(65536);
    let timestamp = random.below(2 ** 31);
    for (let i = 0; i < 400; i++) {
      // Mostly the next packet; sometimes gaps, duplicates, reordering, big jumps, DTMF-like repeats, a new SSRC.
      const roll = random.nextFloat();
      const step = roll < 0.75 ? 1 : roll < 0.85 ? 2 + random.below(5) : roll < 0.9 ? 0 : roll < 0.95 ? -1 - random.below(3) : roll < 0.99 ? 3000 + random.below(60000) : 1;
      seq = (seq + step + 65536) % 65536;
      timestamp = (timestamp + 160 * step) >>> 0;
      const ssrc = roll > 0.995 ? 43 : 42;
      const arrival = i * 160 + random.below(400);
      const jitterToo = random.nextFloat() > 0.05;
      fast = receivePacket(fast, ssrc, seq, timestamp, arrival, 160, jitterToo);
      slow = receivePacketStepByStep(slow, ssrc, seq, timestamp, arrival, 160, jitterToo);
      if (JSON.stringify(fast) !== JSON.stringify(slow)) {
        t.deepEqual(fast, slow, `run ${run}, packet ${i}`);
        return;
      }
    }
    t.deepEqual(fast, slow);
  }
});
