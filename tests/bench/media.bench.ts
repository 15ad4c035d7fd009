import * as E from 'fp-ts/lib/Either.js';
import { decodeALaw, decodeMuLaw, encodeALaw, encodeMuLaw } from '../../domain/media/g711.js';
import { parseRtp, writeRtp, type RtpPacket } from '../../domain/media/rtp-packet.js';
import { nodeSrtpPrimitives } from '../../adapters/node/node-srtp-primitives.js';
import { deriveSrtpKeys } from '../../domain/media/srtp/srtp-keys.js';
import { NEW_SENDER, protectRtpInPlace, unprotectRtpInPlace } from '../../domain/media/srtp/srtp.js';
import { measure, runFresh } from './bench-util.js';

const codecs = (): void => {
  const pcm = Int16Array.from({ length: 160 }, (_, i) => Math.round(Math.sin(i / 3) * 12000));
  const bytes = new Uint8Array(160);
  const out = new Int16Array(160);
  const frames = 200_000;
  measure(
    'G.711 µ-law encode (samples)', frames * 160, () => { for (let i = 0; i < frames; i++) encodeMuLaw(pcm, bytes); },
  );
  measure(
    'G.711 µ-law decode (samples)', frames * 160, () => { for (let i = 0; i < frames; i++) decodeMuLaw(bytes, out); },
  );
  measure(
    'G.711 A-law encode (samples)', frames * 160, () => { for (let i = 0; i < frames; i++) encodeALaw(pcm, bytes); },
  );
  measure(
    'G.711 A-law decode (samples)', frames * 160, () => { for (let i = 0; i < frames; i++) decodeALaw(bytes, out); },
  );
};

const rtp = (): void => {
  const packet: RtpPacket = {
    marker: false, payloadType: 0, sequence: 1, timestamp: 160, ssrc: 0x1234, csrcs: [], payload: new Uint8Array(160),
    paddingBytes: 0,
  };
  const buffer = new Uint8Array(172);
  const n = 1_000_000;
  let sink = 0;
  measure(
    'RTP write (172-byte PCMU packets)', n, () => { for (let i = 0; i < n; i++) sink += writeRtp(packet, buffer, 0); },
  );
  measure(
    'RTP parse (172-byte PCMU packets)', n,
    () => { for (let i = 0; i < n; i++) sink += E.isRight(parseRtp(buffer)) ? 1 : 0; },
  );
  if (sink === 0) console.log('(sink)');
};

/**
 * SRTP per 160-byte G.711 packet (172 with the header), AES_CM_128_HMAC_SHA1_80, as the media path does it:
 * protected in place in a buffer with room for the tag; verified and decrypted in place.
 */
const srtp = (): void => {
  const keys = deriveSrtpKeys(nodeSrtpPrimitives, {
    suite: 'AES_CM_128_HMAC_SHA1_80', key: new Uint8Array(16).fill(7), salt: new Uint8Array(14).fill(9),
  });
  const buffer = new Uint8Array(182).fill(0x55);
  buffer.set([0x80, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78]);
  const n = 200_000;
  const wire: Uint8Array[] = [];
  let sender = NEW_SENDER;
  measure('SRTP protect (160-byte payload, 80-bit tag, in place)', n, () => {
    sender = NEW_SENDER;
    for (let i = 0; i < n; i++) {
      buffer[2] = (i >> 8) & 0xff;
      buffer[3] = i & 0xff;
      sender = protectRtpInPlace(keys, sender, buffer, 172)!.sender;
      if (wire.length < 1000) wire.push(buffer.slice());
    }
  });
  const scratch = new Uint8Array(182);
  let ok = 0;
  // Each verified by a fresh receiver (no replay refusals), from a copy (decryption is in place).
  measure('SRTP unprotect (verify the tag, decrypt in place)', n, () => {
    for (let i = 0; i < n; i++) {
      scratch.set(wire[i % wire.length]!);
      ok += E.isRight(unprotectRtpInPlace(keys, undefined, scratch)) ? 1 : 0;
    }
  });
  if (ok !== 2 * n) console.log(`(${2 * n - ok} packets did not verify)`);
};

const perCore = (printed: string): number => Number(/≈ (\d+) concurrent/.exec(printed)?.[1] ?? NaN);

/**
 * Two-way G.711 calls on the simulated network, measured by media-streams.mjs in fresh processes: discarding,
 * decoding, and discarding with SRTP both ways — the last compared with the first in the same run.
 */
const streams = (): void => {
  const plain = perCore(runFresh('media-streams.mjs', 'best', ['discard']));
  runFresh('media-streams.mjs', 'best', ['hear']);
  const secure = perCore(runFresh('media-streams.mjs', 'best', ['discard', 'srtp']));
  console.log(`two-way SRTP streams per core / plaintext, same run: ${(secure / plain).toFixed(2)} (target ≥ 0.7)`);
};

export const run = async (): Promise<void> => {
  codecs();
  rtp();
  srtp();
  streams();
};
