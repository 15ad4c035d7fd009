import type * as E from 'fp-ts/lib/Either.js';

export interface RtpAddress {
  readonly host: string;
  readonly port: number;
}

export type RtpPacketHandler = (bytes: Uint8Array, source: RtpAddress) => void;

/** An RTP/RTCP port pair (RTP even, RTCP = RTP + 1; RFC 3550 §11) owned by one media session. */
export interface RtpSocket {
  readonly host: string;
  readonly rtpPort: number;
  readonly rtcpPort: number;
  onRtp(handler: RtpPacketHandler): void;
  onRtcp(handler: RtpPacketHandler): void;
  /** Fire-and-forget, like the datagrams they are; failures are counted. */
  sendRtp(bytes: Uint8Array, target: RtpAddress): void;
  sendRtcp(bytes: Uint8Array, target: RtpAddress): void;
  /** Releases both ports back to the allocator; idempotent. */
  close(): Promise<void>;
}

export interface RtpSocketError {
  readonly kind: 'ResourceExhausted' | 'BindFailed';
  readonly detail: string;
}

/** Hands out port pairs from a configured range, never the same pair twice at once. */
export interface RtpSocketFactory {
  open(): Promise<E.Either<RtpSocketError, RtpSocket>>;
  /** Pairs currently open (tests assert it returns to 0). */
  openCount(): number;
}
