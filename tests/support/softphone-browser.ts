/**
 * The softphone page in headless Chromium with a fake microphone playing a tone: open, wait for conditions
 * in the page, read what it heard. Shared by the browser tests.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import type { Page } from 'puppeteer-core';
import { nextToneFrame, tone } from '../../domain/media/tone.js';
import { serializeWav } from '../../domain/media/wav.js';
import { launchChromium, webRtcArgs } from './chromium.js';

/** 3 s of a tone at 48 kHz: what the page's fake microphone plays, looped. */
const microphone = (dir: string, hz: number): string => {
  const samples = new Int16Array(3 * 48_000);
  nextToneFrame(tone(hz, 8000, 48_000), samples);
  const file = path.join(dir, `microphone-${hz}.wav`);
  writeFileSync(file, serializeWav(samples, 48_000));
  return file;
};

export interface Softphone {
  readonly page: Page;
  /** Errors the page threw. */
  readonly problems: string[];
  evaluate<T>(expression: string): Promise<T>;
  /** Waits until `expression` is true in the page. */
  until(expression: string, timeoutMs?: number): Promise<void>;
}

/** Opens the softphone at `url` (query included) in a browser whose microphone plays `toneHz`. */
export const openSoftphone = async (
  t: ExecutionContext, dir: string, url: string, toneHz: number,
): Promise<Softphone> => {
  const chromium = await launchChromium(webRtcArgs(microphone(dir, toneHz)));
  t.teardown(() => chromium.close());
  const page = await chromium.browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(String(error)));
  await page.goto(url);
  // Page code as strings: the tests compile without the DOM's types.
  return {
    page, problems,
    evaluate: <T>(expression: string) => page.evaluate(expression) as Promise<T>,
    until: async (expression, timeoutMs = 30_000) => {
      await page.waitForFunction(expression, { timeout: timeoutMs, polling: 100 });
    },
  };
};
