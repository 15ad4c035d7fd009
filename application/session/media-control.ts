import { checkAudioSink, checkAudioSource } from '../media/audio-codecs.js';
import * as E from 'fp-ts/lib/Either.js';
import { createAnswer } from '../../domain/sdp/offer-answer.js';
import { parseSdp } from '../../domain/sdp/parse-sdp.js';
import { sdpText } from './sdp-text.js';
import type { Direction } from '../../domain/sdp/session-description.js';
import { localDescription } from '../../domain/session/negotiation.js';
import { invalidArgument, type SessionError } from '../../domain/session/session-error.js';
import type { Clock } from '../../ports/clock.js';
import type { AudioSink, AudioSource } from '../media/audio-io.js';
import type { MediaSession, MediaStatistics } from '../media/media-session.js';
import type { EventBus } from './event-bus.js';
import type { MediaNegotiator } from './media-negotiator.js';
import type { SessionTable } from './session-table.js';
import type { UserCode } from './user-code.js';

export interface MediaInfo {
  readonly localAddress: string;
  readonly localRtpPort: number;
  readonly remoteAddress: string | undefined;
  readonly remoteRtpPort: number | undefined;
  readonly codec: string | undefined;
  readonly direction: Direction | undefined;
  /** The SRTP suite protecting the audio both ways, or undefined for plain RTP (or WebRTC not yet keyed). */
  readonly srtp: string | undefined;
  /** WebRTC media (ICE-lite, DTLS-SRTP): its SRTP suite appears once the handshake has keyed it. */
  readonly webrtc?: boolean;
}

/**
 * MediaControl: a call's SDP on demand, where its audio comes from and goes
 * to, and its measured quality. Works on ended calls still retained too, so
 * final statistics can be read after the hang-up.
 */
export class MediaControl {
  constructor(
    private readonly table: SessionTable,
    private readonly negotiator: MediaNegotiator,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly userCode: UserCode,
    private readonly localAddress: string,
  ) {}

  /** RTP port pairs open now: 0 once every call's media is closed. */
  openPorts(): number {
    return this.negotiator.openPorts();
  }

  generateSdpOffer(sessionId: string): E.Either<SessionError, string> {
    return E.chain((media: MediaSession): E.Either<SessionError, string> => {
      const record = this.table.find(sessionId);
      const local = record === undefined ? undefined : localDescription(record.negotiation);
      const ours = this.negotiator.localMedia(media, 'sendrecv', record);
      return E.right(sdpText(local ?? this.negotiator.offer(ours)));
    })(this.liveMedia(sessionId));
  }

  generateSdpAnswer(sessionId: string, offer: string): E.Either<SessionError, string> {
    return E.chain((media: MediaSession): E.Either<SessionError, string> => {
      const parsed = parseSdp(offer);
      if (E.isLeft(parsed)) return E.left(invalidArgument('offer', `not a session description: ${parsed.left.detail}`));
      const identity = { username: '-', sessionId: this.negotiator.sessionId(), sessionVersion: '1' };
      const answer = createAnswer(parsed.right, this.negotiator.localMedia(media, 'sendrecv'), identity);
      return E.isLeft(answer) ? E.left({ kind: 'MediaError', message: answer.left.detail }) : E.right(
        sdpText(answer.right.answer),
      );
    })(this.liveMedia(sessionId));
  }

  /** Points the call's audio at "ip:port" (after an answer that came out of band). */
  establishMediaFlow(sessionId: string, remote: string): E.Either<SessionError, void> {
    return E.chain((media: MediaSession): E.Either<SessionError, void> => {
      const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(remote);
      const port = Number(match?.[2]);
      if (match === null || !Number.isInteger(port) || port < 1 || port > 65535) return E.left(
        invalidArgument('remote', `expected "ip:port", got ${JSON.stringify(remote)}`),
      );
      const current = media.parameters;
      media.configure({
        codec: current?.codec ?? 'PCMU', payloadType: current?.payloadType ?? 0,
        direction: current?.direction ?? 'sendrecv',
        ...(
          current?.telephoneEventPayloadType === undefined ? {} : {
            telephoneEventPayloadType: current.telephoneEventPayloadType,
          }
        ),
        remote: { host: match[1] as string, port }, remoteRtcpPort: port + 1,
      });
      media.start();
      return E.right(undefined);
    })(this.liveMedia(sessionId));
  }

  startAudio(sessionId: string, source: AudioSource): E.Either<SessionError, void> {
    const checked = checkAudioSource(source);
    if (E.isLeft(checked)) return checked;
    return E.map((media: MediaSession) => {
      media.setSource(this.guardedSource(sessionId, source));
      media.start();
    })(this.media(sessionId));
  }

