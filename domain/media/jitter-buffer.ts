/**
 * A fixed-delay jitter buffer for 20 ms frames: packets are slotted by RTP
 * timestamp, played in order once `depth` frames are queued, late ones
 * dropped; a single missing frame is concealed by repeating the previous one
 * at half level, longer gaps play silence. Memory is a fixed ring of
 * `capacity` slots whatever the sender does.
 *
 * Playout can run ahead of the stream (a busy process fires several 20 ms
 * ticks at once before reading its socket): then every later packet would
 * arrive behind the playout point. A late packet during an underrun therefore
 * re-anchors playout on itself instead of being dropped, and a gap longer
 * than the ring (the peer stopped sending: hold, silence suppression) returns
 * the buffer to buffering, so `late` counts only packets really dropped.
 */
export interface JitterFrame {
  readonly timestamp: number;
  readonly samples: Int16Array;
}

export interface JitterBuffer {
  readonly depth: number;
  readonly capacity: number;
  readonly frameSamples: number;
  /** Timestamp of the next frame to play; undefined until the first packet. */
  readonly nextTimestamp: number | undefined;
  /** Ring of slots indexed by (timestamp / frameSamples) mod capacity. */
  readonly slots: ReadonlyArray<JitterFrame | undefined>;
  readonly lastPlayed: Int16Array | undefined;
  readonly concealedInARow: number;
  readonly late: number;
  readonly concealed: number;
}

export const createJitterBuffer = (depth = 3, frameSamples = 160, capacity = 16): JitterBuffer => ({
  depth, capacity, frameSamples, nextTimestamp: undefined,
  slots: new Array<JitterFrame | undefined>(capacity).fill(undefined),
  lastPlayed: undefined, concealedInARow: 0, late: 0, concealed: 0,
});

/** Distance from a to b in 32-bit timestamp space (positive when b is after a). */
const tsDelta = (a: number, b: number): number => ((b - a) | 0);
const slotOf = (b: JitterBuffer, timestamp: number): number => Math.floor(timestamp / b.frameSamples) % b.capacity;

/** The next state written field by field: this runs twice per packet, and a literal is far cheaper than a spread. */
const withChanges = (
  b: JitterBuffer, slots: ReadonlyArray<JitterFrame | undefined>, nextTimestamp: number | undefined,
  lastPlayed: Int16Array | undefined, concealedInARow: number, late: number, concealed: number,
): JitterBuffer => ({
  depth: b.depth, capacity: b.capacity, frameSamples: b.frameSamples, nextTimestamp, slots, lastPlayed, concealedInARow,
  late, concealed,
});

export const bufferedFrames = (b: JitterBuffer): number => b.slots.reduce((n, s) => n + (s === undefined ? 0 : 1), 0);

/** Playout starts over at `frame`, buffering to `depth` again; the counters stay. */
const restartAt = (b: JitterBuffer, frame: JitterFrame): JitterBuffer => {
  const slots = new Array<JitterFrame | undefined>(b.capacity).fill(undefined);
  slots[slotOf(b, frame.timestamp >>> 0)] = { timestamp: frame.timestamp >>> 0, samples: frame.samples };
  return withChanges(b, slots, frame.timestamp >>> 0, undefined, 0, b.late, b.concealed);
};

export const pushFrame = (buffer: JitterBuffer, frame: JitterFrame): JitterBuffer => {
  const timestamp = frame.timestamp >>> 0;
  const started = buffer.lastPlayed !== undefined;
  const next = buffer.nextTimestamp;
  if (started && next !== undefined && tsDelta(next, timestamp) < 0) {
    // Behind the playout point while playout fills a gap with nothing queued: playout ran ahead; follow the stream.
    if (buffer.concealedInARow > 0 && bufferedFrames(buffer) === 0) return restartAt(buffer, frame);
    return { ...buffer, late: buffer.late + 1 };
  }
  // Before playout starts, an earlier packet that arrived out of order moves the start back.
  let nextTimestamp = next === undefined || (!started && tsDelta(next, timestamp) < 0) ? timestamp : next;
  let late = buffer.late;
  const span = buffer.capacity * buffer.frameSamples;
  if (tsDelta(nextTimestamp, timestamp) >= span) {
    // Too far ahead (playout stalled, or the sender jumped): keep the newest capacity − 1 frames.
    const newStart = (timestamp - (buffer.capacity - 1) * buffer.frameSamples) >>> 0;
    late += Math.max(0, Math.floor(tsDelta(nextTimestamp, newStart) / buffer.frameSamples));
    nextTimestamp = newStart;
  }
  // Slots behind the playout point are stale only when that point just moved; otherwise a plain copy does.
  const slots = nextTimestamp === next
    ? buffer.slots.slice()
    : buffer.slots.map((s) => (s !== undefined && tsDelta(nextTimestamp, s.timestamp) >= 0 ? s : undefined));
  slots[slotOf(buffer, timestamp)] = { timestamp, samples: frame.samples };
  return withChanges(buffer, slots, nextTimestamp, buffer.lastPlayed, buffer.concealedInARow, late, buffer.concealed);
};

export type PlayoutKind = 'frame' | 'concealed' | 'silence' | 'buffering';

/** Takes the next 20 ms of audio (call once per frame period). */
export const popFrame = (buffer: JitterBuffer): readonly [JitterBuffer, Int16Array, PlayoutKind] => {
  const next = buffer.nextTimestamp;
  if (next === undefined) return [buffer, new Int16Array(buffer.frameSamples), 'buffering'];
  if (buffer.lastPlayed === undefined && bufferedFrames(buffer) < buffer.depth) return [
    buffer, new Int16Array(buffer.frameSamples), 'buffering',
  ];
  const index = slotOf(buffer, next);
  const slot = buffer.slots[index];
  const frame = slot !== undefined && slot.timestamp === next ? slot.samples : undefined;
  const after = (next + buffer.frameSamples) >>> 0;
  if (frame !== undefined) {
    const slots = buffer.slots.slice();
    slots[index] = undefined;
    return [withChanges(buffer, slots, after, frame, 0, buffer.late, buffer.concealed), frame, 'frame'];
  }
  if (buffer.lastPlayed !== undefined && buffer.concealedInARow === 0) {
    const faded = Int16Array.from(buffer.lastPlayed, (x) => x >> 1);
    return [
      withChanges(buffer, buffer.slots, after, buffer.lastPlayed, 1, buffer.late, buffer.concealed + 1), faded,
      'concealed',
    ];
  }
  // Nothing for longer than the ring holds: the peer stopped sending; wait for its next packet afresh.
  if (buffer.concealedInARow >= buffer.capacity) {
    return [
      withChanges(buffer, buffer.slots, undefined, undefined, 0, buffer.late, buffer.concealed),
      new Int16Array(buffer.frameSamples), 'buffering',
    ];
  }
  const silent = withChanges(
    buffer, buffer.slots, after, buffer.lastPlayed, buffer.concealedInARow + 1, buffer.late, buffer.concealed,
  );
  return [silent, new Int16Array(buffer.frameSamples), 'silence'];
};
