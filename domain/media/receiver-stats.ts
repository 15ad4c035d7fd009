/**
 * Receiver statistics of RFC 3550 Appendix A: sequence validation with
 * wrap-around (A.1), expected/lost counts and fraction lost per interval
 * (A.3), interarrival jitter (A.8). A pure value updated per packet.
 */
import type { ReportBlock } from './rtcp.js';

const RTP_SEQ_MOD = 1 << 16;
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const MIN_SEQUENTIAL = 2;

export interface ReceiverStats {
  readonly ssrc: number | undefined;
  readonly maxSeq: number;
  readonly cycles: number;
  readonly baseSeq: number;
  readonly badSeq: number;
  readonly probation: number;
  readonly received: number;
  readonly bytes: number;
  readonly expectedPrior: number;
  readonly receivedPrior: number;
  /** Relative transit time of the previous packet, in timestamp units. */
  readonly transit: number | undefined;
  /** Interarrival jitter estimate, in timestamp units (A.8). */
  readonly jitter: number;
  /** Middle 32 bits of the last SR's NTP time, and when it arrived (ms). */
  readonly lastSr: number;
  readonly lastSrArrivalMs: number | undefined;
  readonly duplicates: number;
}

export const initialReceiverStats: ReceiverStats = {
  ssrc: undefined, maxSeq: 0, cycles: 0, baseSeq: 0, badSeq: RTP_SEQ_MOD + 1, probation: MIN_SEQUENTIAL,
  received: 0, bytes: 0, expectedPrior: 0, receivedPrior: 0, transit: undefined, jitter: 0, lastSr: 0,
  lastSrArrivalMs: undefined, duplicates: 0,
};

const initSeq = (s: ReceiverStats, seq: number): ReceiverStats => ({
  ...s, baseSeq: seq, maxSeq: seq, badSeq: RTP_SEQ_MOD + 1, cycles: 0, received: 0, receivedPrior: 0, expectedPrior: 0,
});

/** A.1 update_seq: returns the new state and whether the packet counts as valid. */
export const updateSequence = (s: ReceiverStats, seq: number): readonly [ReceiverStats, boolean] => {
  const udelta = (seq - s.maxSeq + RTP_SEQ_MOD) % RTP_SEQ_MOD;
  if (s.probation > 0) {
    // Source not yet valid: it must send MIN_SEQUENTIAL packets in order.
    if (s.received > 0 && seq === ((s.maxSeq + 1) % RTP_SEQ_MOD)) {
      const probation = s.probation - 1;
      const next = { ...s, probation, maxSeq: seq };
      return probation === 0 ? [{ ...initSeq(next, seq), probation: 0, received: 1 }, true] : [
        { ...next, received: s.received + 1 }, false,
      ];
    }
    return [{ ...s, probation: MIN_SEQUENTIAL - 1, maxSeq: seq, received: 1 }, false];
  }
  if (udelta < MAX_DROPOUT) {
    if (udelta === 0) return [{ ...s, duplicates: s.duplicates + 1 }, false];
    const cycles = seq < s.maxSeq ? s.cycles + RTP_SEQ_MOD : s.cycles;
    return [{ ...s, cycles, maxSeq: seq, received: s.received + 1 }, true];
  }
  if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
    // A very large jump: accept it only if the next packet confirms the new sequence.
    if (seq === s.badSeq) return [{ ...initSeq(s, seq), probation: 0, received: 1 }, true];
    return [{ ...s, badSeq: (seq + 1) % RTP_SEQ_MOD }, false];
  }
  // Duplicate or reordered packet.
  return [{ ...s, received: s.received + 1 }, true];
};

/**
 * Counts one RTP packet: sequence (A.1) and jitter (A.8). `arrivalTs` is the
 * arrival time in the stream's timestamp units.
 */
export const receivePacket = (
  s: ReceiverStats, ssrc: number, seq: number, rtpTimestamp: number, arrivalTs: number, payloadBytes: number,
  updateJitter = true,
): ReceiverStats => {
  if (s.ssrc === ssrc && s.probation === 0 && updateJitter && s.transit !== undefined) {
    // The steady state (a valid source, the next packet or a small gap ahead) in one object, no intermediate copies.
    const udelta = (seq - s.maxSeq + RTP_SEQ_MOD) % RTP_SEQ_MOD;
    if (udelta > 0 && udelta < MAX_DROPOUT) {
      const transit = arrivalTs - rtpTimestamp;
      return {
        ssrc, maxSeq: seq, cycles: seq < s.maxSeq ? s.cycles + RTP_SEQ_MOD : s.cycles, baseSeq: s.baseSeq,
        badSeq: s.badSeq, probation: 0, received: s.received + 1, bytes: s.bytes + payloadBytes,
        expectedPrior: s.expectedPrior, receivedPrior: s.receivedPrior,
        transit, jitter: s.jitter + (Math.abs(transit - s.transit) - s.jitter) / 16,
        lastSr: s.lastSr, lastSrArrivalMs: s.lastSrArrivalMs, duplicates: s.duplicates,
      };
    }
  }
  return receivePacketStepByStep(s, ssrc, seq, rtpTimestamp, arrivalTs, payloadBytes, updateJitter);
};

