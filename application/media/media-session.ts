import * as E from 'fp-ts/lib/Either.js';
import {
  decodeDtmf, digitToEvent, initialDtmfReceiver, planDtmf, receiveDtmf, type DtmfReceiver,
} from '../../domain/media/dtmf.js';
import { decodeG711, encodeG711, type G711Codec } from '../../domain/media/g711.js';
import { createJitterBuffer, popFrame, pushFrame, type JitterBuffer } from '../../domain/media/jitter-buffer.js';
import { estimateMos } from '../../domain/media/mos.js';
import {
  cumulativeLost, expectedPackets, initialReceiverStats, noteSenderReport, ntpFromMs, ntpMiddle, receivePacket,
  reportBlock, roundTripMs, type ReceiverStats,
} from '../../domain/media/receiver-stats.js';
import { parseRtcp, serializeRtcp, SDES_CNAME, type RtcpPacket } from '../../domain/media/rtcp.js';
import { parseRtp, writeRtp } from '../../domain/media/rtp-packet.js';
import type { Direction } from '../../domain/sdp/session-description.js';
import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { RtpAddress, RtpSocket, RtpSocketError, RtpSocketFactory } from '../../ports/rtp-socket.js';
import type { IdGenerator } from '../id-generator.js';
import type { SrtpPrimitives } from '../../ports/cipher.js';
import { frameProducer, Recorder, type AudioSink, type AudioSource, type FrameProducer } from './audio-io.js';
import { ByteSlab } from './byte-slab.js';
import { tickerFor, type MediaTicker } from './media-ticker.js';
import { sameSrtp, SrtpContext, type SrtpParameters } from './srtp-context.js';

export interface MediaParameters {
  readonly codec: G711Codec;
  readonly payloadType: number;
  readonly telephoneEventPayloadType?: number;
  readonly remote: RtpAddress;
  readonly remoteRtcpPort: number;
  readonly direction: Direction;
  readonly ptimeMs?: number;
  /** Latch the remote address on the first packet received (symmetric RTP, for peers behind NAT). */
  readonly symmetric?: boolean;
  /** SRTP keys (RFC 3711, keyed by SDES): every packet both ways is protected; anything else is dropped. */
  readonly srtp?: SrtpParameters;
}

export interface MediaTaps {
  /** Each frame as it is sent (not called while nothing is sent: hold, DTMF). */
  readonly sent?: (frame: Int16Array) => void;
  /** Each frame played out, every 20 ms. */
  readonly heard?: (frame: Int16Array) => void;
}

export interface MediaStatistics {
  readonly packetsSent: number;
  readonly bytesSent: number;
  readonly packetsReceived: number;
  readonly bytesReceived: number;
  readonly packetsExpected: number;
  readonly packetsLost: number;
  readonly lossPercent: number;
  readonly jitterMs: number;
  /** From RTCP SR/RR exchanges; undefined until one round trip was measured. */
  readonly rttMs: number | undefined;
  /** E-model estimate from the measured loss, jitter and RTT; undefined before any packet arrived. */
  readonly mos: number | undefined;
  readonly malformed: number;
  readonly unexpectedSsrc: number;
  readonly unexpectedPayloadType: number;
  readonly late: number;
  readonly concealed: number;
  readonly rtcpSent: number;
  readonly rtcpReceived: number;
  /** SRTP/SRTCP packets refused because their tag did not verify (forged, damaged or plaintext). */
  readonly srtpAuthFailures: number;
  /** SRTP/SRTCP packets refused as replays (seen before, or older than the 64-packet window). */
  readonly srtpReplays: number;
}

const FRAME_MS = 20;
const SAMPLES_PER_MS = 8;
/** Stands in for received audio that a discarding sink will never look at (shared, never written). */
const UNHEARD_FRAME = new Int16Array(160);
/** Outgoing packets and decoded frames come from shared slabs, not one ArrayBuffer each. */
const slab = new ByteSlab();
const RTCP_INTERVAL_MS = 5_000;
const RTCP_FIRST_MS = 1_000;

