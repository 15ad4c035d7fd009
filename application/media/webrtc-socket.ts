import * as E from 'fp-ts/lib/Either.js';
import type { HmacSha1 } from '../../domain/media/srtp/srtp-keys.js';
import type { NegotiatedWebRtc, WebRtcLocal } from '../../domain/sdp/webrtc.js';
import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { DtlsAssociation, DtlsEngine, DtlsSrtpKeys } from '../../ports/dtls.js';
import type { RtpAddress, RtpPacketHandler, RtpSocket } from '../../ports/rtp-socket.js';
import type { SrtpParameters } from './srtp-context.js';
import { IceLiteAgent, type IceCounters } from './ice-lite.js';

/** Why a WebRTC stream could not be secured: the ICE checks never came, or DTLS failed. */
export interface WebRtcFailure {
  readonly stage: 'ice' | 'dtls';
  readonly detail: string;
}

/** A secured WebRTC path: where the peer is (the nominated pair) and the SRTP keys DTLS exported. */
export interface WebRtcPath {
  readonly remote: RtpAddress;
  readonly srtp: SrtpParameters;
}

/** DTLS records waiting for their association (a ClientHello may beat our SIP answer's processing). */
const MAX_EARLY_RECORDS = 16;

/**
 * One WebRTC stream's transport, as the RtpSocket a MediaSession uses (RFC 7983 demultiplexing on one
 * port, RFC 5761 rtcp-mux): STUN goes to the ICE-lite agent, DTLS to the association, SRTP and SRTCP to
 * the media session — once the path is secured, and only from the nominated address. Everything we send
 * goes to that address; nothing leaves before the keys exist, so no plaintext RTP ever reaches the peer.
 */
export class WebRtcSocket implements RtpSocket {
  private readonly ice: IceLiteAgent;
  private association: DtlsAssociation | undefined;
  private early: Uint8Array[] = [];
  private rtpHandler: RtpPacketHandler = () => undefined;
  private rtcpHandler: RtpPacketHandler = () => undefined;
  private secured: RtpAddress | undefined;
  /** The path once secured, with the remote ufrag it was secured for (a re-offer keeps it, RFC 8839 §4.4.1). */
  private path: { readonly ufrag: string; readonly path: WebRtcPath } | undefined;
  private nominatedWaiter: ((address: RtpAddress) => void) | undefined;
  private timer: TimerHandle | undefined;
  private closed = false;
  private dropped = 0;

  constructor(
    private readonly base: RtpSocket, readonly local: WebRtcLocal, private readonly dtls: DtlsEngine,
    private readonly clock: Clock, hmacSha1: (key: Uint8Array) => HmacSha1,
  ) {
    this.ice = new IceLiteAgent(local.ice, hmacSha1);
    base.onRtp((bytes, source) => this.onDatagram(bytes, source));
    // With rtcp-mux the RTCP port carries nothing; anything there is not ours to read.
    base.onRtcp(() => this.dropped++);
  }

  get host(): string {
    return this.base.host;
  }

  get rtpPort(): number {
    return this.base.rtpPort;
  }

  /** RFC 5761: RTCP shares the RTP port. */
  get rtcpPort(): number {
    return this.base.rtpPort;
  }

  onRtp(handler: RtpPacketHandler): void {
    this.rtpHandler = handler;
  }

  onRtcp(handler: RtpPacketHandler): void {
    this.rtcpHandler = handler;
  }

  sendRtp(bytes: Uint8Array): void {
    if (this.secured !== undefined) this.base.sendRtp(bytes, this.secured);
  }

  sendRtcp(bytes: Uint8Array): void {
    if (this.secured !== undefined) this.base.sendRtp(bytes, this.secured);
  }

  iceCounters(): IceCounters & { readonly droppedDatagrams: number } {
    return { ...this.ice.counters(), droppedDatagrams: this.dropped };
  }

