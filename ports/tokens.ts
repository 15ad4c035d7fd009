/** Dependency-injection tokens, one per port; only adapters/composition binds them. */
export const TOKENS = {
  Clock: Symbol.for('session-core.Clock'),
  Random: Symbol.for('session-core.Random'),
  Logger: Symbol.for('session-core.Logger'),
  SipTransport: Symbol.for('session-core.SipTransport'),
  RtpSocketFactory: Symbol.for('session-core.RtpSocketFactory'),
  Hash: Symbol.for('session-core.Hash'),
  SrtpPrimitives: Symbol.for('session-core.SrtpPrimitives'),
  Resolver: Symbol.for('session-core.Resolver'),
  AudioFiles: Symbol.for('session-core.AudioFiles'),
  MediaRelay: Symbol.for('session-core.MediaRelay'),
  DialogStore: Symbol.for('session-core.DialogStore'),
  Dtls: Symbol.for('session-core.Dtls'),
} as const;
