import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ExecutionContext } from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { readWavFile, writeWavFile } from '../../adapters/media/wav-file.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { nextToneFrame, tone } from '../../domain/media/tone.js';
import { requireTool, type Tool } from './require-tool.js';

/*
 * baresip (Debian package baresip-core) as a real softphone peer: headless,
 * playing a sine tone from a WAV file, its received audio dumped to WAV by
 * the sndfile filter, driven through its console on stdin (`/dial …`, digits
 * for RFC 4733 DTMF, `b` to hang up).
 */

const BARESIP: Tool = { name: 'baresip', command: 'baresip', probeArgs: ['-h'], debianPackage: 'baresip-core' };

export const requireBaresip = (t: ExecutionContext): boolean => requireTool(t, BARESIP);

export interface BaresipOptions {
  /** SIP port to listen on (127.0.0.1); 0 lets it pick (enough when it only dials out). */
  readonly sipPort: number;
  /** Range its RTP ports are drawn from (it retries busy ones). */
  readonly rtpPorts: readonly [number, number];
  /** `auto` answers incoming calls at once; `early` answers with early media (183 with SDP) and rings on. */
  readonly answerMode: 'auto' | 'manual' | 'early';
  /** The tone it sends, in Hz. */
  readonly toneHz: number;
  /** Codecs it offers and accepts, in order (default PCMU, PCMA). */
  readonly codecs?: ReadonlyArray<'PCMU' | 'PCMA'>;
  /** Register `user` at this registrar port on 127.0.0.1 with Digest `password` (otherwise no registration). */
  readonly register?: { readonly registrarPort: number; readonly user: string; readonly password: string };
  /**
   * SIP over TLS: its certificate and key (PEM, presented on its TLS port, the SIP port + 1) and the
   * authority it trusts (PEM).
   */
  readonly tls?: { readonly certificateAndKey: string; readonly ca: string };
  /** Media encryption (its srtp module): `srtp` best effort (RTP/AVP with keys), `srtp-mand` RTP/SAVP only. */
  readonly mediaEncryption?: 'srtp' | 'srtp-mand';
  /** Its address book (contact module): `/contact_next` selects one, `/message TEXT` sends it a MESSAGE. */
  readonly contacts?: ReadonlyArray<string>;
  /** More of its modules to load (`mwi`, `presence`). */
  readonly modules?: ReadonlyArray<string>;
}

export interface Baresip {
  /** Everything it printed so far. */
  output(): string;
  /** Resolves when its output matches `pattern`; rejects after `timeoutMs` (default 30 s) with the output. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Types at its console. */
  keys(text: string): void;
  /** The audio it decoded in its last call with media, as its sndfile filter saved it. */
  decodedAudio(): Promise<Int16Array>;
  /** Bytes of decoded audio written so far in its newest dump (grows while a call carries audio to it). */
  decodedBytes(): number;
  /** Quits and removes its folder. */
  stop(): Promise<void>;
}

const config = (dir: string, options: BaresipOptions): string => [
  'poll_method epoll',
  `sip_listen 127.0.0.1:${options.sipPort}`,
  'sip_trans_def udp',
  // Its SDP then names 127.0.0.1, keeping media on loopback.
  'net_interface 127.0.0.1',
  `rtp_ports ${options.rtpPorts[0]}-${options.rtpPorts[1]}`,
  `audio_source aufile,${path.join(dir, 'tone.wav')}`,
  // ALSA's null device: no sound card needed.
  'audio_player alsa,null',
  'audio_alert alsa,null',
  `snd_path ${dir}`,
  'module_path /usr/lib/baresip/modules',
  'module stdio.so',
  'module g711.so',
  'module aufile.so',
  'module alsa.so',
  'module sndfile.so',
  ...(options.mediaEncryption === undefined ? [] : ['module srtp.so']),
  ...(options.contacts === undefined ? [] : ['module contact.so']),
  ...(options.modules ?? []).map((name) => `module ${name}.so`),
  ...(options.tls === undefined ? [] : [
    `sip_certificate ${path.join(dir, 'tls.pem')}`, `sip_cafile ${path.join(dir, 'ca.pem')}`,
  ]),
  'module_app account.so',
  'module_app menu.so',
  '',
].join('\n');