  /**
   * Runs ICE and DTLS to the peer the negotiation describes, within `timeoutMs`: the nominated pair,
   * then the handshake (we are its server when we said passive, its client when active — starting once
   * ICE has nominated a pair), its certificate checked against the SDP's fingerprints.
   */
  async connect(params: NegotiatedWebRtc, timeoutMs: number): Promise<E.Either<WebRtcFailure, WebRtcPath>> {
    if (this.closed) return E.left({ stage: 'ice', detail: 'the media session is closed' });
    const known = this.path;
    if (known !== undefined && known.ufrag === params.remoteIce.ufrag) {
      return E.right({ ...known.path, remote: this.secured ?? known.path.remote });
    }
    if (known !== undefined) return E.left({ stage: 'ice', detail: 'ICE restarts are not supported' });
    this.ice.setRemote(params.remoteIce);
    const candidate = params.remoteCandidates[0];
    if (params.remoteLite && candidate !== undefined) {
      this.ice.assume({ host: candidate.address, port: candidate.port });
    }
    const deadline = new Promise<E.Either<WebRtcFailure, WebRtcPath>>((resolve) => {
      this.timer = this.clock.schedule(timeoutMs, () => resolve(E.left(this.ice.nominated === undefined
        ? { stage: 'ice', detail: `no ICE connectivity check from the peer within ${timeoutMs} ms` }
        : { stage: 'dtls', detail: `no DTLS handshake within ${timeoutMs} ms` })));
    });
    const outcome = await Promise.race([deadline, this.secure(params)]);
    if (this.timer !== undefined) this.clock.cancel(this.timer);
    this.timer = undefined;
    if (E.isLeft(outcome)) this.association?.close();
    return outcome;
  }

  private async secure(params: NegotiatedWebRtc): Promise<E.Either<WebRtcFailure, WebRtcPath>> {
    if (params.dtlsRole === 'client' && this.ice.nominated === undefined) {
      await new Promise<RtpAddress>((resolve) => (this.nominatedWaiter = resolve));
    }
    if (this.closed) return E.left({ stage: 'dtls', detail: 'the media session is closed' });
    const association = this.dtls.associate(params.dtlsRole, params.remoteFingerprints, (bytes) => {
      const to = this.ice.nominated;
      if (to !== undefined) this.base.sendRtp(bytes, to);
    });
    this.association = association;
    for (const record of this.early.splice(0)) association.receive(record);
    const keys = await association.established;
    if (E.isLeft(keys)) return E.left({ stage: 'dtls', detail: `${keys.left.reason}: ${keys.left.detail}` });
    const remote = this.ice.nominated;
    if (remote === undefined) return E.left({ stage: 'ice', detail: 'DTLS finished before ICE nominated a pair' });
    this.secured = remote;
    const path = { remote, srtp: srtpOf(keys.right) };
    this.path = { ufrag: params.remoteIce.ufrag, path };
    return E.right(path);
  }

  private onDatagram(bytes: Uint8Array, source: RtpAddress): void {
    const first = bytes[0] ?? 0xff;
    if (first < 4) return this.onStun(bytes, source);
    if (first >= 20 && first <= 63) {
      if (this.association !== undefined) this.association.receive(bytes);
      else if (this.early.length < MAX_EARLY_RECORDS) this.early.push(bytes.slice());
      return;
    }
    const from = this.secured;
    if (first < 128 || first > 191 || from === undefined || from.host !== source.host || from.port !== source.port) {
      this.dropped++;
      return;
    }
    // RFC 5761 §4: payload types 64–95 with the marker bit are RTCP packet types 192–223.
    const second = bytes[1] ?? 0;
    if (second >= 192 && second <= 223) this.rtcpHandler(bytes, source);
    else this.rtpHandler(bytes, source);
  }

  private onStun(bytes: Uint8Array, source: RtpAddress): void {
    const outcome = this.ice.check(bytes, source);
    if (outcome.reply !== undefined) this.base.sendRtp(outcome.reply, source);
    if (outcome.nominated === undefined) return;
    // The peer moved to another pair (a network change): media follows it once secured.
    if (this.secured !== undefined) this.secured = outcome.nominated;
    this.nominatedWaiter?.(outcome.nominated);
    this.nominatedWaiter = undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) this.clock.cancel(this.timer);
    this.association?.close();
    this.early = [];
    await this.base.close();
  }
}

const srtpOf = (keys: DtlsSrtpKeys): SrtpParameters => ({ suite: keys.suite, send: keys.local, receive: keys.remote });
