/**
 * A browser's WebRTC stack in Node, for tests: werift's RTCPeerConnection (full ICE, DTLS-SRTP) behind a
 * SIP.js session description handler — exactly the part a browser's SIP.js drives — with G.711 audio we
 * write (a tone) and read (to measure what is heard). Loopback only.
 */
import {
  MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket,
} from 'werift';
import type { SessionDescriptionHandler } from 'sip.js';
import { decodeG711, encodeG711 } from '../../domain/media/g711.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';

export interface WebRtcPeerOptions {
  /** Tone we send, Hz (default 1000). */
  readonly toneHz?: number;
  /** Rewrites our SDP before it is sent (a wrong fingerprint, …). */
  readonly mangle?: (sdp: string) => string;
}

/** One WebRTC call leg: the peer connection, the audio it heard, the state of its transports. */
export class WebRtcPeer implements SessionDescriptionHandler {
  readonly pc: RTCPeerConnection;
  readonly heard: Int16Array[] = [];
  private readonly track = new MediaStreamTrack({ kind: 'audio' });
  private timer: NodeJS.Timeout | undefined;
  private sequence = 1;
  private timestamp = 0;
  private phase = 0;
  readonly dtmf: number[] = [];

  constructor(private readonly options: WebRtcPeerOptions = {}) {
    this.pc = new RTCPeerConnection({
      codecs: { audio: [
        new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 }),
        new RTCRtpCodecParameters({ mimeType: 'audio/telephone-event', clockRate: 8000, channels: 1,
          payloadType: 101 }),
      ] },
      iceInterfaceAddresses: { udp4: '127.0.0.1' }, iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false,
    });
    const transceiver = this.pc.addTransceiver(this.track, { direction: 'sendrecv' });
    transceiver.onTrack.subscribe((remote) => {
      remote.onReceiveRtp.subscribe((rtp) => {
        if (rtp.header.payloadType === 101) return void this.dtmf.push(rtp.payload[0] ?? -1);
        this.heard.push(decodeG711('PCMU', new Uint8Array(rtp.payload)));
      });
    });
  }

  /** The frequency of what was heard over the last `frames` frames (20 ms each). */
  dominantHeard(frames = 25): number | undefined {
    const recent = this.heard.slice(-frames);
    if (recent.length < frames) return undefined;
    const samples = new Int16Array(recent.length * 160);
    recent.forEach((f, i) => samples.set(f, i * 160));
    return dominantFrequency(samples, [300, 440, 600, 1000, 1400]).frequencyHz;
  }

  /** Starts sending the tone every 20 ms (once connected). */
  private startTone(): void {
    if (this.timer !== undefined) return;
    const hz = this.options.toneHz ?? 1000;
    this.timer = setInterval(() => {
      const pcm = new Int16Array(160);
      for (let i = 0; i < 160; i++) pcm[i] = Math.round(8000 * Math.sin(this.phase += (2 * Math.PI * hz) / 8000));
      const header = new RtpHeader({
        payloadType: 0, sequenceNumber: this.sequence++ & 0xffff, timestamp: (this.timestamp += 160) >>> 0,
        ssrc: 0x1234, marker: false,
      });
      this.track.writeRtp(new RtpPacket(header, Buffer.from(encodeG711('PCMU', pcm))));
    }, 20);
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    void this.pc.close();
  }

  async getDescription(): Promise<{ body: string; contentType: string }> {
    const description = this.pc.signalingState === 'have-remote-offer'
      ? await this.pc.createAnswer() : await this.pc.createOffer();
    await this.pc.setLocalDescription(description);
    await this.gathered();
    const sdp = this.pc.localDescription?.sdp ?? '';
    return { body: this.options.mangle?.(sdp) ?? sdp, contentType: 'application/sdp' };
  }

  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp';
  }

  async setDescription(sdp: string): Promise<void> {
    const type = this.pc.signalingState === 'have-local-offer' ? 'answer' : 'offer';
    await this.pc.setRemoteDescription({ type, sdp });
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') this.startTone();
    });
  }

  sendDtmf(): boolean {
    return false;
  }

  private gathered(): Promise<void> {
    if (this.pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => this.pc.iceGatheringStateChange.subscribe((state) => {
      if (state === 'complete') resolve();
    }));
  }
}
