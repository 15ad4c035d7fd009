import type { SipMessage } from '../../domain/sip/message.js';
import { formatUri } from '../../domain/sip/format-uri.js';
import { headerValue } from '../../domain/sip/message.js';
import type { Endpoint, TransportProtocol } from '../../domain/transport/endpoint.js';
import type { Clock } from '../../ports/clock.js';
import type { InboundHandler, SipTransport, TransportCounters } from '../../ports/sip-transport.js';
import type * as E from 'fp-ts/lib/Either.js';
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
}

export const summarize = (message: SipMessage): string =>
  message.kind === 'request' ? `${message.method} ${formatUri(message.uri)}` : `${message.status} ${message.reason}`;

/** A SipTransport that reports every message sent and received, then delegates. */
export class TracingTransport implements SipTransport {
  readonly protocols: ReadonlyArray<TransportProtocol>;

  constructor(private readonly inner: SipTransport, private readonly clock: Clock, private readonly record: (entry: SipTraceEntry) => void) {
    this.protocols = inner.protocols;
  }

  localEndpoint(protocol: TransportProtocol): Endpoint | undefined {
    return this.inner.localEndpoint(protocol);
  }

  onMessage(handler: InboundHandler): void {
    this.inner.onMessage((inbound) => {
      this.record({ atMs: this.clock.nowMs(), direction: 'in', local: `${inbound.local.host}:${inbound.local.port}`, remote: `${inbound.source.host}:${inbound.source.port}`, summary: summarize(inbound.message), callId: headerValue(inbound.message, 'Call-ID'), bodyLength: inbound.message.body.length });
      handler(inbound);
    });
  }

  async send(message: SipMessage, target: Endpoint, connectionId?: number): Promise<E.Either<TransportError, Endpoint>> {
    const local = this.inner.localEndpoint(target.protocol);
    this.record({ atMs: this.clock.nowMs(), direction: 'out', local: `${local?.host}:${local?.port}`, remote: `${target.host}:${target.port}`, summary: summarize(message), callId: headerValue(message, 'Call-ID'), bodyLength: message.body.length });
    return this.inner.send(message, target, connectionId);
  }

  sendBytes(bytes: Uint8Array, target: Endpoint, connectionId?: number): Promise<E.Either<TransportError, Endpoint>> {
    return this.inner.sendBytes(bytes, target, connectionId);
  }

  counters(): TransportCounters {
    return this.inner.counters();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface LadderParty {
  readonly label: string;
  /** "host:port" as the transport reports it. */
  readonly address: string;
}

/** A text ladder of the messages `left` sent to `right` and back, one line per message. */
export const ladder = (entries: ReadonlyArray<SipTraceEntry>, left: LadderParty, right: LadderParty, width = 56): string => {
  const lines = [`${' '.repeat(10)}${left.label.padEnd(width / 2)}${right.label.padStart(width / 2)}`];
  for (const e of entries) {
    if (e.direction !== 'out') continue;
    const fromLeft = e.local === left.address;
    if (!fromLeft && e.local !== right.address) continue;
    const label = ` ${e.summary.length > width - 8 ? `${e.summary.slice(0, width - 11)}...` : e.summary} `;
    const dashes = Math.max(0, width - 2 - label.length);
    const body = `${'-'.repeat(Math.floor(dashes / 2))}${label}${'-'.repeat(Math.ceil(dashes / 2))}`;
    lines.push(`${(e.atMs / 1000).toFixed(3).padStart(8)}s ${fromLeft ? `|${body}>|` : `|<${body}|`}`);
  }
  return lines.join('\n');
};
