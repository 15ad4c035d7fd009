/**
 * SRTP and SRTCP packet processing (RFC 3711) for the AES-CM + HMAC-SHA1
 * suites: encryption of the payload, authentication tags, the packet index
 * with its rollover counter, and replay protection. The per-stream state is
 * a value returned with each packet; a failure leaves it unchanged.
 */
import * as E from 'fp-ts/lib/Either.js';
import { accept, fresh, startWindow, type ReplayWindow } from './replay-window.js';
import { RTCP_TAG_BYTES, rtpTagBytes, type SessionKeys, type SrtpKeys } from './srtp-keys.js';

export type SrtpFailure = 'TooShort' | 'AuthFailed' | 'Replayed';

/** Our sending side of one SSRC: the rollover counter and the last sequence number sent. */
export interface SrtpSender {
  readonly roc: number;
  readonly lastSeq: number | undefined;
}

/** A peer's stream as we receive it: its rollover counter and the replay window over its packet indexes. */
export interface SrtpReceiver {
  readonly roc: number;
  readonly lastSeq: number;
  readonly window: ReplayWindow;
}

export const NEW_SENDER: SrtpSender = { roc: 0, lastSeq: undefined };

// Scratch space: each call fills and reads it before returning, so one copy serves every stream.
const iv = new Uint8Array(16);
const rocBytes = new Uint8Array(4);
const digest = new Uint8Array(20);

/** Bytes of an RTP header (fixed part, CSRCs, extension), or undefined when the packet is shorter. */
export const rtpHeaderLength = (packet: Uint8Array): number | undefined => {
  if (packet.length < 12) return undefined;
  const first = packet[0] as number;
  let length = 12 + 4 * (first & 0x0f);
  if ((first & 0x10) !== 0) {
    if (packet.length < length + 4) return undefined;
    length += 4 + 4 * (((packet[length + 2] as number) << 8) | (packet[length + 3] as number));
  }
  return length <= packet.length ? length : undefined;
};

/** The counter block of RFC 3711 §4.1.1: (salt·2^16) XOR (SSRC·2^64) XOR (index·2^16). */
const fillIv = (salt: Uint8Array, ssrc: Uint8Array, ssrcAt: number, index: number): void => {
  iv.set(salt);
  iv[14] = 0;
  iv[15] = 0;
  for (let i = 0; i < 4; i++) iv[4 + i] = (iv[4 + i] as number) ^ (ssrc[ssrcAt + i] as number);
  // The 48-bit index in bytes 8–13: the top 16 bits, then the low 32.
  const top = Math.floor(index / 0x1_0000_0000);
  iv[8] = (iv[8] as number) ^ ((top >>> 8) & 0xff);
  iv[9] = (iv[9] as number) ^ (top & 0xff);
  for (let i = 0; i < 4; i++) iv[10 + i] = (iv[10 + i] as number) ^ ((index >>> (24 - 8 * i)) & 0xff);
};

const writeRoc = (roc: number): void => {
  rocBytes[0] = roc >>> 24;
  rocBytes[1] = (roc >>> 16) & 0xff;
  rocBytes[2] = (roc >>> 8) & 0xff;
  rocBytes[3] = roc & 0xff;
};

/** Compares the tag at `at` with the first bytes of the digest in constant time. */
const tagMatches = (bytes: Uint8Array, at: number, length: number): boolean => {
  let difference = 0;
  for (let i = 0; i < length; i++) difference |= (bytes[at + i] as number) ^ (digest[i] as number);
  return difference === 0;
};

/** The packet index a received sequence number most probably stands for (RFC 3711 Appendix A). */
const estimateIndex = (receiver: SrtpReceiver | undefined, seq: number): { index: number; roc: number } => {
  if (receiver === undefined) return { index: seq, roc: 0 };
  const { roc, lastSeq } = receiver;
  const guess = lastSeq < 32_768
    ? (seq - lastSeq > 32_768 ? roc - 1 : roc)
    : (lastSeq - 32_768 > seq ? roc + 1 : roc);
  return { index: guess * 65_536 + seq, roc: guess };
};

/**
 * Encrypts and authenticates, in place, the RTP packet in the first `length` bytes of `buffer`, whose
 * next bytes take the tag (the buffer must have room for it). Undefined when it is not RTP.
 */
export const protectRtpInPlace = (
  keys: SrtpKeys, sender: SrtpSender, buffer: Uint8Array, length: number,
): { readonly length: number; readonly sender: SrtpSender } | undefined => {
  const tag = rtpTagBytes(keys.suite);
  const header = buffer.length < length + tag ? undefined : rtpHeaderLength(buffer.subarray(0, length));
  if (header === undefined) return undefined;
  const seq = ((buffer[2] as number) << 8) | (buffer[3] as number);
  // The sequence number wrapped since the last packet: a new rollover period (§3.3.1).
  const wrapped = sender.lastSeq !== undefined && seq < sender.lastSeq && sender.lastSeq - seq > 32_768;
  const roc = wrapped ? (sender.roc + 1) >>> 0 : sender.roc;
  const session = keys.rtp;
  fillIv(session.salt, buffer, 8, roc * 65_536 + seq);
  session.cipher.xor(iv, buffer, header, length - header);
  writeRoc(roc);
  session.mac.sign(buffer, 0, length, rocBytes, digest);
  buffer.set(digest.subarray(0, tag), length);
  return { length: length + tag, sender: { roc, lastSeq: seq } };
};

