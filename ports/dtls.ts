import type * as E from 'fp-ts/lib/Either.js';
import type { DtlsFingerprint } from '../domain/sdp/webrtc.js';

/** SRTP master keys a DTLS handshake exported (RFC 5764 §4.2), each key followed by its salt (30 bytes). */
export interface DtlsSrtpKeys {
  readonly suite: 'AES_CM_128_HMAC_SHA1_80';
  readonly local: Uint8Array;
  readonly remote: Uint8Array;
}

export interface DtlsFailure {
  readonly reason: 'FingerprintMismatch' | 'HandshakeFailed' | 'Timeout' | 'Closed';
  readonly detail: string;
}

/** One DTLS association over a datagram path we carry (ICE's selected pair). */
export interface DtlsAssociation {
  /** A DTLS record from the peer (RFC 7983: first byte 20–63). */
  receive(bytes: Uint8Array): void;
  /** Settles once: the SRTP keys when the handshake finished and the peer's certificate matched a fingerprint. */
  readonly established: Promise<E.Either<DtlsFailure, DtlsSrtpKeys>>;
  /** Ends the association (close_notify when established); idempotent. */
  close(): void;
}

/**
 * DTLS-SRTP (RFC 5763/5764) for WebRTC media: our certificate (its fingerprint goes in our SDP), and
 * associations as client or server that check the peer's certificate against the fingerprints its SDP gave.
 */
export interface DtlsEngine {
  readonly fingerprint: DtlsFingerprint;
  associate(
    role: 'client' | 'server', expected: ReadonlyArray<DtlsFingerprint>, send: (bytes: Uint8Array) => void,
  ): DtlsAssociation;
}
