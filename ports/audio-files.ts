import type * as E from 'fp-ts/lib/Either.js';

/** Why a file could not be played or recorded: missing, unreadable format, disk full… */
export interface AudioFileError {
  readonly kind: 'AudioFileError';
  readonly detail: string;
}

/** A file being played: frames are taken synchronously from what was read ahead. */
export interface AudioFileReader {
  /** Fills one frame of 8 kHz samples (silence where the file had nothing ready, or ended without `loop`). */
  fill(frame: Int16Array): void;
  /** The file played to its end (and does not loop). */
  readonly ended: boolean;
  /** Frames that found nothing read yet (the disk was slower than the call). */
  readonly underruns: number;
  close(): Promise<void>;
}

/** A recording being written: frames are queued and written behind, memory bounded. */
export interface AudioFileWriter {
  /** One 20 ms frame per channel (1 or 2 channels, as opened). */
  write(channels: ReadonlyArray<Int16Array>): void;
  /** Frames dropped because the disk fell behind (or failed). */
  readonly dropped: number;
  /** Writes what is queued, completes the header; the first write error, if any. */
  close(): Promise<E.Either<AudioFileError, { readonly frames: number }>>;
}

/**
 * Audio files as a port: WAV read as a stream for playback and written as a stream for recording, never
 * whole in memory. The Node adapter uses node:fs; tests may substitute their own.
 */
export interface AudioFiles {
  openForPlayback(
    path: string, options: { readonly loop: boolean },
  ): Promise<E.Either<AudioFileError, AudioFileReader>>;
  openForRecording(path: string, channels: 1 | 2): Promise<E.Either<AudioFileError, AudioFileWriter>>;
}
