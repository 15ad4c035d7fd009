import type { SipMessage } from '../../domain/sip/message.js';
import { formatUri } from '../../domain/sip/format-uri.js';
import { headerValue } from '../../domain/sip/message.js';
import { decodeUtf8 } from '../../domain/sip/text-codec.js';
import type { Endpoint, TransportProtocol } from '../../domain/transport/endpoint.js';
import type { Clock } from '../../ports/clock.js';
import type { ClosedFlow, InboundHandler, SipTransport, TransportCounters } from '../../ports/sip-transport.js';
import * as E from 'fp-ts/lib/Either.js';
import { transactionHeaders } from '../../domain/sip/core-headers.js';
import type { TransportError } from '../../domain/transport/transport-error.js';

/** One SIP message seen on the wire, for ladder diagrams and logs. */
export interface SipTraceEntry {
  readonly atMs: number;
  readonly direction: 'in' | 'out';
  readonly local: string;
  readonly remote: string;
  readonly summary: string;
  readonly callId: string | undefined;
  /** Bytes of body (SDP, sipfrag…); 0 for none — shows where an offer or answer travelled. */
  readonly bodyLength: number;
  /**
   * The same for a message and its copies (Call-ID, CSeq, top Via branch, first line): pairs a send with its receipt.
   */
  readonly key: string;
  /** Inside a dialog (the To has a tag). */
  readonly inDialog: boolean;
  /** The audio direction of an SDP body, when it has one (hold shows as sendonly or inactive). */
  readonly sdpDirection: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' | undefined;
  /** The message itself, as handed to the transport or received from it (for logs and checks). */
  readonly message: SipMessage;
}

export const summarize = (message: SipMessage): string =>
  message.kind === 'request' ? `${message.method} ${formatUri(message.uri)}` : `${message.status} ${message.reason}`;

const DIRECTION = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m;

/**
 * What the trace keeps of a message seen going `direction` between `local` and `remote`. The fields that
 * cost a header scan or an SDP decode are worked out when first read: a metrics exporter reads none of them.
 */
class TraceEntry implements SipTraceEntry {
  private cachedSummary: string | undefined;

  constructor(
    readonly atMs: number, readonly direction: 'in' | 'out', readonly local: string, readonly remote: string,
    readonly message: SipMessage,
  ) {}

  get summary(): string {
    return (this.cachedSummary ??= summarize(this.message));
  }

  get callId(): string | undefined {
    // The transaction layer parsed it already (memoized per message): no header scan.
    const parsed = transactionHeaders(this.message);
    return E.isRight(parsed) ? parsed.right.callId : headerValue(this.message, 'Call-ID');
  }

  get bodyLength(): number {
    return this.message.body.length;
  }

  get key(): string {
    const branch = /branch=([^;,\s]+)/.exec(headerValue(this.message, 'Via') ?? '')?.[1] ?? '';
    return `${this.callId}|${headerValue(this.message, 'CSeq')}|${branch}|${this.summary}`;
  }

  get inDialog(): boolean {
    return /;\s*tag=/i.test(headerValue(this.message, 'To') ?? '');
  }

  get sdpDirection(): SipTraceEntry['sdpDirection'] {
    const m = this.message;
    const isSdp = m.body.length > 0
      && (headerValue(m, 'Content-Type') ?? '').toLowerCase().startsWith('application/sdp');
    if (!isSdp) return undefined;
    return (DIRECTION.exec(decodeUtf8(m.body))?.[1] ?? 'sendrecv') as SipTraceEntry['sdpDirection'];
  }
}

const traceEntry = (
  atMs: number, direction: 'in' | 'out', local: string, remote: string, message: SipMessage,
): SipTraceEntry => new TraceEntry(atMs, direction, local, remote, message);

/** A SipTransport that reports every message sent and received, then delegates (ladder.ts draws the reports). */
export class TracingTransport implements SipTransport {
  readonly protocols: ReadonlyArray<TransportProtocol>;

  constructor(
    private readonly inner: SipTransport, private readonly clock: Clock,
    private readonly record: (entry: SipTraceEntry) => void,
  ) {
    this.protocols = inner.protocols;
  }

  localEndpoint(protocol: TransportProtocol): Endpoint | undefined {
    return this.inner.localEndpoint(protocol);
  }

  onMessage(handler: InboundHandler): void {
    this.inner.onMessage((inbound) => {
      const { local, source, message } = inbound;
      this.record(
        traceEntry(this.clock.nowMs(), 'in', `${local.host}:${local.port}`, `${source.host}:${source.port}`, message),
      );
      handler(inbound);
    });
  }

  // Not async: the inner promise is handed back as it is, with no wrapper of its own per message.
  send(
    message: SipMessage, target: Endpoint, connectionId?: number,
  ): Promise<E.Either<TransportError, Endpoint>> {
    const local = this.inner.localEndpoint(target.protocol);
    this.record(
      traceEntry(this.clock.nowMs(), 'out', `${local?.host}:${local?.port}`, `${target.host}:${target.port}`, message),
    );
    return this.inner.send(message, target, connectionId);
  }

  sendBytes(bytes: Uint8Array, target: Endpoint, connectionId?: number): Promise<E.Either<TransportError, Endpoint>> {
    return this.inner.sendBytes(bytes, target, connectionId);
  }

  onFlowClosed(handler: (flow: ClosedFlow) => void): void {
    this.inner.onFlowClosed?.(handler);
  }

  counters(): TransportCounters {
    return this.inner.counters();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
