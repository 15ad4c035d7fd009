import { readFile, writeFile } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import { parseWav, serializeWav, type WavError } from '../../domain/media/wav.js';

/** Reads a 16-bit mono 8 kHz WAV file into samples (other formats: a WavError naming the reason). */
export const readWavFile = async (path: string): Promise<E.Either<WavError, Int16Array>> => {
  try {
    return parseWav(new Uint8Array(await readFile(path)));
  } catch (error) {
    return E.left({ kind: 'WavError', detail: `cannot read ${path}: ${(error as Error).message}` });
  }
};

/** Writes samples as a 16-bit mono 8 kHz WAV file. */
export const writeWavFile = async (path: string, samples: Int16Array): Promise<E.Either<WavError, void>> => {
  try {
    await writeFile(path, serializeWav(samples));
    return E.right(undefined);
  } catch (error) {
    return E.left({ kind: 'WavError', detail: `cannot write ${path}: ${(error as Error).message}` });
  }
};
