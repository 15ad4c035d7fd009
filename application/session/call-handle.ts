import type { AudioSink, AudioSource } from '../media/audio-io.js';
import type { MediaStatistics } from '../media/media-session.js';
import type { CallInfo } from './session-record.js';
import type { DtmfOptions } from './dtmf-options.js';

/** The coordinator's per-call operations a handle acts through (the coordinator itself provides them). */
export interface CallOperations {
  getSession(sessionId: string): CallInfo | undefined;
  acceptIncomingCall(sessionId: string, sdp?: string): Promise<void>;
  rejectIncomingCall(sessionId: string, status?: number, reason?: string): Promise<void>;
  sendEarlyMedia(sessionId: string, sdp?: string): Promise<void>;
  terminateSession(sessionId: string): Promise<void>;
  holdSession(sessionId: string): Promise<void>;
  resumeSession(sessionId: string): Promise<void>;
  sendDtmf(sessionId: string, digits: string, options?: DtmfOptions): Promise<void>;
  transferSession(sessionId: string, target: string, replaces?: string): Promise<number>;
  startAudioTransmission(sessionId: string, source?: AudioSource): void;
  stopAudioTransmission(sessionId: string): void;
  setAudioSink(sessionId: string, sink: AudioSink): void;
  getMediaStatistics(sessionId: string): MediaStatistics;
  bridgeSessions(first: string, second: string): string;
  addSessionToBridge(bridgeId: string, sessionId: string): void;
}

/**
 * The call a handler callback is about, to act on it without reaching for an
 * outer variable: each method is the coordinator's operation on this call and
 * resolves, throws or rejects exactly as that operation does.
 */
export class CallHandle {
  constructor(private readonly operations: CallOperations, readonly id: string) {}

  /** The call as it is now (undefined once it is no longer retained). */
  info(): CallInfo | undefined {
    return this.operations.getSession(this.id);
  }

  accept(sdp?: string): Promise<void> {
    return this.operations.acceptIncomingCall(this.id, sdp);
  }

  reject(status?: number, reason?: string): Promise<void> {
    return this.operations.rejectIncomingCall(this.id, status, reason);
  }

  sendEarlyMedia(sdp?: string): Promise<void> {
    return this.operations.sendEarlyMedia(this.id, sdp);
  }

  hangUp(): Promise<void> {
    return this.operations.terminateSession(this.id);
  }

  hold(): Promise<void> {
    return this.operations.holdSession(this.id);
  }

  resume(): Promise<void> {
    return this.operations.resumeSession(this.id);
  }

  sendDtmf(digits: string, options?: DtmfOptions): Promise<void> {
    return this.operations.sendDtmf(this.id, digits, options);
  }

  transfer(target: string, replaces?: string): Promise<number> {
    return this.operations.transferSession(this.id, target, replaces);
  }

  play(source?: AudioSource): void {
    this.operations.startAudioTransmission(this.id, source);
  }

  stopAudio(): void {
    this.operations.stopAudioTransmission(this.id);
  }

  setAudioSink(sink: AudioSink): void {
    this.operations.setAudioSink(this.id, sink);
  }

  statistics(): MediaStatistics {
    return this.operations.getMediaStatistics(this.id);
  }

  /** Bridges this call with another connected one; returns the bridge id. */
  bridgeWith(otherSessionId: string): string {
    return this.operations.bridgeSessions(this.id, otherSessionId);
  }

  join(bridgeId: string): void {
    this.operations.addSessionToBridge(bridgeId, this.id);
  }
}

/** Makes handles for callbacks; the coordinator binds itself once it exists. */
export class CallHandles {
  private operations: CallOperations | undefined;

  bind(operations: CallOperations): void {
    this.operations = operations;
  }

  handle(sessionId: string): CallHandle {
    if (this.operations === undefined) throw new Error('call handles used before the coordinator was built');
    return new CallHandle(this.operations, sessionId);
  }
}
