/**
 * The media half of a browser, as light as it can be for load: one UDP socket, an ICE-controlling check
 * with USE-CANDIDATE (our STUN code), the DTLS client (werift's, as the gateway uses), then SRTP (our
 * SrtpContext) — or plain RTP, for the same-run comparison. G.711 frames go out when `tick()` is called;
 * what comes back is decrypted and counted.
 */
import dgram from 'node:dgram';
import * as E from 'fp-ts/lib/Either.js';
import { nodeSrtpPrimitives } from '../../adapters/node/node-srtp-primitives.js';
import type { WeriftDtlsEngine } from '../../adapters/node/werift-dtls.js';
import { SrtpContext } from '../../application/media/srtp-context.js';
import { bindingRequest, looksLikeStun } from '../../domain/media/stun.js';
import { createOffer, DEFAULT_CODECS } from '../../domain/sdp/offer-answer.js';
import { parseSdp } from '../../domain/sdp/parse-sdp.js';
import { serializeSdp } from '../../domain/sdp/serialize-sdp.js';
import { connectionOf } from '../../domain/sdp/session-description.js';
import { readRemoteWebRtc } from '../../domain/sdp/webrtc.js';
import { encodeUtf8 } from '../../domain/sip/text-codec.js';
import type { DtlsAssociation } from '../../ports/dtls.js';

let legs = 0;

export class WebRtcLeg {
  received = 0;
  sent = 0;
  refused = 0;
  private srtp: SrtpContext | undefined;
  private association: DtlsAssociation | undefined;
  private remote: { host: string; port: number } | undefined;
  private nominated = false;
  private sequence = 0;
  private readonly packet = new Uint8Array(12 + 160 + 10);
  private readonly ufrag: string;
  private readonly pwd: string;

  private constructor(
    private readonly socket: dgram.Socket, private readonly engine: WeriftDtlsEngine | undefined,
    private readonly ssrc: number,
  ) {
    legs++;
    this.ufrag = `leg${legs}`;
    this.pwd = `bench-password-${String(legs).padStart(8, '0')}`;
    socket.on('message', (bytes, from) => this.onDatagram(bytes, from));
    this.packet[0] = 0x80;
    this.packet.fill(0xff, 12, 172);
    this.packet.set([ssrc >>> 24, (ssrc >>> 16) & 0xff, (ssrc >>> 8) & 0xff, ssrc & 0xff], 8);
  }

  /** A leg on 127.0.0.1; WebRTC with an engine, plain RTP without. */
  static async open(engine: WeriftDtlsEngine | undefined): Promise<WebRtcLeg> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new WebRtcLeg(socket, engine, (0x10000 + legs) >>> 0);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Our offer: UDP/TLS/RTP/SAVPF with ICE and our certificate's fingerprint, or RTP/AVP. */
  offer(): string {
    const engine = this.engine;
    return serializeSdp(createOffer({
      address: '127.0.0.1', port: this.port, codecs: DEFAULT_CODECS.slice(0, 1), direction: 'sendrecv', ptimeMs: 20,
      ...(engine === undefined ? {} : { webrtc: {
        ice: { ufrag: this.ufrag, pwd: this.pwd }, fingerprint: engine.fingerprint,
        candidate: { address: '127.0.0.1', port: this.port }, stream: { ssrc: this.ssrc, cname: this.ufrag },
      } }),
    }, { username: '-', sessionId: String(this.ssrc), sessionVersion: '1' }));
  }

  /** Reads the answer; for WebRTC, checks until nominated, then the DTLS handshake: its keys key SRTP. */
  async connect(answerSdp: string): Promise<void> {
    const answer = parseSdp(answerSdp);
    if (E.isLeft(answer)) throw new Error(answer.left.detail);
    const media = answer.right.media[0]!;
    const address = connectionOf(answer.right, media)?.address ?? '127.0.0.1';
    this.remote = { host: address, port: media.port };
    const engine = this.engine;
    if (engine === undefined) return;
    const remote = readRemoteWebRtc(answer.right, media);
    if (E.isLeft(remote)) throw new Error(remote.left);
    const mac = nodeSrtpPrimitives.hmacSha1(encodeUtf8(remote.right.ice.pwd));
    const id = new Uint8Array(12);
    for (let attempt = 0; !this.nominated; attempt++) {
      if (attempt === 100) throw new Error('no answer to the ICE check');
      id[0] = attempt;
      const check = bindingRequest(id, `${remote.right.ice.ufrag}:${this.ufrag}`,
        { useCandidate: true, priority: 1853824767 }, mac);
      this.socket.send(check, this.remote.port, this.remote.host);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.association = engine.associate('client', remote.right.fingerprints, (bytes) => {
      this.socket.send(bytes, this.remote!.port, this.remote!.host);
    });
    const keys = await this.association.established;
    if (E.isLeft(keys)) throw new Error(`${keys.left.reason}: ${keys.left.detail}`);
    this.srtp = new SrtpContext(nodeSrtpPrimitives, { suite: keys.right.suite, send: keys.right.local,
      receive: keys.right.remote });
  }

  /** One 20 ms frame of µ-law silence-level audio, protected when SRTP. */
  tick(): void {
    const remote = this.remote;
    if (remote === undefined || (this.engine !== undefined && this.srtp === undefined)) return;
    this.sequence = (this.sequence + 1) & 0xffff;
    const p = this.packet;
    p[2] = this.sequence >> 8;
    p[3] = this.sequence & 0xff;
    const ts = (this.sequence * 160) >>> 0;
    p.set([ts >>> 24, (ts >>> 16) & 0xff, (ts >>> 8) & 0xff, ts & 0xff], 4);
    const length = this.srtp === undefined ? 172 : this.srtp.protectRtp(p, 172) ?? 172;
    this.socket.send(p.subarray(0, length), remote.port, remote.host);
    this.sent++;
  }

  private onDatagram(bytes: Buffer, from: dgram.RemoteInfo): void {
    const first = bytes[0] ?? 0;
    if (looksLikeStun(bytes)) {
      // A success answer to our check: the gateway nominated the pair with us.
      if (bytes[0] === 0x01 && bytes[1] === 0x01) this.nominated = true;
      return;
    }
    if (first >= 20 && first <= 63) return this.association?.receive(bytes);
    if (this.remote === undefined || from.port !== this.remote.port) return;
    // RTCP (muxed, RFC 5761): not audio.
    const type = bytes[1] ?? 0;
    if (type >= 192 && type <= 223) return;
    if (this.srtp !== undefined && this.srtp.unprotectRtp(bytes) === undefined) {
      this.refused++;
      return;
    }
    this.received++;
  }

  close(): void {
    this.association?.close();
    this.socket.close();
  }
}
