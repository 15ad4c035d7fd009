import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import * as E from 'fp-ts/lib/Either.js';
import type {
  RtpAddress, RtpPacketHandler, RtpSocket, RtpSocketError, RtpSocketFactory,
} from '../../ports/rtp-socket.js';

export interface RtpPortRange {
  readonly host: string;
  /** First port of the range (rounded up to even). */
  readonly portMin: number;
  /** Last port of the range, inclusive (an RTCP port must fit too). */
  readonly portMax: number;
}

const bind = (host: string, port: number): Promise<Socket | undefined> => {
  const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
  return new Promise((resolve) => {
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
};

/**
 * RTP/RTCP port pairs from a range: RTP even, RTCP = RTP + 1 (RFC 3550 §11).
 * A pair is never handed out twice while open; ports taken by other processes
 * are skipped; an exhausted range is a ResourceExhausted error.
 */
export class UdpRtpSocketFactory implements RtpSocketFactory {
  private readonly inUse = new Set<number>();
  private cursor: number;

  constructor(private readonly range: RtpPortRange) {
    this.cursor = this.firstPort();
  }

  openCount(): number {
    return this.inUse.size;
  }

  async open(): Promise<E.Either<RtpSocketError, RtpSocket>> {
    const first = this.firstPort();
    const pairs = Math.floor((this.range.portMax - first + 1) / 2);
    for (let i = 0; i < pairs; i++) {
      const rtpPort = this.cursor;
      this.cursor = rtpPort + 2 > this.range.portMax - 1 ? first : rtpPort + 2;
      if (this.inUse.has(rtpPort)) continue;
      this.inUse.add(rtpPort);
      const rtp = await bind(this.range.host, rtpPort);
      const rtcp = rtp === undefined ? undefined : await bind(this.range.host, rtpPort + 1);
      if (rtp !== undefined && rtcp !== undefined) {
        return E.right(new UdpRtpSocket(this.range.host, rtpPort, rtp, rtcp, () => this.inUse.delete(rtpPort)));
      }
      rtp?.close();
      this.inUse.delete(rtpPort);
    }
    return E.left({
      kind: 'ResourceExhausted', detail: `no free RTP port pair in ${this.range.portMin}-${this.range.portMax}`,
    });
  }

  private firstPort(): number {
    return this.range.portMin % 2 === 0 ? this.range.portMin : this.range.portMin + 1;
  }
}

/** A connected peer that has sent nothing for this long is let go: its packets may come from elsewhere now. */
const CONNECTED_SILENCE_MS = 1_000;

/**
 * One session's RTP and RTCP sockets. Once the peer's RTP is seen coming from exactly where we send ours
 * (symmetric RTP, proven), the RTP socket is connected to it: the kernel keeps the route, and Node sends
 * without resolving an address each time. A connected socket only hears that peer, so it is disconnected
 * as soon as we send elsewhere (a re-INVITE) or the peer falls silent, and unconnected sends resume.
 */
class UdpRtpSocket implements RtpSocket {
  readonly rtcpPort: number;
  private closed = false;
  private sendErrors = 0;
  /** The peer the RTP socket is connected (or connecting) to. */
  private peer: { readonly host: string; readonly port: number; ready: boolean } | undefined;
  private lastSource: { host: string; port: number } | undefined;
  private lastHeardMs = 0;

  constructor(
    readonly host: string, readonly rtpPort: number, private readonly rtp: Socket, private readonly rtcp: Socket,
    private readonly release: () => void,
  ) {
    this.rtcpPort = rtpPort + 1;
    rtp.on('error', () => this.sendErrors++);
    rtcp.on('error', () => this.sendErrors++);
  }

  onRtp(handler: RtpPacketHandler): void {
    this.rtp.on('message', (msg, rinfo) => {
      this.lastHeardMs = performance.now();
      const last = this.lastSource;
      if (last === undefined || last.port !== rinfo.port || last.host !== rinfo.address) {
        this.lastSource = { host: rinfo.address, port: rinfo.port };
      }
      handler(msg, this.lastSource!);
    });
  }

  onRtcp(handler: RtpPacketHandler): void {
    this.rtcp.on('message', (msg, rinfo) => handler(msg, { host: rinfo.address, port: rinfo.port }));
  }

  // No completion callback: without one Node sends at once (uv_udp_try_send) instead of queueing a request
  // that calls back into JavaScript; a failure still reaches the 'error' listener, which counts it.
  sendRtp(bytes: Uint8Array, target: RtpAddress): void {
    if (this.closed) return;
    const peer = this.peer;
    if (peer !== undefined && peer.port === target.port && peer.host === target.host) {
      if (!peer.ready) return void this.rtp.send(bytes, target.port, target.host);
      if (performance.now() - this.lastHeardMs < CONNECTED_SILENCE_MS) return void this.rtp.send(bytes);
    }
    if (peer !== undefined) this.disconnect();
    this.rtp.send(bytes, target.port, target.host);
    const source = this.lastSource;
    const proven = source !== undefined && source.port === target.port && source.host === target.host
      && performance.now() - this.lastHeardMs < CONNECTED_SILENCE_MS;
    if (proven) this.connect(target);
  }

  sendRtcp(bytes: Uint8Array, target: RtpAddress): void {
    if (!this.closed) this.rtcp.send(bytes, target.port, target.host);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([
      new Promise<void>((r) => this.rtp.close(() => r())), new Promise<void>((r) => this.rtcp.close(() => r())),
    ]);
    this.release();
  }

  private connect(target: RtpAddress): void {
    const peer = { host: target.host, port: target.port, ready: false };
    this.peer = peer;
    this.rtp.connect(target.port, target.host, () => {
      if (this.peer === peer) peer.ready = true;
    });
  }

  private disconnect(): void {
    const peer = this.peer;
    this.peer = undefined;
    // A connect still under way cannot be undone yet: it is undone when it completes.
    if (peer?.ready === true) this.rtp.disconnect();
    else if (peer !== undefined) this.rtp.once('connect', () => this.rtp.disconnect());
  }
}