  stopAudio(sessionId: string): E.Either<SessionError, void> {
    return E.map((media: MediaSession) => media.setSource({ kind: 'silence' }))(this.media(sessionId));
  }

  setSink(sessionId: string, sink: AudioSink): E.Either<SessionError, void> {
    const checked = checkAudioSink(sink);
    if (E.isLeft(checked)) return checked;
    return E.map((media: MediaSession) => media.setSink(this.guardedSink(sessionId, sink)))(this.media(sessionId));
  }

  /**
   * The application's frame callback runs inside the media tick: what it throws is reported, and the frame is silence.
   */
  private guardedSource(sessionId: string, source: AudioSource): AudioSource {
    if (source.kind !== 'callback') return source;
    return { kind: 'callback', fill: (frame) => {
      try {
        source.fill(frame);
      } catch (error) {
        frame.fill(0);
        this.userCode.report('an audio source callback', sessionId, error, true);
      }
    } };
  }

  private guardedSink(sessionId: string, sink: AudioSink): AudioSink {
    if (sink.kind !== 'callback') return sink;
    return { kind: 'callback', onFrame: (frame) => {
      try {
        sink.onFrame(frame);
      } catch (error) {
        this.userCode.report('an audio sink callback', sessionId, error, true);
      }
    } };
  }

  recording(sessionId: string): E.Either<SessionError, Int16Array> {
    return E.map((media: MediaSession) => media.recording())(this.media(sessionId));
  }

  statistics(sessionId: string): E.Either<SessionError, MediaStatistics> {
    return E.map((media: MediaSession) => media.statistics())(this.media(sessionId));
  }

  info(sessionId: string): E.Either<SessionError, MediaInfo> {
    const record = this.table.find(sessionId);
    const agreed = record === undefined ? undefined : this.negotiator.negotiated(record);
    const local = record === undefined ? undefined : this.negotiator.localOf(record, 'sendrecv');
    // SDP-only calls: what was agreed, with no RTP session behind it.
    if (record?.media === undefined && agreed !== undefined && local !== undefined) return E.right({
      localAddress: this.localAddress, localRtpPort: local.port, remoteAddress: agreed.remoteAddress,
      remoteRtpPort: agreed.remotePort, codec: agreed.codec, direction: agreed.direction, srtp: agreed.srtp?.suite,
    });
    return E.map((media: MediaSession): MediaInfo => {
      const record = this.table.find(sessionId);
      return {
        localAddress: this.localAddress, localRtpPort: media.localAddress.rtpPort,
        remoteAddress: media.parameters?.remote.host, remoteRtpPort: media.parameters?.remote.port,
        codec: record === undefined ? undefined : this.negotiator.negotiated(record)?.codec,
        direction: media.parameters?.direction, srtp: media.parameters?.srtp?.suite,
        ...(record?.webrtc === undefined ? {} : { webrtc: true }),
      };
    })(this.media(sessionId));
  }

  /** Publishes a MediaQuality event every `intervalMs` until the call ends. */
  monitor(sessionId: string, intervalMs: number): E.Either<SessionError, void> {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) return E.left(
      invalidArgument('intervalMs', `must be a positive number of milliseconds, got ${intervalMs}`),
    );
    const found = this.table.require(sessionId);
    if (E.isLeft(found)) return found;
    const record = found.right;
    const tick = (): void => {
      if (!this.table.isLive(sessionId) || record.media === undefined) return;
      const s = record.media.statistics();
      this.events.publish({
        type: 'MediaQuality', sessionId, mos: s.mos, lossPercent: s.lossPercent, jitterMs: s.jitterMs, rttMs: s.rttMs,
      });
      // The fired timer's slot takes the next one: a long call keeps one handle, not one per tick.
      const next = this.clock.schedule(intervalMs, tick);
      const slot = record.timers.indexOf(handle);
      if (slot >= 0) record.timers[slot] = next;
      else record.timers.push(next);
      handle = next;
    };
    let handle = this.clock.schedule(intervalMs, tick);
    record.timers.push(handle);
    return E.right(undefined);
  }

  /** The media of a call, live or retained. */
  private media(sessionId: string): E.Either<SessionError, MediaSession> {
    const record = this.table.find(sessionId);
    if (record === undefined) return E.left({ kind: 'SessionNotFound', sessionId, message: `no session ${sessionId}` });
    return record.media === undefined ? E.left({ kind: 'MediaError', message: 'no media session' }) : E.right(
      record.media,
    );
  }

  private liveMedia(sessionId: string): E.Either<SessionError, MediaSession> {
    return E.chain(() => this.media(sessionId))(this.table.require(sessionId));
  }
}
