import * as E from 'fp-ts/lib/Either.js';
import {
  createOffer, DEFAULT_CODECS, type CodecCapability, type LocalMedia, type NegotiatedAudio, type SrtpPolicy,
} from '../../domain/sdp/offer-answer.js';
import { MASTER_KEY_BYTES, MASTER_SALT_BYTES, SRTP_SUITES } from '../../domain/media/srtp/srtp-keys.js';
import type { SrtpPrimitives } from '../../ports/cipher.js';
import type { Direction, SessionDescription } from '../../domain/sdp/session-description.js';
import {
  agreementOf, remoteDescription, stepNegotiation, type NegotiationError, type NegotiationEvent,
} from '../../domain/session/negotiation.js';
import type { SessionError } from '../../domain/session/session-error.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { RtpSocket, RtpSocketError, RtpSocketFactory } from '../../ports/rtp-socket.js';
import type { DtlsEngine } from '../../ports/dtls.js';
import { isWebRtcProto } from '../../domain/sdp/webrtc.js';
import { WebRtcSocket } from '../media/webrtc-socket.js';
import type { IdGenerator } from '../id-generator.js';
import { MediaSession } from '../media/media-session.js';
import type { EventBus } from './event-bus.js';
import type { SessionConfig } from './session-config.js';
import type { SessionRecord } from './session-record.js';
import type { SessionTable } from './session-table.js';

/** Where digits a media session detects (RFC 4733) go. */
export type MediaDtmfListener = (record: SessionRecord, digit: string) => void;

/** Told when a call's media cannot be carried (a WebRTC path that never secured): the call must end. */
export type MediaFailureListener = (record: SessionRecord, error: SessionError) => void;

/** The reason a call whose media could not be carried ends with. */
export const MEDIA_FAILURE = 'Media failure';

/** How long ICE and DTLS may take to secure a WebRTC stream by default. */
export const DEFAULT_WEBRTC_TIMEOUT_MS = 10_000;

export const negotiationFailure = (error: NegotiationError): SessionError => ({
  kind: 'MediaError', message: error.detail,
});

/**
 * A call's media: its RTP session (ports from the range, one per call) and
 * its offer/answer exchange, run by the negotiation machine
 * (domain/session/negotiation.ts) whose effects land here: the media pointed
 * at the agreed terms, EarlyMedia and HoldChanged published.
 */
export class MediaNegotiator {
  private dtmfListener: MediaDtmfListener = () => undefined;
  private failureListener: MediaFailureListener = () => undefined;
  /** The configured codecs in order of preference, computed once (they go into every offer and answer). */
  private readonly codecs: ReadonlyArray<CodecCapability>;

  constructor(
    private readonly table: SessionTable,
    private readonly events: EventBus,
    private readonly rtp: RtpSocketFactory,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly config: SessionConfig,
    private readonly logger: Logger | undefined,
    private readonly primitives: SrtpPrimitives | undefined = undefined,
    /** DTLS-SRTP for WebRTC media (withWebRtc); without it a browser's offer is refused 488. */
    private readonly dtls: DtlsEngine | undefined = undefined,
  ) {
    const wanted = config.codecs;
    this.codecs = DEFAULT_CODECS.filter((c) => wanted.includes(c.name)).sort(
      (a, b) => wanted.indexOf(a.name) - wanted.indexOf(b.name),
    );
  }

  /** Whether calls have RTP of ours behind their SDP. */
  get opensMedia(): boolean {
    return this.config.media === true;
  }

  /** Whether calls carry SDP (with or without our own RTP behind it). */
  get enabled(): boolean {
    return this.config.media !== false;
  }

  /**
   * Our side of the audio stream for `record`: its media session's port, opened
   * on first use; in SDP-only mode the range's first port, with nothing opened.
   */
  async localFor(record: SessionRecord, direction: Direction): Promise<E.Either<SessionError, LocalMedia>> {
    if (this.config.media !== true) return E.right(this.local(this.config.mediaPortStart, direction, record));
    const media = await this.open(record);
    return E.isLeft(media) ? media : E.right(this.localMedia(media.right, direction, record));
  }

  /** The same, for a call whose media (if any) is open already; undefined without SDP. */
  localOf(record: SessionRecord, direction: Direction): LocalMedia | undefined {
    if (record.media !== undefined) return this.localMedia(record.media, direction, record);
    return this.config.media === 'sdp-only' ? this.local(this.config.mediaPortStart, direction, record) : undefined;
  }

