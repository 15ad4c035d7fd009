import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readWavFile } from '../../adapters/media/wav-file.js';
import { NodeWavFiles } from '../../adapters/node/wav-files.js';
import { wavHeader } from '../../domain/media/wav.js';

const MINUTES = 10;

const heapMb = (): number => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1e6;
};

/**
 * Playing a 10-minute WAV streams it: the heap stays flat (read ahead by about two seconds) where reading
 * it whole costs its size. Pumped faster than real time; underruns say whether the read-ahead kept up.
 */
export const run = async (): Promise<void> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'files-bench-'));
  try {
    const samples = MINUTES * 60 * 8000;
    const file = path.join(dir, 'long.wav');
    const data = Buffer.alloc(samples * 2);
    for (let i = 0; i < samples; i++) {
      data.writeInt16LE(Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), 2 * i);
    }
    writeFileSync(file, Buffer.concat([wavHeader(1, data.length), data]));
    const fileMb = (data.length + 44) / 1e6;
    const opened = await new NodeWavFiles().openForPlayback(file, { loop: false });
    if (opened._tag === 'Left') throw new Error(opened.left.detail);
    const reader = opened.right;
    const frame = new Int16Array(160);
    const before = heapMb();
    let peak = before;
    const started = performance.now();
    for (let n = 0; n < samples / 160; n++) {
      reader.fill(frame);
      // Half a second of frames at a time, then a millisecond for the disk (20 ms ticks give it far more).
      if (n % 25 === 0) await sleep(1);
      if (n % 3000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed / 1e6);
    }
    const wallMs = performance.now() - started;
    await reader.close();
    const after = heapMb();
    console.log(`playFile, a ${MINUTES}-minute WAV (${fileMb.toFixed(1)} MB): heap ${before.toFixed(1)} → peak `
      + `${peak.toFixed(1)} → ${after.toFixed(1)} MB; ${reader.underruns} underruns at `
      + `${((MINUTES * 60_000) / wallMs).toFixed(0)}× real time`);
    const whole = heapMb();
    const loaded = await readWavFile(file);
    const wholeMb = process.memoryUsage().heapUsed / 1e6 + process.memoryUsage().arrayBuffers / 1e6;
    if (loaded._tag === 'Left') throw new Error(loaded.left.detail);
    console.log(`for comparison, read whole: heap and buffers +${(wholeMb - whole).toFixed(1)} MB `
      + `(${loaded.right.length} samples held)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