/**
 * One call's audio: an RTP/RTCP port pair, G.711 frames sent every 20 ms on
 * the Clock by absolute deadline (no drift), a receive path that validates,
 * counts and plays through a jitter buffer, RTCP about every 5 s (RFC 3550
 * §6.2, randomized ±50 %), RFC 4733 DTMF both ways.
 */
export class MediaSession {
  private params: MediaParameters | undefined;
  private producer: FrameProducer = frameProducer({ kind: 'silence' });
  private sink: AudioSink = { kind: 'discard' };
  /** Copies of each frame sent and heard, beside the source and the sink (a recording to disk). */
  private taps: MediaTaps = {};
  private readonly recorder = new Recorder();
  private readonly ssrc: number;
  private sequence: number;
  private timestamp: number;
  /** On the shared 20 ms clock (started and not stopped). */
  private ticking = false;
  private readonly ticker: MediaTicker;
  private rtcpTimer: TimerHandle | undefined;
  private frames = 0;
  private stats: ReceiverStats = initialReceiverStats;
  private jitter: JitterBuffer = createJitterBuffer();
  private dtmfIn: DtmfReceiver = initialDtmfReceiver;
  private dtmfHandler: ((digit: string) => void) | undefined;
  private dtmfBusyUntilFrame = 0;
  /** Clock time when the last queued DTMF event has been sent. */
  private dtmfQueueEndMs = 0;
  private sent = { packets: 0, bytes: 0, rtcp: 0 };
  private counters = { malformed: 0, unexpectedSsrc: 0, unexpectedPayloadType: 0, rtcpReceived: 0 };
  private rttMs: number | undefined;
  private latched = false;
  private closed = false;
  private srtp: SrtpContext | undefined;
  /** Refusals of SRTP contexts replaced by a re-key, so the statistics keep counting across it. */
  private srtpRefused = { authFailures: 0, replays: 0 };
  private readonly pcm = new Int16Array(160);
  private readonly packet = new Uint8Array(12 + 160);

  private constructor(
    private readonly socket: RtpSocket, private readonly clock: Clock, private readonly ids: IdGenerator,
    private readonly cname: string, private readonly primitives: SrtpPrimitives | undefined,
  ) {
    this.ticker = tickerFor(clock);
    this.ssrc = ids.ssrc();
    this.sequence = ids.below(0x10000);
    this.timestamp = ids.ssrc();
    socket.onRtp((bytes, source) => this.onRtp(bytes, source));
    socket.onRtcp((bytes) => this.onRtcp(bytes));
  }

  /** `primitives`: the cipher port, needed once SRTP is configured. */
  static async open(
    factory: RtpSocketFactory, clock: Clock, ids: IdGenerator, cname = 'session-core', primitives?: SrtpPrimitives,
  ): Promise<E.Either<RtpSocketError, MediaSession>> {
    const socket = await factory.open();
    return E.map((s: RtpSocket) => new MediaSession(s, clock, ids, cname, primitives))(socket);
  }

  get localAddress(): { readonly host: string; readonly rtpPort: number; readonly rtcpPort: number } {
    return { host: this.socket.host, rtpPort: this.socket.rtpPort, rtcpPort: this.socket.rtcpPort };
  }

  /** Our stream's SSRC and RTCP CNAME, as SDP may announce them (RFC 5576). */
  get stream(): { readonly ssrc: number; readonly cname: string } {
    return { ssrc: this.ssrc, cname: this.cname };
  }

  get parameters(): MediaParameters | undefined {
    return this.params;
  }

  /** Sets or replaces the negotiated parameters (initial answer, re-INVITE, hold). */
  configure(params: MediaParameters): void {
    const changedPeer = this.params !== undefined && (
      this.params.remote.host !== params.remote.host || this.params.remote.port !== params.remote.port
    );
    this.params = params;
    // A new peer brings a new stream: forget the old SSRC.
    if (changedPeer) this.stats = initialReceiverStats;
    if (!sameSrtp(this.srtp?.parameters, params.srtp)) this.rekey(params.srtp);
  }

