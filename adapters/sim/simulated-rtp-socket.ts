import * as E from 'fp-ts/lib/Either.js';
import type {
  RtpAddress, RtpPacketHandler, RtpSocket, RtpSocketError, RtpSocketFactory,
} from '../../ports/rtp-socket.js';
import { describeRtp } from './sim-trace.js';
import type { SimDatagramSocket, SimulatedNetwork } from './simulated-network.js';

/** RTP/RTCP port pairs from a range on one simulated host; same rules as the UDP factory. */
export class SimulatedRtpSocketFactory implements RtpSocketFactory {
  private readonly inUse = new Set<number>();

  constructor(
    private readonly network: SimulatedNetwork, private readonly host: string,
    private readonly portMin: number, private readonly portMax: number,
  ) {}

  openCount(): number {
    return this.inUse.size;
  }

  open(): Promise<E.Either<RtpSocketError, RtpSocket>> {
    const first = this.portMin % 2 === 0 ? this.portMin : this.portMin + 1;
    for (let port = first; port + 1 <= this.portMax; port += 2) {
      if (this.inUse.has(port)) continue;
      const socket = new SimulatedRtpSocket(this.network, this.host, port, () => this.inUse.delete(port));
      if (!socket.bound) continue;
      this.inUse.add(port);
      return Promise.resolve(E.right(socket));
    }
    return Promise.resolve(
      E.left({
        kind: 'ResourceExhausted', detail: `no free RTP port pair in ${this.portMin}-${this.portMax} on ${this.host}`,
      }),
    );
  }
}

class SimulatedRtpSocket implements RtpSocket {
  readonly rtcpPort: number;
  readonly bound: boolean;
  private rtpHandler: RtpPacketHandler | undefined;
  private rtcpHandler: RtpPacketHandler | undefined;
  private readonly rtp: SimDatagramSocket | undefined;
  private readonly rtcp: SimDatagramSocket | undefined;
  private closed = false;

  constructor(
    network: SimulatedNetwork, readonly host: string, readonly rtpPort: number, private readonly release: () => void,
  ) {
    this.rtcpPort = rtpPort + 1;
    const rtp = network.bindDatagram(host, rtpPort, (bytes, source) => this.rtpHandler?.(bytes, source), describeRtp);
    const rtcp = E.isRight(rtp)
      ? network.bindDatagram(host, rtpPort + 1, (bytes, source) => this.rtcpHandler?.(bytes, source), () => 'rtcp')
      : undefined;
    this.bound = E.isRight(rtp) && rtcp !== undefined && E.isRight(rtcp);
    if (!this.bound && E.isRight(rtp)) rtp.right.close();
    this.rtp = this.bound && E.isRight(rtp) ? rtp.right : undefined;
    this.rtcp = this.bound && rtcp !== undefined && E.isRight(rtcp) ? rtcp.right : undefined;
  }

  onRtp(handler: RtpPacketHandler): void {
    this.rtpHandler = handler;
  }

  onRtcp(handler: RtpPacketHandler): void {
    this.rtcpHandler = handler;
  }

  sendRtp(bytes: Uint8Array, target: RtpAddress): void {
    if (!this.closed) this.rtp?.send(bytes, target);
  }

  sendRtcp(bytes: Uint8Array, target: RtpAddress): void {
    if (!this.closed) this.rtcp?.send(bytes, target);
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.rtp?.close();
      this.rtcp?.close();
      this.release();
    }
    return Promise.resolve();
  }
}
