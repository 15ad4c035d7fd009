import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import { decodeNg, encodeNg, type NgCommand, type NgReply, type RelayCall } from '../../domain/media-relay/ng.js';
import type { MediaRelay, MediaRelayError } from '../../ports/media-relay.js';

export interface RtpengineOptions {
  readonly host: string;
  readonly port: number;
  /** How long one attempt waits for its reply (default 1000 ms); rtpengine answers a resent cookie from cache. */
  readonly attemptTimeoutMs?: number;
  /** Attempts per command (default 3). */
  readonly attempts?: number;
  /** Commands awaiting replies at most; more are refused at once rather than queued (default 10,000). */
  readonly maxPending?: number;
}

interface Pending {
  readonly datagram: Buffer;
  readonly resolve: (reply: E.Either<MediaRelayError, NgReply>) => void;
  attemptsLeft: number;
  timer: NodeJS.Timeout | undefined;
}

/** `rtpengine:host:port` or `host:port` (IPv6 in brackets), as the flags and the builder take it. */
export const parseRtpengineSpec = (spec: string): RtpengineOptions | undefined => {
  const match = /^(?:rtpengine:)?(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(spec.trim());
  if (match === null) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
};

/**
 * The MediaRelay port on rtpengine's ng control protocol (bencode over UDP): one socket, a cookie per command,
 * resent after each attempt's timeout, an `error` reply a Refused, silence an Unreachable. Replies that match
 * no command (late, foreign, malformed) are dropped and counted.
 */
export class RtpengineRelay implements MediaRelay {
  private readonly waiting = new Map<string, Pending>();
  private readonly prefix = randomBytes(6).toString('hex');
  private sequence = 0;
  private closed = false;
  /** Replies that matched nothing or did not parse. */
  dropped = 0;

  private constructor(private readonly socket: dgram.Socket, private readonly options: Required<RtpengineOptions>) {
    socket.on('message', (bytes) => this.received(bytes));
    // A refused port (ICMP) shows as an error on the socket: the commands in flight run on to their timeouts.
    socket.on('error', () => undefined);
  }

  static async open(options: RtpengineOptions): Promise<RtpengineRelay> {
    const socket = dgram.createSocket(isIP(options.host) === 6 ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.unref();
    return new RtpengineRelay(socket, {
      attemptTimeoutMs: 1_000, attempts: 3, maxPending: 10_000, ...options,
    });
  }

  get pending(): number {
    return this.waiting.size;
  }

  async offer(call: RelayCall, sdp: string): Promise<E.Either<MediaRelayError, string>> {
    return this.withSdp(await this.command({ command: 'offer', call, sdp }));
  }

  async answer(call: RelayCall, sdp: string): Promise<E.Either<MediaRelayError, string>> {
    return this.withSdp(await this.command({ command: 'answer', call, sdp }));
  }

  async delete(call: RelayCall): Promise<E.Either<MediaRelayError, void>> {
    const reply = await this.command({ command: 'delete', call });
    if (E.isLeft(reply)) return reply;
    // A call rtpengine no longer has (already deleted, timed out) is what a delete wants anyway.
    if (reply.right.result === 'error' && !/unknown call/i.test(reply.right.reason)) {
      return E.left({ kind: 'Refused', detail: reply.right.reason });
    }
    return E.right(undefined);
  }

  async ping(): Promise<E.Either<MediaRelayError, void>> {
    const reply = await this.command({ command: 'ping' });
    if (E.isLeft(reply)) return reply;
    return reply.right.result === 'pong' ? E.right(undefined) : E.left({ kind: 'Refused', detail: 'no pong' });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pending of this.waiting.values()) {
      if (pending.timer !== undefined) clearTimeout(pending.timer);
      pending.resolve(E.left({ kind: 'Unreachable', detail: 'the relay client was closed' }));
    }
    this.waiting.clear();
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private withSdp(reply: E.Either<MediaRelayError, NgReply>): E.Either<MediaRelayError, string> {
    if (E.isLeft(reply)) return reply;
    const r = reply.right;
    if (r.result === 'error') return E.left({ kind: 'Refused', detail: r.reason });
    if (r.result !== 'ok' || r.sdp === undefined) return E.left({ kind: 'Refused', detail: 'the reply had no SDP' });
    return E.right(r.sdp);
  }

  private command(command: NgCommand): Promise<E.Either<MediaRelayError, NgReply>> {
    if (this.closed) return Promise.resolve(E.left({ kind: 'Unreachable', detail: 'the relay client is closed' }));
    if (this.waiting.size >= this.options.maxPending) {
      return Promise.resolve(E.left({ kind: 'Unreachable', detail: `${this.waiting.size} commands already waiting` }));
    }
    const cookie = `${this.prefix}_${(this.sequence++).toString(36)}`;
    return new Promise((resolve) => {
      const pending: Pending = {
        datagram: Buffer.from(encodeNg(cookie, command)), resolve, attemptsLeft: this.options.attempts,
        timer: undefined,
      };
      this.waiting.set(cookie, pending);
      this.attempt(cookie, pending);
    });
  }

  private attempt(cookie: string, pending: Pending): void {
    if (pending.attemptsLeft === 0) {
      this.waiting.delete(cookie);
      const total = this.options.attempts * this.options.attemptTimeoutMs;
      const where = `${this.options.host}:${this.options.port}`;
      pending.resolve(E.left({ kind: 'Unreachable', detail: `no reply from rtpengine at ${where} in ${total} ms` }));
      return;
    }
    pending.attemptsLeft--;
    this.socket.send(pending.datagram, this.options.port, this.options.host);
    pending.timer = setTimeout(() => this.attempt(cookie, pending), this.options.attemptTimeoutMs);
  }

  private received(bytes: Buffer): void {
    const decoded = decodeNg(bytes);
    const pending = E.isRight(decoded) ? this.waiting.get(decoded.right.cookie) : undefined;
    if (E.isLeft(decoded) || pending === undefined) {
      this.dropped++;
      return;
    }
    this.waiting.delete(decoded.right.cookie);
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    pending.resolve(E.right(decoded.right.reply));
  }
}