/** `seconds` of a sine at `hz` (8 kHz), from the media domain's tone generator. */
const toneSamples = (hz: number, seconds: number): Int16Array => {
  const samples = new Int16Array(8000 * seconds);
  nextToneFrame(tone(hz), samples);
  return samples;
};

/** Which of the two test tones (440 Hz, 1 kHz) dominates a recording, its first and last 200 ms left out. */
export const heardTone = (samples: Int16Array): number =>
  dominantFrequency(samples.subarray(1_600, Math.max(1_600, samples.length - 1_600)), [440, 1000]).frequencyHz;

export const startBaresip = async (options: BaresipOptions): Promise<Baresip> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'baresip-'));
  writeFileSync(path.join(dir, 'config'), config(dir, options));
  if (options.tls !== undefined) {
    writeFileSync(path.join(dir, 'tls.pem'), options.tls.certificateAndKey, { mode: 0o600 });
    writeFileSync(path.join(dir, 'ca.pem'), options.tls.ca);
  }
  if (options.contacts !== undefined) writeFileSync(path.join(dir, 'contacts'), `${options.contacts.join('\n')}\n`);
  const encryption = options.mediaEncryption === undefined ? '' : `;mediaenc=${options.mediaEncryption}`;
  const r = options.register;
  const account = r === undefined
    ? '<sip:phone@127.0.0.1>;regint=0'
    : `<sip:${r.user}@127.0.0.1:${r.registrarPort}>;auth_pass=${r.password};regint=600`;
  writeFileSync(
    path.join(dir, 'accounts'),
    `${account};answermode=${options.answerMode};audio_codecs=${(options.codecs ?? ['PCMU', 'PCMA']).join(',')}`
      + `${encryption}\n`,
  );
  const written = await writeWavFile(path.join(dir, 'tone.wav'), toneSamples(options.toneHz, 20));
  if (E.isLeft(written)) throw new Error(`cannot write the tone: ${written.left.detail}`);
  const child: ChildProcessWithoutNullStreams = spawn('baresip', ['-f', dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let text = '';
  const append = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const phone: Baresip = {
    output: () => text,
    waitFor: async (pattern, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(
          `baresip never printed ${pattern}:\n${text.slice(-2_000)}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    keys: (keys) => {
      child.stdin.write(keys);
    },
    decodedBytes: () => {
      const sizes = readdirSync(dir).filter((name) => name.endsWith('-dec.wav'))
        .map((name) => statSync(path.join(dir, name))).sort((x, y) => y.mtimeMs - x.mtimeMs);
      return sizes[0]?.size ?? 0;
    },
    decodedAudio: async () => {
      // A dump is complete (its WAV header written) once its call is over on baresip's side: wait until
      // every established call has terminated there, however late a loaded machine lets it say so.
      const count = (pattern: RegExp): number => text.match(pattern)?.length ?? 0;
      const deadline = Date.now() + 30_000;
      while (count(/terminated/g) < count(/Call established/g)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(
          `baresip never ended its calls:\n${text.slice(-2_000)}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // One dump per call with media; the newest is the last call's.
      const dump = readdirSync(dir)
        .filter((name) => name.endsWith('-dec.wav'))
        .sort((x, y) => statSync(path.join(dir, y)).mtimeMs - statSync(path.join(dir, x)).mtimeMs)[0];
      if (dump === undefined) throw new Error(`baresip saved no decoded audio in ${dir}`);
      const samples = await readWavFile(path.join(dir, dump));
      if (E.isLeft(samples)) throw new Error(`baresip's dump does not read as WAV: ${samples.left.detail}`);
      return samples.right;
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.stdin.write('q');
        const killer = setTimeout(() => child.kill('SIGKILL'), 2_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await phone.waitFor(/baresip is ready/, 60_000);
  return phone;
};
