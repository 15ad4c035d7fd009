import { open, type FileHandle } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import { parseWavHeader, wavHeader, type WavFormat } from '../../domain/media/wav.js';
import { decodeWavChunk, interleaveStereo, pcm16Bytes, wavFrameBytes } from '../../domain/media/wav-decode.js';
import type {
  AudioFileError, AudioFileReader, AudioFileWriter, AudioFiles,
} from '../../ports/audio-files.js';

const failure = (detail: string): AudioFileError => ({ kind: 'AudioFileError', detail });
const HEADER_PROBE = 4096;
/** Read ahead about two seconds of 8 kHz audio; read again when less than one is left. */
const READ_BYTES = 32_768;
const LOW_WATER_SAMPLES = 8000;
/** Behind this many queued bytes (about 8 s of stereo), a recording drops frames rather than grow. */
const MAX_QUEUED_BYTES = 256 * 1024;

class WavReader implements AudioFileReader {
  private readonly chunks: Int16Array[] = [];
  private offset = 0;
  private buffered = 0;
  private position: number;
  private reading = false;
  private exhausted = false;
  private closed = false;
  underruns = 0;

  constructor(private readonly file: FileHandle, private readonly format: WavFormat, private readonly loop: boolean) {
    this.position = format.dataOffset;
  }

  get ended(): boolean {
    return this.exhausted && this.buffered === 0;
  }

  fill(frame: Int16Array): void {
    let at = 0;
    while (at < frame.length && this.chunks.length > 0) {
      const chunk = this.chunks[0]!;
      const take = Math.min(frame.length - at, chunk.length - this.offset);
      frame.set(chunk.subarray(this.offset, this.offset + take), at);
      at += take;
      this.offset += take;
      this.buffered -= take;
      if (this.offset === chunk.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    if (at < frame.length) {
      frame.fill(0, at);
      if (!this.exhausted) this.underruns++;
    }
    if (this.buffered < LOW_WATER_SAMPLES) void this.readAhead();
  }

  async readAhead(): Promise<void> {
    if (this.reading || this.exhausted || this.closed) return;
    this.reading = true;
    try {
      const end = this.format.dataOffset + this.format.dataBytes;
      const whole = wavFrameBytes(this.format);
      const want = Math.min(READ_BYTES, end - this.position);
      const buffer = new Uint8Array(want - (want % whole));
      const { bytesRead } = buffer.length === 0
        ? { bytesRead: 0 } : await this.file.read(buffer, 0, buffer.length, this.position);
      const usable = bytesRead - (bytesRead % whole);
      if (usable > 0) {
        const samples = decodeWavChunk(this.format, buffer.subarray(0, usable));
        this.chunks.push(samples);
        this.buffered += samples.length;
        this.position += usable;
      }
      if (usable === 0 || this.position >= end) {
        if (this.loop && this.position > this.format.dataOffset) this.position = this.format.dataOffset;
        else this.exhausted = true;
      }
    } catch {
      this.exhausted = true;
    } finally {
      this.reading = false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.chunks.length = 0;
    this.buffered = 0;
    await this.file.close().catch(() => undefined);
  }
}

class WavWriter implements AudioFileWriter {
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private written = 0;
  private frames = 0;
  private flushing: Promise<void> = Promise.resolve();
  private error: AudioFileError | undefined;
  private closed = false;
  dropped = 0;

  constructor(private readonly file: FileHandle, private readonly channels: 1 | 2) {}

  write(frames: ReadonlyArray<Int16Array>): void {
    if (this.closed) return;
    if (this.error !== undefined || this.queuedBytes >= MAX_QUEUED_BYTES) {
      this.dropped++;
      return;
    }
    const bytes = this.channels === 2 ? interleaveStereo(frames[0]!, frames[1] ?? frames[0]!) : pcm16Bytes(frames[0]!);
    this.queue.push(bytes);
    this.queuedBytes += bytes.length;
    this.frames++;
    if (this.queue.length === 1) this.flushing = this.flushing.then(() => this.drain());
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && this.error === undefined) {
      const batch = this.queue;
      this.queue = [];
      const bytes = Buffer.concat(batch);
      try {
        await this.file.write(bytes, 0, bytes.length, 44 + this.written);
        this.written += bytes.length;
      } catch (error) {
        this.error = failure(`cannot write the recording: ${(error as Error).message}`);
      } finally {
        this.queuedBytes -= bytes.length;
      }
    }
  }

  async close(): Promise<E.Either<AudioFileError, { readonly frames: number }>> {
    if (!this.closed) {
      this.closed = true;
      await this.flushing.then(() => this.drain());
      try {
        await this.file.write(wavHeader(this.channels, this.written), 0, 44, 0);
      } catch (error) {
        this.error ??= failure(`cannot complete the recording: ${(error as Error).message}`);
      }
      await this.file.close().catch(() => undefined);
    }
    return this.error === undefined ? E.right({ frames: this.frames }) : E.left(this.error);
  }
}

/** The AudioFiles port on node:fs: WAV streamed both ways, read ahead and written behind. */
export class NodeWavFiles implements AudioFiles {
  async openForPlayback(
    path: string, options: { readonly loop: boolean },
  ): Promise<E.Either<AudioFileError, AudioFileReader>> {
    let file: FileHandle;
    try {
      file = await open(path, 'r');
    } catch (error) {
      return E.left(failure(`cannot open ${path}: ${(error as Error).message}`));
    }
    const probe = new Uint8Array(HEADER_PROBE);
    const { bytesRead } = await file.read(probe, 0, probe.length, 0).catch(() => ({ bytesRead: 0 }));
    const format = parseWavHeader(probe.subarray(0, bytesRead));
    if (E.isLeft(format)) {
      await file.close().catch(() => undefined);
      return E.left(failure(`${path}: ${format.left.detail}`));
    }
    const reader = new WavReader(file, format.right, options.loop);
    await reader.readAhead();
    return E.right(reader);
  }

  async openForRecording(path: string, channels: 1 | 2): Promise<E.Either<AudioFileError, AudioFileWriter>> {
    try {
      const file = await open(path, 'w');
      await file.write(wavHeader(channels, 0), 0, 44, 0);
      return E.right(new WavWriter(file, channels));
    } catch (error) {
      return E.left(failure(`cannot record to ${path}: ${(error as Error).message}`));
    }
  }
}