  /** RTP port pairs open now (WebRTC ones included): 0 once every call's media is closed. */
  openPorts(): number {
    return this.rtp.openCount();
  }

  onDtmf(listener: MediaDtmfListener): void {
    this.dtmfListener = listener;
  }

  onMediaFailure(listener: MediaFailureListener): void {
    this.failureListener = listener;
  }

  /**
   * The call's media session, opened on first use. A call that ended while
   * its ports were opening gets them closed (nobody else would); a second
   * open for the same call (accept and early media at once) yields the first.
   */
  async open(record: SessionRecord): Promise<E.Either<SessionError, MediaSession>> {
    if (record.media !== undefined) return E.right(record.media);
    const webrtc = this.dtls !== undefined && wantsWebRtc(record) ? await this.openWebRtc(this.dtls) : undefined;
    if (webrtc !== undefined && E.isLeft(webrtc)) return E.left({
      kind: 'ResourceExhausted', message: webrtc.left.detail,
    });
    const opened = await MediaSession.open(
      webrtc === undefined ? this.rtp : given(webrtc.right), this.clock, this.ids,
      `${record.id}@${this.config.localAddress}`, this.primitives,
    );
    if (E.isLeft(opened)) return E.left({ kind: 'ResourceExhausted', message: opened.left.detail });
    const media = opened.right;
    if (!this.table.isLive(record.id)) {
      void media.close();
      return E.left({
        kind: 'InvalidState', state: record.call.tag, operation: 'media',
        message: 'the call ended while its media was being opened',
      });
    }
    if (record.media !== undefined) {
      void media.close();
      return E.right(record.media);
    }
    record.media = media;
    record.webrtc = webrtc?.right;
    media.onDtmf((digit) => this.dtmfListener(record, digit));
    return E.right(media);
  }

  /**
   * Our side of the audio stream: address, port, codecs in preference order, RFC 4733 events, and — for a
   * call whose policy asks for it — our SDES keys.
   */
  localMedia(media: MediaSession, direction: Direction, record?: SessionRecord): LocalMedia {
    return this.local(media.localAddress.rtpPort, direction, record);
  }

  private local(port: number, direction: Direction, record: SessionRecord | undefined): LocalMedia {
    const base: LocalMedia = {
      address: this.config.localAddress, port, codecs: this.codecs, telephoneEventPayloadType: 101, direction,
      ptimeMs: 20,
    };
    const webrtc = record?.webrtc;
    // A WebRTC stream is keyed by its DTLS handshake: no SDES keys are made for it.
    if (webrtc !== undefined) return {
      ...base, webrtc: { ...webrtc.local, ...(record?.media === undefined ? {} : { stream: record.media.stream }) },
    };
    const srtp = record === undefined ? undefined : this.srtpOf(record);
    return srtp === undefined ? base : { ...base, srtp };
  }

  /** The call's SRTP policy with its keys: one per suite, made from the Random port once per call. */
  private srtpOf(record: SessionRecord): SrtpPolicy | undefined {
    const policy = record.encryption ?? this.config.mediaEncryption;
    if (policy === 'off') return undefined;
    record.srtpKeys ??= SRTP_SUITES.map((suite, i) => ({
      tag: i + 1, suite, material: this.ids.bytes(MASTER_KEY_BYTES + MASTER_SALT_BYTES),
    }));
    return { policy, keys: record.srtpKeys };
  }

  /** A new session description's id (the o= line), from the Random port. */
  sessionId(): string {
    return String(this.ids.ssrc());
  }

  /** A first offer, in a new session. */
  offer(local: LocalMedia): SessionDescription {
    return createOffer(local, { username: '-', sessionId: this.sessionId(), sessionVersion: '1' });
  }

  /** The terms in force, if the exchange completed once. */
  negotiated(record: SessionRecord): NegotiatedAudio | undefined {
    return agreementOf(record.negotiation)?.negotiated;
  }

