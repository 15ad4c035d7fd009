import * as E from 'fp-ts/lib/Either.js';
import type { SessionError } from '../../domain/session/session-error.js';
import type { AudioSink, AudioSource } from '../media/audio-io.js';
import type { RecordingDirection, RecordingResult } from '../media/file-media.js';
import type { MediaStatistics } from '../media/media-session.js';
import type { MediaRelay } from '../../ports/media-relay.js';
import type { MediaInfo } from './media-control.js';
import type { SessionServices } from './coordinator-services.js';
import { sessionException } from './session-exception.js';

/** Either's Right, or the SessionError thrown as the public API's exception. */
export const unwrap = <T>(result: E.Either<SessionError, T>): T => {
  if (E.isLeft(result)) throw sessionException(result.left);
  return result.right;
};

/**
 * The coordinator's MediaControl half: SDP on demand, where a call's audio comes from and goes, files,
 * figures. Each method asks MediaControl or FileMedia and unwraps its Either.
 */
export abstract class CoordinatorMedia {
  constructor(protected readonly s: SessionServices) {}

  /**
   * The SDP the peer sent with the call's INVITE exchange, as received: its offer (an incoming call) or its
   * answer (an answered outgoing one); undefined when it sent none. A signaling-only B2BUA passes it on.
   */
  getRemoteSdp(sessionId: string): string | undefined {
    return unwrap(this.s.table.requireAny(sessionId)).peerSdp;
  }

  /** The media relay calls may anchor their RTP in (`withMediaRelay`), if one is configured. */
  get mediaRelay(): MediaRelay | undefined {
    return this.s.mediaRelay;
  }

  generateSdpOffer(sessionId: string): string {
    return unwrap(this.s.media.generateSdpOffer(sessionId));
  }

  generateSdpAnswer(sessionId: string, offer: string): string {
    return unwrap(this.s.media.generateSdpAnswer(sessionId, offer));
  }

  /** Points the call's audio at "ip:port" (e.g. after an out-of-band answer). */
  establishMediaFlow(sessionId: string, remote: string): void {
    unwrap(this.s.media.establishMediaFlow(sessionId, remote));
  }

  startAudioTransmission(sessionId: string, source: AudioSource = { kind: 'silence' }): void {
    unwrap(this.s.media.startAudio(sessionId, source));
  }

  stopAudioTransmission(sessionId: string): void {
    unwrap(this.s.media.stopAudio(sessionId));
  }

  /** Where received audio goes: discard, record (read it back with getRecording), or a callback. */
  setAudioSink(sessionId: string, sink: AudioSink): void {
    unwrap(this.s.media.setSink(sessionId, sink));
  }

  getRecording(sessionId: string): Int16Array {
    return unwrap(this.s.media.recording(sessionId));
  }

  getMediaInfo(sessionId: string): MediaInfo {
    return unwrap(this.s.media.info(sessionId));
  }

  getMediaStatistics(sessionId: string): MediaStatistics {
    return unwrap(this.s.media.statistics(sessionId));
  }

  /** Streams a WAV file (PCM16 8/16 kHz, G.711) as the call's audio; rejects MediaError when it cannot. */
  async playFile(sessionId: string, path: string, options: { readonly loop?: boolean } = {}): Promise<void> {
    unwrap(await this.s.files.play(sessionId, path, options.loop === true));
  }

  /** Streams what the call hears (`in`), sends (`out`) or both (stereo: left in, right out) to a WAV file. */
  async startRecording(sessionId: string, path: string, options: { readonly direction?: RecordingDirection } = {}) {
    unwrap(await this.s.files.startRecording(sessionId, path, options.direction ?? 'both'));
  }

  async stopRecording(sessionId: string): Promise<RecordingResult> {
    return unwrap(await this.s.files.stopRecording(sessionId));
  }

  /** Publishes a MediaQuality event every `intervalMs` until the call ends. */
  startStatisticsMonitoring(sessionId: string, intervalMs: number): void {
    unwrap(this.s.media.monitor(sessionId, intervalMs));
  }

  /** The call's media figures, or undefined when it has none (no media, SDP only, or unknown): never throws. */
  findMediaStatistics(sessionId: string): MediaStatistics | undefined {
    const stats = this.s.media.statistics(sessionId);
    return E.isRight(stats) ? stats.right : undefined;
  }
}
