import * as E from 'fp-ts/lib/Either.js';
import { decodeALaw, decodeMuLaw, encodeALaw, encodeMuLaw } from '../../domain/media/g711.js';
import { parseRtp, writeRtp, type RtpPacket } from '../../domain/media/rtp-packet.js';
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
 * Two-way G.711 calls on the simulated network, measured by media-streams.mjs in fresh processes, discarding and
 * decoding.
 */
const streams = (): void => {
  for (const sink of ['discard', 'hear']) runFresh('media-streams.mjs', 'best', [sink]);
};

export const run = async (): Promise<void> => {
  codecs();
  rtp();
  streams();
};
