import * as E from 'fp-ts/lib/Either.js';
import {
  deriveSrtpKeys, MASTER_KEY_BYTES, rtpTagBytes, type SrtpKeys, type SrtpPrimitives, type SrtpSuite,
} from '../../domain/media/srtp/srtp-keys.js';
import {
  NEW_SENDER, NEW_SRTCP_SENDER, protectRtcp, protectRtpInPlace, unprotectRtcp, unprotectRtpInPlace,
  type SrtcpReceiver, type SrtcpSender, type SrtpReceiver, type SrtpSender,
} from '../../domain/media/srtp/srtp.js';

/** The keys of one SRTP session: ours protect what we send, the peer's what we receive (RFC 4568 SDES). */
export interface SrtpParameters {
  readonly suite: SrtpSuite;
  /** Our master key and salt (30 bytes). */
  readonly send: Uint8Array;
  /** The peer's master key and salt (30 bytes). */
  readonly receive: Uint8Array;
}

export interface SrtpCounters {
  /** Packets whose authentication tag did not verify (forged, corrupted, or plaintext): dropped. */
  readonly authFailures: number;
  /** Packets seen before or older than the replay window: dropped. */
  readonly replays: number;
}

const masterKey = (suite: SrtpSuite, material: Uint8Array) => ({
  suite, key: material.subarray(0, MASTER_KEY_BYTES), salt: material.subarray(MASTER_KEY_BYTES),
});

/** Whether two parameter sets use the same keys (a re-INVITE that keeps them keeps the stream state). */
export const sameSrtp = (a: SrtpParameters | undefined, b: SrtpParameters | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.suite === b.suite && equalBytes(a.send, b.send)
    && equalBytes(a.receive, b.receive));

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * One call's SRTP: the derived session keys for each direction, the sending
 * state of our stream and the receiving state of each peer stream (by SSRC),
 * and the count of what was refused. Nothing refused reaches a decoder.
 */
export class SrtpContext {
  private readonly outbound: SrtpKeys;
  private readonly inbound: SrtpKeys;
  private sender: SrtpSender = NEW_SENDER;
  private rtcpSender: SrtcpSender = NEW_SRTCP_SENDER;
  private readonly receivers = new Map<number, SrtpReceiver>();
  private rtcpReceiver: SrtcpReceiver | undefined;
  private failures = { authFailures: 0, replays: 0 };

  constructor(primitives: SrtpPrimitives, readonly parameters: SrtpParameters) {
    this.outbound = deriveSrtpKeys(primitives, masterKey(parameters.suite, parameters.send));
    this.inbound = deriveSrtpKeys(primitives, masterKey(parameters.suite, parameters.receive));
  }

  counters(): SrtpCounters {
    return { ...this.failures };
  }

  /** Bytes the tag adds to an RTP packet (room to leave after it for protectRtp). */
  get tagBytes(): number {
    return rtpTagBytes(this.parameters.suite);
  }

  /**
   * Protects the RTP packet in `buffer[0, length)` where it lies, its tag written after it; the length
   * on the wire, or undefined when it is not RTP.
   */
  protectRtp(buffer: Uint8Array, length: number): number | undefined {
    const result = protectRtpInPlace(this.outbound, this.sender, buffer, length);
    if (result === undefined) return undefined;
    this.sender = result.sender;
    return result.length;
  }

  /** Verifies and decrypts a received packet where it lies: the RTP packet's length, or undefined when refused. */
  unprotectRtp(bytes: Uint8Array): number | undefined {
    const ssrc = bytes.length < 12 ? 0 : (
      ((bytes[8] as number) << 24) | ((bytes[9] as number) << 16) | ((bytes[10] as number) << 8) | (bytes[11] as number)
    ) >>> 0;
    const result = unprotectRtpInPlace(this.inbound, this.receivers.get(ssrc), bytes);
    if (E.isLeft(result)) return this.refused(result.left);
    // Streams are few (one per peer SSRC): a peer that changes SSRC many times keeps only the latest few.
    if (!this.receivers.has(ssrc) && this.receivers.size >= 8) this.receivers.clear();
    this.receivers.set(ssrc, result.right.receiver);
    return result.right.length;
  }

  protectRtcp(packet: Uint8Array): Uint8Array | undefined {
    const result = protectRtcp(this.outbound, this.rtcpSender, packet);
    if (result === undefined) return undefined;
    this.rtcpSender = result.sender;
    return result.bytes;
  }

  unprotectRtcp(bytes: Uint8Array): Uint8Array | undefined {
    const result = unprotectRtcp(this.inbound, this.rtcpReceiver, bytes);
    if (E.isLeft(result)) return this.refused(result.left);
    this.rtcpReceiver = result.right.receiver;
    return result.right.packet;
  }

  private refused(reason: 'TooShort' | 'AuthFailed' | 'Replayed'): undefined {
    if (reason === 'Replayed') this.failures.replays++;
    else this.failures.authFailures++;
    return undefined;
  }
}