/** receivePacket as A.1 then A.8, for every case; the shortcut above must agree with it (tests compare them). */
export const receivePacketStepByStep = (
  s: ReceiverStats, ssrc: number, seq: number, rtpTimestamp: number, arrivalTs: number, payloadBytes: number,
  updateJitter = true,
): ReceiverStats => {
  const base = s.ssrc === ssrc ? s : { ...initialReceiverStats, ssrc };
  const [sequenced] = updateSequence(base, seq);
  // A duplicate changes nothing but the duplicate count.
  if (sequenced.duplicates > base.duplicates) return sequenced;
  // RFC 4733 events repeat one timestamp across packets: they count for sequence and loss, not jitter.
  if (!updateJitter) return { ...sequenced, bytes: sequenced.bytes + payloadBytes };
  const transit = arrivalTs - rtpTimestamp;
  const previous = sequenced.transit;
  const jitter = previous === undefined
    ? sequenced.jitter
    : sequenced.jitter + (Math.abs(transit - previous) - sequenced.jitter) / 16;
  return { ...sequenced, transit, jitter, bytes: sequenced.bytes + payloadBytes };
};

export const extendedMax = (s: ReceiverStats): number => s.cycles + s.maxSeq;
export const expectedPackets = (s: ReceiverStats): number => (
  s.ssrc === undefined ? 0 : extendedMax(s) - s.baseSeq + 1
);
export const cumulativeLost = (s: ReceiverStats): number => expectedPackets(s) - s.received;

/** A.3: a report block for the interval since the previous one, and the state with the interval reset. */
export const reportBlock = (s: ReceiverStats, nowMs: number): readonly [ReceiverStats, ReportBlock] => {
  const expected = expectedPackets(s);
  const expectedInterval = expected - s.expectedPrior;
  const receivedInterval = s.received - s.receivedPrior;
  const lostInterval = expectedInterval - receivedInterval;
  const fraction = expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval << 8) / expectedInterval);
  const dlsr = s.lastSrArrivalMs === undefined ? 0 : Math.round(((nowMs - s.lastSrArrivalMs) / 1000) * 65536);
  const block: ReportBlock = {
    ssrc: s.ssrc ?? 0,
    fractionLost: Math.min(fraction, 255),
    cumulativeLost: Math.max(-0x800000, Math.min(0x7fffff, cumulativeLost(s))),
    extendedHighestSequence: extendedMax(s) >>> 0,
    jitter: Math.floor(s.jitter) >>> 0,
    lastSr: s.lastSr,
    delaySinceLastSr: dlsr >>> 0,
  };
  return [{ ...s, expectedPrior: expected, receivedPrior: s.received }, block];
};

/** Records an SR from the peer (its NTP time, middle 32 bits) for LSR/DLSR. */
export const noteSenderReport = (
  s: ReceiverStats, ntpSeconds: number, ntpFraction: number, arrivalMs: number,
): ReceiverStats => ({
  ...s, lastSr: (((ntpSeconds & 0xffff) << 16) | (ntpFraction >>> 16)) >>> 0, lastSrArrivalMs: arrivalMs,
});

/** RFC 3550 §6.4.1: round trip = arrival − LSR − DLSR, all in 1/65536 s; undefined without an SR echo. */
export const roundTripMs = (arrivalNtpMiddle: number, block: ReportBlock): number | undefined => {
  if (block.lastSr === 0) return undefined;
  const rtt = (arrivalNtpMiddle - block.lastSr - block.delaySinceLastSr) >>> 0;
  // A result above ~18 h means clock trouble (wrapped negative): report nothing.
  return rtt > 0x7fffffff ? undefined : (rtt / 65536) * 1000;
};

/** NTP time (RFC 3550 §4) from milliseconds on any monotonic clock, as seconds and 2^-32 fraction. */
export const ntpFromMs = (ms: number): { readonly seconds: number; readonly fraction: number } => {
  const seconds = Math.floor(ms / 1000);
  return { seconds: seconds >>> 0, fraction: Math.floor(((ms - seconds * 1000) / 1000) * 2 ** 32) >>> 0 };
};

export const ntpMiddle = (ms: number): number => {
  const { seconds, fraction } = ntpFromMs(ms);
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
};
