/**
 * A fixed-delay jitter buffer for 20 ms frames: packets are slotted by RTP
 * timestamp, played in order `depth` frames behind the newest, late ones
 * dropped; a single missing frame is concealed by repeating the previous one
 * (at reduced level), longer gaps play silence.
 */
export interface JitterFrame {
  readonly timestamp: number;
  readonly samples: Int16Array;
}

export interface JitterBuffer {
  readonly depth: number;
  readonly frameSamples: number;
  /** Timestamp of the next frame to play; undefined until the first packet. */
  readonly nextTimestamp: number | undefined;
  readonly frames: ReadonlyMap<number, Int16Array>;
  readonly lastPlayed: Int16Array | undefined;
  readonly concealedInARow: number;
  readonly late: number;
  readonly concealed: number;
}

export const createJitterBuffer = (depth = 3, frameSamples = 160): JitterBuffer => ({
  depth, frameSamples, nextTimestamp: undefined, frames: new Map(), lastPlayed: undefined, concealedInARow: 0, late: 0, concealed: 0,
});

/** Distance from a to b in 32-bit timestamp space (positive when b is after a). */
const tsDelta = (a: number, b: number): number => ((b - a) | 0);

export const pushFrame = (buffer: JitterBuffer, frame: JitterFrame): JitterBuffer => {
  const timestamp = frame.timestamp >>> 0;
  const started = buffer.lastPlayed !== undefined;
  if (started && buffer.nextTimestamp !== undefined && tsDelta(buffer.nextTimestamp, timestamp) < 0) return { ...buffer, late: buffer.late + 1 };
  const frames = new Map(buffer.frames);
  frames.set(timestamp, frame.samples);
  // Before playout starts, an earlier packet that arrived out of order moves the start back.
  const nextTimestamp = buffer.nextTimestamp === undefined || (!started && tsDelta(buffer.nextTimestamp, timestamp) < 0) ? timestamp : buffer.nextTimestamp;
  return { ...buffer, frames, nextTimestamp };
};

export type PlayoutKind = 'frame' | 'concealed' | 'silence' | 'buffering';

/** Takes the next 20 ms of audio (call once per frame period). */
export const popFrame = (buffer: JitterBuffer): readonly [JitterBuffer, Int16Array, PlayoutKind] => {
  const silence = new Int16Array(buffer.frameSamples);
  const next = buffer.nextTimestamp;
  if (next === undefined) return [buffer, silence, 'buffering'];
  // Wait until `depth` frames are queued before starting playout.
  if (buffer.lastPlayed === undefined && buffer.frames.size < buffer.depth) return [buffer, silence, 'buffering'];
  const frames = new Map(buffer.frames);
  const frame = frames.get(next);
  frames.delete(next);
  const advanced = { ...buffer, frames, nextTimestamp: (next + buffer.frameSamples) >>> 0 };
  if (frame !== undefined) return [{ ...advanced, lastPlayed: frame, concealedInARow: 0 }, frame, 'frame'];
  if (buffer.lastPlayed !== undefined && buffer.concealedInARow === 0) {
    const faded = Int16Array.from(buffer.lastPlayed, (x) => x >> 1);
    return [{ ...advanced, concealedInARow: 1, concealed: buffer.concealed + 1 }, faded, 'concealed'];
  }
  return [{ ...advanced, concealedInARow: buffer.concealedInARow + 1 }, silence, 'silence'];
};
