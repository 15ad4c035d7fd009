/** A transport failure, returned as a value (never thrown). */
export type TransportErrorReason =
  | 'BindFailed'
  | 'Closed'
  | 'ConnectFailed'
  /** A TLS handshake failed: the peer's certificate was refused, or the peer refused ours. */
  | 'TlsFailed'
  | 'SendFailed'
  | 'TooLarge'
  | 'Backpressure'
  | 'UnsupportedTransport'
  | 'NoRoute'
  /** RFC 3263 server location found no address for a name. */
  | 'ResolveFailed';

export interface TransportError {
  readonly kind: 'TransportError';
  readonly reason: TransportErrorReason;
  readonly detail: string;
}

export const transportError = (reason: TransportErrorReason, detail: string): TransportError => ({
  kind: 'TransportError', reason, detail,
});
