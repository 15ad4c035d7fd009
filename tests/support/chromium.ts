import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import puppeteer, { type Browser } from 'puppeteer-core';
import { requireTool, type Tool } from './require-tool.js';

const CHROMIUM: Tool = { name: 'Chromium', command: 'chromium', probeArgs: ['--version'], debianPackage: 'chromium' };

export const requireChromium = (t: ExecutionContext): boolean => requireTool(t, CHROMIUM);

/**
 * Chromium as a softphone on loopback: a fake microphone playing `wav` (looped), permission granted, audio
 * that plays without a gesture, loopback allowed for WebRTC, and our certificates (made for the run) taken.
 */
export const webRtcArgs = (wav: string): ReadonlyArray<string> => [
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}`,
  '--autoplay-policy=no-user-gesture-required', '--allow-loopback-in-peer-connection', '--ignore-certificate-errors',
];

/**
 * Headless Chromium (Debian's) under puppeteer-core, with a profile in a temporary folder that goes with
 * it. Debian's `chromium` is a wrapper script; the browser itself is beside it.
 */
export const launchChromium = async (
  extraArgs: ReadonlyArray<string> = [],
): Promise<{ browser: Browser; close(): Promise<void> }> => {
  const binary = existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : 'chromium';
  const profile = mkdtempSync(path.join(tmpdir(), 'chromium-profile-'));
  const browser = await puppeteer.launch({
    executablePath: binary, headless: true, userDataDir: profile,
    // Root in CI containers has no user namespaces for the sandbox; the page is our own, on loopback.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', ...extraArgs],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
};
