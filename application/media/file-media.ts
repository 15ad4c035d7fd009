import * as E from 'fp-ts/lib/Either.js';
import { invalidArgument, type SessionError } from '../../domain/session/session-error.js';
import type { AudioFileReader, AudioFileWriter, AudioFiles } from '../../ports/audio-files.js';
import type { Logger } from '../../ports/logger.js';
import type { SessionTable } from '../session/session-table.js';

export type RecordingDirection = 'in' | 'out' | 'both';

export interface RecordingResult {
  readonly path: string;
  readonly frames: number;
  /** Frames the disk could not take in time (dropped, not queued without bound). */
  readonly dropped: number;
}

interface Recording {
  readonly path: string;
  readonly writer: AudioFileWriter;
}

const FRAME = 160;

/**
 * WAV files on calls: `play` streams a file as the call's outgoing audio (read ahead, never whole in
 * memory); `startRecording` writes what the call heard, sent, or both (stereo: left heard, right sent) as
 * it happens, with a bounded queue. A missing file, an unreadable format or a full disk is a MediaError;
 * the call goes on.
 */
export class FileMedia {
  private readonly players = new Map<string, AudioFileReader>();
  private readonly recordings = new Map<string, Recording>();

  constructor(
    private readonly table: SessionTable,
    private readonly files: AudioFiles,
    private readonly logger: Logger | undefined,
  ) {}

  async play(sessionId: string, path: string, loop: boolean): Promise<E.Either<SessionError, void>> {
    if (typeof path !== 'string' || path.length === 0) return E.left(invalidArgument('path', 'no file named'));
    const media = this.liveMedia(sessionId);
    if (E.isLeft(media)) return media;
    const opened = await this.files.openForPlayback(path, { loop });
    if (E.isLeft(opened)) return E.left({ kind: 'MediaError', message: opened.left.detail });
    const still = this.liveMedia(sessionId);
    if (E.isLeft(still)) {
      await opened.right.close();
      return still;
    }
    await this.players.get(sessionId)?.close();
    this.players.set(sessionId, opened.right);
    const reader = opened.right;
    still.right.setSource({ kind: 'callback', fill: (frame) => reader.fill(frame) });
    return E.right(undefined);
  }

  async startRecording(
    sessionId: string, path: string, direction: RecordingDirection,
  ): Promise<E.Either<SessionError, void>> {
    if (direction !== 'in' && direction !== 'out' && direction !== 'both') return E.left(
      invalidArgument('direction', `${String(direction)} is not in, out or both`),
    );
    if (typeof path !== 'string' || path.length === 0) return E.left(invalidArgument('path', 'no file named'));
    const media = this.liveMedia(sessionId);
    if (E.isLeft(media)) return media;
    if (this.recordings.has(sessionId)) return E.left({ kind: 'MediaError', message: 'the call is already recorded' });
    const opened = await this.files.openForRecording(path, direction === 'both' ? 2 : 1);
    if (E.isLeft(opened)) return E.left({ kind: 'MediaError', message: opened.left.detail });
    const writer = opened.right;
    const still = this.liveMedia(sessionId);
    if (E.isLeft(still)) {
      await writer.close();
      return still;
    }
    this.recordings.set(sessionId, { path, writer });
    // Each 20 ms the session sends a frame (unless on hold) and then plays one out: pair them there.
    const sent = new Int16Array(FRAME);
    let sentThisTick = false;
    still.right.setTaps({
      ...(direction === 'in' ? {} : { sent: (frame: Int16Array) => {
        sent.set(frame.subarray(0, FRAME));
        sentThisTick = true;
      } }),
      heard: (frame) => {
        if (!sentThisTick) sent.fill(0);
        sentThisTick = false;
        writer.write(direction === 'in' ? [frame] : direction === 'out' ? [sent] : [frame, sent]);
      },
    });
    return E.right(undefined);
  }

  async stopRecording(sessionId: string): Promise<E.Either<SessionError, RecordingResult>> {
    const recording = this.recordings.get(sessionId);
    if (recording === undefined) return E.left({ kind: 'MediaError', message: `no recording on ${sessionId}` });
    this.recordings.delete(sessionId);
    this.table.find(sessionId)?.media?.setTaps({});
    const closed = await recording.writer.close();
    if (E.isLeft(closed)) return E.left({ kind: 'MediaError', message: closed.left.detail });
    return E.right({ path: recording.path, frames: closed.right.frames, dropped: recording.writer.dropped });
  }

  /** The call ended: its file is closed and its recording completed (a failure is logged, not thrown). */
  callEnded(sessionId: string): void {
    const player = this.players.get(sessionId);
    if (player !== undefined) {
      this.players.delete(sessionId);
      void player.close();
    }
    if (this.recordings.has(sessionId)) void this.stopRecording(sessionId).then((result) => {
      if (E.isLeft(result)) this.logger?.warn('recording incomplete', {
        session: sessionId, reason: result.left.message,
      });
    });
  }

  /** Files open now, for leak checks. */
  openFiles(): number {
    return this.players.size + this.recordings.size;
  }

  private liveMedia(sessionId: string) {
    const found = this.table.require(sessionId);
    if (E.isLeft(found)) return found;
    const media = found.right.media;
    return media === undefined
      ? E.left<SessionError>({ kind: 'MediaError', message: 'the call has no media session' })
      : E.right(media);
  }
}
