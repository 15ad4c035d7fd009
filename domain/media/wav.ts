/**
 * WAV (RIFF) for call audio: read whole as 16-bit PCM, mono, 8 kHz (what G.711
 * carries), or streamed in the formats parseWavHeader accepts.
 */
import * as E from 'fp-ts/lib/Either.js';

export interface WavError {
  readonly kind: 'WavError';
  readonly detail: string;
}

const fail = (detail: string): E.Either<WavError, never> => E.left({ kind: 'WavError', detail });
const ascii = (b: Uint8Array, at: number): string => String.fromCharCode(
  b[at] ?? 0, b[at + 1] ?? 0, b[at + 2] ?? 0, b[at + 3] ?? 0,
);
const u16 = (b: Uint8Array, at: number): number => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
const u32 = (b: Uint8Array, at: number): number => (u16(b, at) | (u16(b, at + 2) << 16)) >>> 0;

/** A whole 16-bit mono 8 kHz WAV file as samples (for streaming and other formats, parseWavHeader). */
export const parseWav = (bytes: Uint8Array): E.Either<WavError, Int16Array> => {
  const format = parseWavHeader(bytes);
  if (E.isLeft(format)) return format;
  const { encoding, sampleRateHz, dataOffset, dataBytes } = format.right;
  if (encoding !== 'pcm16' || sampleRateHz !== 8000) return fail(
    `only 16-bit PCM at 8 kHz is read whole (${encoding} at ${sampleRateHz} Hz: stream it instead)`,
  );
  const length = Math.min(dataBytes, bytes.length - dataOffset) >> 1;
  const samples = new Int16Array(length);
  for (let i = 0; i < length; i++) samples[i] = (u16(bytes, dataOffset + 2 * i) << 16) >> 16;
  return E.right(samples);
};

export const serializeWav = (samples: Int16Array, sampleRateHz = 8000): Uint8Array => {
  const out = new Uint8Array(44 + samples.length * 2);
  const w32 = (at: number, v: number): void => {
    out[at] = v & 0xff; out[at + 1] = (v >>> 8) & 0xff;
    out[at + 2] = (v >>> 16) & 0xff; out[at + 3] = (v >>> 24) & 0xff;
  };
  const w16 = (at: number, v: number): void => {
    out[at] = v & 0xff; out[at + 1] = (v >>> 8) & 0xff;
  };
  const tag = (at: number, s: string): void => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  tag(0, 'RIFF'); w32(4, 36 + samples.length * 2); tag(8, 'WAVE');
  // fmt: PCM, mono, the rate, bytes per second, 2-byte frames of 16 bits.
  tag(12, 'fmt '); w32(16, 16); w16(20, 1); w16(22, 1);
  w32(24, sampleRateHz); w32(28, sampleRateHz * 2); w16(32, 2); w16(34, 16);
  tag(36, 'data'); w32(40, samples.length * 2);
  for (let i = 0; i < samples.length; i++) w16(44 + 2 * i, (samples[i] as number) & 0xffff);
  return out;
};

/** What a WAV file holds, read from its header: how to turn its data into 8 kHz call audio. */
export interface WavFormat {
  readonly encoding: 'pcm16' | 'alaw' | 'ulaw';
  readonly sampleRateHz: number;
  readonly channels: number;
  /** Where the data chunk's bytes start, and how many there are (the rest of the file when unknown). */
  readonly dataOffset: number;
  readonly dataBytes: number;
}

/**
 * The format of a WAV file from its first bytes (the header and any chunks before `data`), for streaming:
 * mono 16-bit PCM at 8 or 16 kHz (16 kHz is resampled), or G.711 A-law/µ-law at 8 kHz.
 */
export const parseWavHeader = (bytes: Uint8Array): E.Either<WavError, WavFormat> => {
  if (bytes.length < 12 || ascii(bytes, 0) !== 'RIFF' || ascii(bytes, 8) !== 'WAVE') return fail(
    'not a RIFF/WAVE file',
  );
  let offset = 12;
  let format: { channels: number; rate: number; bits: number; tag: number } | undefined;
  while (offset + 8 <= bytes.length) {
    const id = ascii(bytes, offset);
    const size = u32(bytes, offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') format = {
      tag: u16(bytes, body), channels: u16(bytes, body + 2), rate: u32(bytes, body + 4), bits: u16(bytes, body + 14),
    };
    if (id === 'data') {
      if (format === undefined) return fail('data chunk before fmt chunk');
      const encoding = format.tag === 1 && format.bits === 16 ? 'pcm16' : format.tag === 6 && format.bits === 8
        ? 'alaw' : format.tag === 7 && format.bits === 8 ? 'ulaw' : undefined;
      if (encoding === undefined) return fail(
        `only 16-bit PCM, A-law or µ-law is supported (format ${format.tag}, ${format.bits} bits)`,
      );
      if (format.channels !== 1) return fail(`only mono is supported (${format.channels} channels)`);
      const rates = encoding === 'pcm16' ? [8000, 16000] : [8000];
      if (!rates.includes(format.rate)) return fail(`${format.rate} Hz is not supported (${rates.join(' or ')} Hz)`);
      return E.right({
        encoding, sampleRateHz: format.rate, channels: 1, dataOffset: body,
        dataBytes: size === 0 || size === 0xffffffff ? Number.POSITIVE_INFINITY : size,
      });
    }
    offset = body + size + (size & 1);
  }
  return fail('no data chunk');
};

/**
 * A 44-byte header for 16-bit PCM at 8 kHz, `channels` interleaved, announcing `dataBytes` (written first
 * with 0 and rewritten once a streamed recording knows its length).
 */
export const wavHeader = (channels: number, dataBytes: number, sampleRateHz = 8000): Uint8Array => {
  const out = new Uint8Array(44);
  const view = new DataView(out.buffer);
  const tag = (at: number, s: string): void => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  tag(0, 'RIFF'); view.setUint32(4, 36 + dataBytes, true); tag(8, 'WAVE');
  tag(12, 'fmt '); view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, channels, true);
  view.setUint32(24, sampleRateHz, true); view.setUint32(28, sampleRateHz * 2 * channels, true);
  view.setUint16(32, 2 * channels, true); view.setUint16(34, 16, true);
  tag(36, 'data'); view.setUint32(40, dataBytes, true);
  return out;
};