  /** New SRTP keys (or none): the streams start afresh under them (RFC 4568 §7.1.4). */
  private rekey(parameters: SrtpParameters | undefined): void {
    const old = this.srtp?.counters();
    if (old !== undefined) this.srtpRefused = {
      authFailures: this.srtpRefused.authFailures + old.authFailures, replays: this.srtpRefused.replays + old.replays,
    };
    if (parameters !== undefined && this.primitives === undefined) throw new Error('SRTP needs the cipher port');
    this.srtp = parameters === undefined ? undefined : new SrtpContext(this.primitives!, parameters);
  }

  setSource(source: AudioSource): void {
    this.producer = frameProducer(source);
  }

  setSink(sink: AudioSink): void {
    this.sink = sink;
  }

  setTaps(taps: MediaTaps): void {
    this.taps = taps;
  }

  onDtmf(handler: (digit: string) => void): void {
    this.dtmfHandler = handler;
  }

  /** Joins the shared 20 ms clock (sending and playout) and starts RTCP; idempotent. */
  start(): void {
    if (this.ticking || this.closed) return;
    this.ticking = true;
    this.frames = 0;
    this.ticker.add(this);
    this.scheduleRtcp();
  }

  stop(): void {
    if (this.ticking) this.ticker.remove(this);
    if (this.rtcpTimer !== undefined) this.clock.cancel(this.rtcpTimer);
    this.ticking = false;
    this.rtcpTimer = undefined;
  }

  /** One frame time of the shared clock: a frame sent (when sending) and one played out. */
  onFrameTick(): void {
    if (this.closed || !this.ticking) return;
    this.frames++;
    this.onTick();
  }

  /** Sends digits as RFC 4733 events (when negotiated); resolves when the last end packet is out. */
  sendDtmf(digits: string, durationMs = 100, gapMs = 60): Promise<boolean> {
    const pt = this.params?.telephoneEventPayloadType;
    if (pt === undefined || this.closed) return Promise.resolve(false);
    // Digits asked for while others still play go after them: two events must never overlap (RFC 4733 §2.5.1).
    const nowMs = this.clock.nowMs();
    let offsetMs = Math.max(0, this.dtmfQueueEndMs - nowMs);
    for (const digit of digits) {
      const event = digitToEvent(digit);
      if (event === undefined) continue;
      const eventTimestamp = (this.timestamp + offsetMs * SAMPLES_PER_MS) >>> 0;
      for (const plan of planDtmf(event, durationMs)) {
        this.clock.schedule(offsetMs + plan.atMs, () => this.sendPacket(pt, plan.marker, eventTimestamp, plan.payload));
      }
      offsetMs += durationMs + 3 * FRAME_MS + gapMs;
    }
    this.dtmfQueueEndMs = nowMs + offsetMs;
    // Audio pauses while events play (RFC 4733 §2.5.1.1 allows either; pausing avoids double-hearing).
    this.dtmfBusyUntilFrame = this.frames + Math.ceil(offsetMs / FRAME_MS);
    return new Promise((resolve) => this.clock.schedule(offsetMs, () => resolve(true)));
  }

  /** What was played to the sink with kind 'record'. */
  recording(): Int16Array {
    return this.recorder.samples();
  }