/** Encrypts and authenticates an RTP packet into a new array; undefined when it is not one. */
export const protectRtp = (
  keys: SrtpKeys, sender: SrtpSender, packet: Uint8Array,
): { readonly bytes: Uint8Array; readonly sender: SrtpSender } | undefined => {
  const out = new Uint8Array(packet.length + rtpTagBytes(keys.suite));
  out.set(packet);
  const done = protectRtpInPlace(keys, sender, out, packet.length);
  return done === undefined ? undefined : { bytes: out, sender: done.sender };
};

/**
 * Checks, decrypts and accounts an SRTP packet: replays and packets whose tag
 * does not verify are refused before anything is decrypted. The state is per
 * SSRC (the caller keeps one per sender it hears); undefined starts one. The
 * RTP packet is returned in a new array; `unprotectRtpInPlace` decrypts where it lies.
 */
export const unprotectRtp = (
  keys: SrtpKeys, receiver: SrtpReceiver | undefined, bytes: Uint8Array,
): E.Either<SrtpFailure, { readonly packet: Uint8Array; readonly receiver: SrtpReceiver }> => {
  const copy = bytes.slice();
  const done = unprotectRtpInPlace(keys, receiver, copy);
  if (E.isLeft(done)) return done;
  return E.right({ packet: copy.subarray(0, done.right.length), receiver: done.right.receiver });
};

/** As unprotectRtp, decrypting in `bytes` itself: the RTP packet is then its first `length` bytes. */
export const unprotectRtpInPlace = (
  keys: SrtpKeys, receiver: SrtpReceiver | undefined, bytes: Uint8Array,
): E.Either<SrtpFailure, { readonly length: number; readonly receiver: SrtpReceiver }> => {
  const tag = rtpTagBytes(keys.suite);
  const length = bytes.length - tag;
  const header = length < 12 ? undefined : rtpHeaderLength(bytes.subarray(0, length));
  if (header === undefined) return E.left('TooShort');
  const seq = ((bytes[2] as number) << 8) | (bytes[3] as number);
  const { index, roc } = estimateIndex(receiver, seq);
  if (index < 0 || (receiver !== undefined && !fresh(receiver.window, index))) return E.left('Replayed');
  const session = keys.rtp;
  writeRoc(roc >>> 0);
  session.mac.sign(bytes, 0, length, rocBytes, digest);
  if (!tagMatches(bytes, length, tag)) return E.left('AuthFailed');
  fillIv(session.salt, bytes, 8, index);
  session.cipher.xor(iv, bytes, header, length - header);
  const window = receiver === undefined ? startWindow(index) : accept(receiver.window, index);
  // The highest index decides the rollover counter and the reference sequence number.
  const top = window.highest;
  return E.right({ length, receiver: { roc: Math.floor(top / 65_536), lastSeq: top % 65_536, window } });
};

/** Our SRTCP sending side: the index of the next compound packet (31 bits). */
export interface SrtcpSender {
  readonly index: number;
}

export const NEW_SRTCP_SENDER: SrtcpSender = { index: 0 };

const E_FLAG = 0x8000_0000;
const INDEX_MASK = 0x7fff_ffff;

/** Encrypts and authenticates a compound RTCP packet (RFC 3711 §3.4): E flag and index, then the tag. */
export const protectRtcp = (
  keys: SrtpKeys, sender: SrtcpSender, packet: Uint8Array,
): { readonly bytes: Uint8Array; readonly sender: SrtcpSender } | undefined => {
  if (packet.length < 8) return undefined;
  const index = (sender.index + 1) & INDEX_MASK;
  const out = new Uint8Array(packet.length + 4 + RTCP_TAG_BYTES);
  out.set(packet);
  const session: SessionKeys = keys.rtcp;
  fillIv(session.salt, packet, 4, index);
  session.cipher.xor(iv, out, 8, packet.length - 8);
  const word = (E_FLAG | index) >>> 0;
  out[packet.length] = word >>> 24;
  out[packet.length + 1] = (word >>> 16) & 0xff;
  out[packet.length + 2] = (word >>> 8) & 0xff;
  out[packet.length + 3] = word & 0xff;
  session.mac.sign(out, 0, packet.length + 4, undefined, digest);
  out.set(digest.subarray(0, RTCP_TAG_BYTES), packet.length + 4);
  return { bytes: out, sender: { index } };
};

/** A peer's SRTCP as we receive it: the replay window over its SRTCP indexes. */
export interface SrtcpReceiver {
  readonly window: ReplayWindow;
}

/** Checks and decrypts an SRTCP packet; replays and bad tags are refused before decryption. */
export const unprotectRtcp = (
  keys: SrtpKeys, receiver: SrtcpReceiver | undefined, bytes: Uint8Array,
): E.Either<SrtpFailure, { readonly packet: Uint8Array; readonly receiver: SrtcpReceiver }> => {
  const length = bytes.length - RTCP_TAG_BYTES - 4;
  if (length < 8) return E.left('TooShort');
  const word = (((bytes[length] as number) << 24) | ((bytes[length + 1] as number) << 16)
    | ((bytes[length + 2] as number) << 8) | (bytes[length + 3] as number)) >>> 0;
  const index = word & INDEX_MASK;
  if (receiver !== undefined && !fresh(receiver.window, index)) return E.left('Replayed');
  const session = keys.rtcp;
  session.mac.sign(bytes, 0, length + 4, undefined, digest);
  if (!tagMatches(bytes, length + 4, RTCP_TAG_BYTES)) return E.left('AuthFailed');
  const packet = bytes.slice(0, length);
  if ((word & E_FLAG) !== 0) {
    fillIv(session.salt, packet, 4, index);
    session.cipher.xor(iv, packet, 8, length - 8);
  }
  const window = receiver === undefined ? startWindow(index) : accept(receiver.window, index);
  return E.right({ packet, receiver: { window } });
};
