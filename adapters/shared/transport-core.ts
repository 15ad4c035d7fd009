import * as E from 'fp-ts/lib/Either.js';
import { isLogWorthy } from '../../domain/logging/log-scale.js';
import { transportError, type TransportError } from '../../domain/transport/transport-error.js';
import type { SipMessage } from '../../domain/sip/message.js';
import { DEFAULT_PARSE_OPTIONS, type ParseOptions } from '../../domain/sip/parse-message.js';
import { serializeMessage } from '../../domain/sip/serialize-message.js';
import type { Endpoint, TransportProtocol } from '../../domain/transport/endpoint.js';
import { pushChunk, type FramerState } from '../../domain/sip/stream-framer.js';
import { receiveBytes, receiveOversized, type InboundResult } from '../../domain/transport/inbound.js';
import { stampSentBy } from '../../domain/transport/outbound.js';
import type { Logger } from '../../ports/logger.js';
import type { InboundHandler, TransportCounters } from '../../ports/sip-transport.js';

export interface TransportCoreOptions {
  readonly parse: ParseOptions;
  readonly logger?: Logger;
}

export const DEFAULT_TRANSPORT_CORE_OPTIONS: TransportCoreOptions = { parse: DEFAULT_PARSE_OPTIONS };

/** Sends bytes back to where a 400 must go (same connection first on streams). */
export type ReplySender = (bytes: Uint8Array, target: Endpoint, connectionId: number | undefined) => void;

/**
 * What every SipTransport adapter shares, whatever moves its bytes: turning
 * received bytes into messages (or 400s, or counted drops), stamping the Via of
 * outbound requests, and the counters. Adapters own sockets; this owns rules.
 */
export class TransportCore {
  private handler: InboundHandler | undefined;
  private inboundCount = 0;
  private receivedCount = 0;
  private sentCount = 0;
  private answered = 0;
  private readonly drops: Record<string, number> = {};

  constructor(
    private readonly options: TransportCoreOptions,
    private readonly reply: ReplySender,
  ) {}

  setHandler(handler: InboundHandler): void {
    this.handler = handler;
  }

  /** Bytes from the wire: one datagram, or one message cut by the stream framer. */
  receive(bytes: Uint8Array, source: Endpoint, local: Endpoint, connectionId?: number): void {
    this.inboundCount++;
    this.handle(receiveBytes(bytes, source, this.options.parse), source, local, connectionId);
  }

  /** The head of a stream message above the size limit (its body is skipped by the framer): 513 where possible. */
  receiveOversized(head: Uint8Array, source: Endpoint, local: Endpoint, connectionId: number): void {
    this.inboundCount++;
    this.handle(
      receiveOversized(head, source, `a message above ${this.options.parse.maxMessageBytes} bytes`), source, local,
      connectionId,
    );
  }

  /**
   * A chunk from a stream connection: cut into messages (and heads of
   * oversized ones, answered 513 while their bodies are skipped), each
   * handled. Returns the framer state to keep, the pongs owed, and whether
   * the stream broke framing and must be closed.
   */
  receiveStream(framer: FramerState, chunk: Uint8Array, source: Endpoint, local: Endpoint, connectionId: number):
    { readonly framer: FramerState; readonly pings: number; readonly close: boolean } {
    const result = pushChunk(framer, chunk, { maxMessageBytes: this.maxMessageBytes });
    for (const message of result.messages) this.receive(message, source, local, connectionId);
    for (const head of result.oversized) this.receiveOversized(head, source, local, connectionId);
    if (result.error !== undefined) this.drop(`Framing:${result.error.reason}`, result.error.detail, source);
    return { framer: result.state, pings: result.pings, close: result.error !== undefined };
  }

  /** The size limit shared by every transport (datagrams and streams alike). */
  get maxMessageBytes(): number {
    return this.options.parse.maxMessageBytes;
  }

  private handle(result: InboundResult, source: Endpoint, local: Endpoint, connectionId: number | undefined): void {
    switch (result.kind) {
      case 'message': {
        this.receivedCount++;
        const handler = this.handler;
        if (handler === undefined) return this.drop('NoHandler', 'no handler yet', source);
        try {
          handler(
            connectionId === undefined ? { message: result.message, source, local } : {
              message: result.message, source, local, connectionId,
            },
          );
        } catch (error) {
          // A faulty handler must not take the transport down with it.
          this.drop('HandlerError', error instanceof Error ? error.message : String(error), source);
        }
        return;
      }
      case 'reply':
        this.answered++;
        this.drop(
          result.response.status === 513 ? 'TooLarge' : 'Unparsable',
          `answered ${result.response.status}: ${result.detail}`, source,
        );
        this.reply(
          serializeMessage(result.response), result.target,
          result.target.protocol === source.protocol ? connectionId : undefined,
        );
        return;
      case 'drop':
        this.drop(result.reason, result.detail, source);
        return;
    }
  }

  /** Serialized bytes for a message about to leave on `protocol` from `local`. */
  prepare(message: SipMessage, protocol: TransportProtocol, local: Endpoint): Uint8Array {
    return serializeMessage(stampSentBy(message, protocol, local));
  }

  sent(): void {
    this.sentCount++;
  }

  /**
   * A write to a connection, capped at `maxQueued` bytes already waiting in it: Backpressure beyond (counted),
   * else the write's outcome once it completes (SendFailed counted, or sent).
   */
  capped(
    queued: number, maxQueued: number, bytes: Uint8Array, remote: Endpoint,
    write: (done: (error?: Error | null) => void) => void,
  ): Promise<E.Either<TransportError, Endpoint>> {
    if (queued + bytes.length > maxQueued) {
      this.drop('Backpressure', undefined, remote);
      const detail = `${queued} bytes already queued to ${remote.host}`;
      return Promise.resolve(E.left(transportError('Backpressure', detail)));
    }
    return new Promise((resolve) => write((error) => {
      if (error) {
        this.drop('SendFailed', error.message, remote);
        resolve(E.left(transportError('SendFailed', error.message)));
      } else {
        this.sentCount++;
        resolve(E.right(remote));
      }
    }));
  }

  /**
   * Counts a dropped packet or failed send, and logs it: the first of each
   * reason, then the 10th, 100th, 1000th… with the running count, so a flood
   * of garbage is visible without flooding the log (and a simulation logs
   * the same lines for the same seed).
   */
  drop(reason: string, detail?: string, source?: Endpoint): void {
    const count = (this.drops[reason] ?? 0) + 1;
    this.drops[reason] = count;
    const logger = this.options.logger;
    if (logger === undefined || !isLogWorthy(count)) return;
    logger.warn('transport dropped a packet', {
      reason, count, detail: detail === undefined ? undefined : detail.slice(0, 200),
      from: source === undefined ? undefined : `${source.protocol}:${source.host}:${source.port}`,
    });
  }

  counters(openConnections: number): TransportCounters {
    return {
      inbound: this.inboundCount,
      received: this.receivedCount,
      sent: this.sentCount,
      badRequestsAnswered: this.answered,
      dropped: { ...this.drops },
      openConnections,
    };
  }
}