  statistics(): MediaStatistics {
    const expected = Math.max(0, expectedPackets(this.stats));
    const lost = Math.max(0, cumulativeLost(this.stats));
    const lossPercent = expected === 0 ? 0 : (lost / expected) * 100;
    const jitterMs = this.stats.jitter / SAMPLES_PER_MS;
    return {
      packetsSent: this.sent.packets, bytesSent: this.sent.bytes,
      packetsReceived: this.stats.received, bytesReceived: this.stats.bytes,
      packetsExpected: expected, packetsLost: lost, lossPercent, jitterMs, rttMs: this.rttMs,
      mos: this.stats.received === 0 ? undefined : estimateMos({
        lossPercent, jitterMs, oneWayDelayMs: (this.rttMs ?? 0) / 2,
      }),
      ...this.counters, late: this.jitter.late, concealed: this.jitter.concealed, rtcpSent: this.sent.rtcp,
      srtpAuthFailures: this.srtpRefused.authFailures + (this.srtp?.counters().authFailures ?? 0),
      srtpReplays: this.srtpRefused.replays + (this.srtp?.counters().replays ?? 0),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // RFC 3550 §6.3.7: a participant that never sent an RTP or RTCP packet must not send a BYE.
    if (this.sent.packets > 0 || this.sent.rtcp > 0) this.sendRtcp(true);
    this.closed = true;
    this.stop();
    await this.socket.close();
  }

  private onTick(): void {
    const params = this.params;
    if (params === undefined) return;
    const sending = params.direction === 'sendrecv' || params.direction === 'sendonly';
    if (sending && this.frames > this.dtmfBusyUntilFrame) {
      this.producer.fill(this.pcm);
      this.taps.sent?.(this.pcm);
      const payload = encodeG711(params.codec, this.pcm, this.packet.subarray(12));
      this.sendPacket(params.payloadType, this.sent.packets === 0, this.timestamp, payload);
    }
    this.timestamp = (this.timestamp + 160) >>> 0;
    this.playout();
  }

  private playout(): void {
    const [next, frame] = popFrame(this.jitter);
    this.jitter = next;
    if (this.sink.kind === 'record') this.recorder.add(frame);
    else if (this.sink.kind === 'callback') this.sink.onFrame(frame);
    this.taps.heard?.(frame);
  }

  private sendPacket(payloadType: number, marker: boolean, timestamp: number, payload: Uint8Array): void {
    const params = this.params;
    if (params === undefined || this.closed) return;
    const srtp = this.srtp;
    // Under SRTP the packet is protected where it lies, its tag in the room left after it.
    const bytes = slab.bytes(12 + payload.length + (srtp === undefined ? 0 : srtp.tagBytes));
    writeRtp(
      { marker, payloadType, sequence: this.sequence, timestamp, ssrc: this.ssrc, csrcs: [], payload, paddingBytes: 0 },
      bytes, 0,
    );
    this.sequence = (this.sequence + 1) & 0xffff;
    const length = srtp === undefined ? bytes.length : srtp.protectRtp(bytes, 12 + payload.length);
    if (length === undefined) return;
    this.socket.sendRtp(length === bytes.length ? bytes : bytes.subarray(0, length), params.remote);
    this.sent.packets++;
    this.sent.bytes += payload.length;
  }

  private onRtp(received: Uint8Array, source: RtpAddress): void {
    const params = this.params;
    // Under SRTP only what authenticates is looked at (and may latch or count as the peer's stream);
    // it is decrypted where it lies (the datagram is ours alone).
    const length = this.srtp === undefined ? received.length : this.srtp.unprotectRtp(received);
    if (length === undefined) return;
    const bytes = length === received.length ? received : received.subarray(0, length);
    const parsed = parseRtp(bytes);
    if (E.isLeft(parsed) || params === undefined) return void this.counters.malformed++;
    const packet = parsed.right;
    if (this.stats.ssrc !== undefined && packet.ssrc !== this.stats.ssrc) return void this.counters.unexpectedSsrc++;
    // Symmetric RTP: send back to where the first packet came from (a NAT's public address), once.
    if (params.symmetric === true && !this.latched) {
      this.latched = true;
      if (source.host !== params.remote.host || source.port !== params.remote.port) this.params = {
        ...params, remote: source,
      };
    }
    const arrival = Math.round(this.clock.nowMs() * SAMPLES_PER_MS);
    if (packet.payloadType === params.telephoneEventPayloadType) {
      this.stats = receivePacket(
        this.stats, packet.ssrc, packet.sequence, packet.timestamp, arrival, packet.payload.length, false,
      );
      const [next, digit] = receiveDtmf(this.dtmfIn, packet.timestamp, packet.payload);
      this.dtmfIn = next;
      if (digit !== undefined && decodeDtmf(packet.payload) !== undefined) this.dtmfHandler?.(digit);
      return;
    }
    if (packet.payloadType !== params.payloadType) return void this.counters.unexpectedPayloadType++;
    this.stats = receivePacket(
      this.stats, packet.ssrc, packet.sequence, packet.timestamp, arrival, packet.payload.length,
    );
    if (params.direction === 'sendrecv' || params.direction === 'recvonly') {
      // Statistics need only the header: audio is decoded only when a sink will hear it (a frame
      // queued before a sink change plays as silence, at most the buffer's 16 frames).
      const samples = this.sink.kind === 'discard' && this.taps.heard === undefined ? UNHEARD_FRAME : decodeG711(
        params.codec, packet.payload, slab.int16(packet.payload.length),
      );
      this.jitter = pushFrame(this.jitter, { timestamp: packet.timestamp, samples });
    }
  }

  private onRtcp(received: Uint8Array): void {
    const bytes = this.srtp === undefined ? received : this.srtp.unprotectRtcp(received);
    if (bytes === undefined) return;
    const parsed = parseRtcp(bytes);
    if (E.isLeft(parsed)) return void this.counters.malformed++;
    this.counters.rtcpReceived++;
    const now = this.clock.nowMs();
    for (const packet of parsed.right) {
      if (packet.type === 'SR') this.stats = noteSenderReport(this.stats, packet.ntpSeconds, packet.ntpFraction, now);
      if (packet.type === 'SR' || packet.type === 'RR') {
        const mine = packet.reports.find((r) => r.ssrc === this.ssrc);
        const rtt = mine === undefined ? undefined : roundTripMs(ntpMiddle(now), mine);
        if (rtt !== undefined) this.rttMs = rtt;
      }
    }
  }

  private scheduleRtcp(): void {
    // §6.3.1: randomize the interval to between 0.5 and 1.5 times the nominal one. The first two
    // reports come early (about 1 s, then 2.5 s later): each side's second report answers the
    // other's first sender report, so both ends measure the round trip within seconds, even in a
    // short call; from then on the 5 s minimum of §6.2 applies.
    const sent = this.sent.rtcp;
    const nominal = sent === 0 ? RTCP_FIRST_MS : sent === 1 ? RTCP_INTERVAL_MS / 2 : RTCP_INTERVAL_MS;
    const delay = nominal * (0.5 + this.ids.below(1000) / 1000);
    this.rtcpTimer = this.clock.schedule(delay, () => {
      this.sendRtcp(false);
      if (!this.closed) this.scheduleRtcp();
    });
  }

  private sendRtcp(bye: boolean): void {
    const params = this.params;
    if (params === undefined || this.closed) return;
    const now = this.clock.nowMs();
    const [stats, block] = reportBlock(this.stats, now);
    this.stats = stats;
    const reports = this.stats.ssrc === undefined ? [] : [block];
    const packets: RtcpPacket[] = [];
    if (this.sent.packets > 0) {
      const ntp = ntpFromMs(now);
      packets.push({
        type: 'SR', ssrc: this.ssrc, ntpSeconds: ntp.seconds, ntpFraction: ntp.fraction, rtpTimestamp: this.timestamp,
        packetCount: this.sent.packets >>> 0, octetCount: this.sent.bytes >>> 0, reports,
      });
    } else {
      packets.push({ type: 'RR', ssrc: this.ssrc, reports });
    }
    packets.push({ type: 'SDES', chunks: [{ ssrc: this.ssrc, items: [{ type: SDES_CNAME, text: this.cname }] }] });
    if (bye) packets.push({ type: 'BYE', ssrcs: [this.ssrc] });
    const compound = serializeRtcp(packets);
    const wire = this.srtp === undefined ? compound : this.srtp.protectRtcp(compound);
    if (wire !== undefined) this.socket.sendRtcp(wire, { host: params.remote.host, port: params.remoteRtcpPort });
    this.sent.rtcp++;
  }
}