  /** One step of the offer/answer machine, its effects carried out. */
  step(record: SessionRecord, event: NegotiationEvent): E.Either<NegotiationError, void> {
    const step = stepNegotiation(record.negotiation, event);
    if (E.isLeft(step)) return step;
    record.negotiation = step.right.negotiation;
    for (const effect of step.right.effects) {
      switch (effect.tag) {
        case 'ApplyMedia': this.applyTerms(record, effect.negotiated); break;
        case 'EarlyMedia':
          this.events.publish({ type: 'EarlyMedia', sessionId: record.id, status: effect.status });
          break;
        case 'HoldChanged':
          this.events.publish({ type: 'HoldChanged', sessionId: record.id, onHold: effect.onHold });
          break;
        case 'Discarded':
          this.logger?.debug('offer/answer input ignored', { session: record.id, detail: effect.detail });
          break;
      }
    }
    return E.right(undefined);
  }

  /** Points the call's media at `negotiated` and starts it. */
  applyTerms(record: SessionRecord, negotiated: NegotiatedAudio): void {
    const media = record.media;
    if (media === undefined) return;
    const webrtc = record.webrtc;
    if (negotiated.webrtc !== undefined && webrtc !== undefined) return void this.secure(record, webrtc, negotiated);
    media.configure({
      codec: negotiated.codec, payloadType: negotiated.payloadType, direction: negotiated.direction,
      ...(
        negotiated.telephoneEventPayloadType === undefined ? {} : {
          telephoneEventPayloadType: negotiated.telephoneEventPayloadType,
        }
      ),
      remote: { host: negotiated.remoteAddress, port: negotiated.remotePort },
      remoteRtcpPort: negotiated.remoteRtcpPort,
      ...(negotiated.srtp === undefined ? {} : { srtp: negotiated.srtp }),
    });
    media.start();
  }

  /** ICE, then DTLS, then the media at the secured address with the exported keys; or the call fails. */
  private async secure(record: SessionRecord, socket: WebRtcSocket, negotiated: NegotiatedAudio): Promise<void> {
    const params = negotiated.webrtc;
    if (params === undefined) return;
    const path = await socket.connect(params, this.config.webrtc?.connectTimeoutMs ?? DEFAULT_WEBRTC_TIMEOUT_MS);
    const media = record.media;
    if (!this.table.isLive(record.id) || media === undefined) return;
    if (E.isLeft(path)) return this.failureListener(record, {
      kind: 'MediaError', message: `WebRTC ${path.left.stage === 'ice' ? 'ICE' : 'DTLS'}: ${path.left.detail}`,
    });
    media.configure({
      codec: negotiated.codec, payloadType: negotiated.payloadType, direction: negotiated.direction,
      ...(negotiated.telephoneEventPayloadType === undefined ? {} : {
        telephoneEventPayloadType: negotiated.telephoneEventPayloadType,
      }),
      remote: path.right.remote, remoteRtcpPort: path.right.remote.port, srtp: path.right.srtp,
    });
    media.start();
  }

  /** A WebRTC transport on a port pair of the range: fresh ICE credentials, our certificate's fingerprint. */
  private async openWebRtc(dtls: DtlsEngine): Promise<E.Either<RtpSocketError, WebRtcSocket>> {
    const base = await this.rtp.open();
    if (E.isLeft(base) || this.primitives === undefined) return E.isLeft(base) ? base : E.left({
      kind: 'BindFailed', detail: 'WebRTC media needs the cipher port',
    });
    const primitives = this.primitives;
    // RFC 8839 §5.4: ufrag ≥ 4 and pwd ≥ 22 ice-chars.
    const local = {
      ice: { ufrag: this.ids.token(8), pwd: this.ids.token(24) }, fingerprint: dtls.fingerprint,
      candidate: { address: this.config.localAddress, port: base.right.rtpPort },
    };
    return E.right(new WebRtcSocket(base.right, local, dtls, this.clock, (key) => primitives.hmacSha1(key)));
  }
}

/** Whether a call's media is WebRTC: asked for when it was placed, or what the peer's pending offer uses. */
const wantsWebRtc = (record: SessionRecord): boolean => record.wantsWebRtc || (
  remoteDescription(record.negotiation)?.media.some((m) => m.media === 'audio' && m.port !== 0
    && isWebRtcProto(m.proto)) ?? false
);

/** A factory that hands out one socket already open (a WebRTC transport wrapping a port pair). */
const given = (socket: RtpSocket): RtpSocketFactory => ({
  open: () => Promise.resolve(E.right(socket)),
  openCount: () => 1,
});
