import { decodeALaw, decodeMuLaw } from './g711.js';
import type { WavFormat } from './wav.js';

/**
 * A chunk of a WAV file's data as 8 kHz call audio: PCM16 as is, 16 kHz halved (each pair averaged: a
 * crude low-pass that keeps speech and tones under 4 kHz clean enough), G.711 decoded. `bytes` must hold
 * whole input frames (an even count for PCM16, a multiple of 4 at 16 kHz).
 */
export const decodeWavChunk = (format: WavFormat, bytes: Uint8Array): Int16Array => {
  if (format.encoding === 'alaw') return decodeALaw(bytes);
  if (format.encoding === 'ulaw') return decodeMuLaw(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const step = format.sampleRateHz === 16000 ? 2 : 1;
  const out = new Int16Array(Math.floor(bytes.length / 2 / step));
  for (let i = 0; i < out.length; i++) {
    const at = i * 2 * step;
    out[i] = step === 1 ? view.getInt16(at, true) : (view.getInt16(at, true) + view.getInt16(at + 2, true)) >> 1;
  }
  return out;
};

/** The input bytes that make whole frames of a format (PCM16: 2 per sample, 4 at 16 kHz; G.711: 1). */
export const wavFrameBytes = (format: WavFormat): number =>
  format.encoding === 'pcm16' ? (format.sampleRateHz === 16000 ? 4 : 2) : 1;

/** Interleaves two mono frames (left, right) into one stereo PCM16 little-endian chunk. */
export const interleaveStereo = (
  left: Int16Array, right: Int16Array, out = new Uint8Array(left.length * 4),
): Uint8Array => {
  const view = new DataView(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < left.length; i++) {
    view.setInt16(i * 4, left[i] ?? 0, true);
    view.setInt16(i * 4 + 2, right[i] ?? 0, true);
  }
  return out;
};

/** One mono frame as PCM16 little-endian bytes. */
export const pcm16Bytes = (frame: Int16Array, out = new Uint8Array(frame.length * 2)): Uint8Array => {
  const view = new DataView(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < frame.length; i++) view.setInt16(i * 2, frame[i] ?? 0, true);
  return out;
};
