/**
 * RFC 4733 telephone-events for DTMF:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  |     event     |E|R| volume    |          duration             |
 *
 * A digit is one event: the first packet has the marker bit, continuation
 * packets repeat the timestamp with a growing duration, and the end packet
 * (E bit) is sent three times (§2.5.1.4). The receiver reports each event once,
 * keyed by its RTP timestamp, whatever the duplicates and losses.
 */
export const DTMF_DIGITS = '0123456789*#ABCD';

export interface DtmfEvent {
  readonly event: number;
  readonly end: boolean;
  /** 0–63, in -dBm0 (10 is a typical level). */
  readonly volume: number;
  /** In timestamp units (8 kHz: 8 per ms). */
  readonly duration: number;
}

export const digitToEvent = (digit: string): number | undefined => {
  const index = DTMF_DIGITS.indexOf(digit.toUpperCase());
  return index === -1 ? undefined : index;
};

export const eventToDigit = (event: number): string | undefined => DTMF_DIGITS[event];

export const encodeDtmf = (e: DtmfEvent): Uint8Array =>
  Uint8Array.of(e.event & 0xff, (e.end ? 0x80 : 0) | (e.volume & 0x3f), (e.duration >>> 8) & 0xff, e.duration & 0xff);

export const decodeDtmf = (payload: Uint8Array): DtmfEvent | undefined => {
  if (payload.length < 4) return undefined;
  return {
    event: payload[0] as number, end: ((payload[1] as number) & 0x80) !== 0, volume: (payload[1] as number) & 0x3f,
    duration: ((payload[2] as number) << 8) | (payload[3] as number),
  };
};

export interface DtmfPacketPlan {
  /** Milliseconds after the start of the digit. */
  readonly atMs: number;
  readonly marker: boolean;
  readonly payload: Uint8Array;
}

/**
 * The packets for one digit: a start packet with marker, one every `intervalMs`
 * while it lasts, then the end packet three times. All share one RTP timestamp
 * (the caller's), as §2.5.1.3 requires.
 */
export const planDtmf = (
  event: number, durationMs: number, intervalMs = 20, volume = 10,
): ReadonlyArray<DtmfPacketPlan> => {
  const plans: DtmfPacketPlan[] = [];
  const units = (ms: number): number => Math.min(0xffff, Math.round(ms * 8));
  for (let at = 0; at < durationMs; at += intervalMs) {
    plans.push({
      atMs: at, marker: at === 0, payload: encodeDtmf({ event, end: false, volume, duration: units(at + intervalMs) }),
    });
  }
  const endPayload = encodeDtmf({ event, end: true, volume, duration: units(durationMs) });
  for (let k = 0; k < 3; k++) plans.push({ atMs: durationMs + k * intervalMs, marker: false, payload: endPayload });
  return plans;
};

/** Receiver state: which event timestamps have been reported already, and the latest of them. */
export interface DtmfReceiver {
  readonly reported: ReadonlyArray<number>;
  readonly latest: number | undefined;
}

export const initialDtmfReceiver: DtmfReceiver = { reported: [], latest: undefined };

/** How far back (10 s at 8 kHz) an event counts as overtaken rather than from another timestamp base. */
const OVERTAKEN_WINDOW = 80_000;

/** True when `timestamp` is before `latest` (modulo 2³²) by no more than the window. */
const isBefore = (timestamp: number, latest: number): boolean => {
  const behind = (latest - timestamp) >>> 0;
  return behind > 0 && behind <= OVERTAKEN_WINDOW;
};

/**
 * Reports a digit the first time any packet of its event arrives; duplicates and continuations are
 * suppressed, and so is an event that arrives after a later one was reported (the network reordered them):
 * digits come out at most once and in the order they were pressed, as a jitter buffer drops late audio.
 */
export const receiveDtmf = (
  state: DtmfReceiver, rtpTimestamp: number, payload: Uint8Array,
): readonly [DtmfReceiver, string | undefined] => {
  const event = decodeDtmf(payload);
  if (event === undefined || state.reported.includes(rtpTimestamp)) return [state, undefined];
  if (state.latest !== undefined && isBefore(rtpTimestamp, state.latest)) return [state, undefined];
  const digit = eventToDigit(event.event);
  if (digit === undefined) return [state, undefined];
  // Remember a bounded window of recent events.
  return [{ reported: [...state.reported.slice(-31), rtpTimestamp], latest: rtpTimestamp }, digit];
};
