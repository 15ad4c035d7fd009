import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SipTraceEntry } from '../shared/tracing-transport.js';
import type { SessionCoordinator } from '../../application/session/session-coordinator.js';
import type { SessionEvent } from '../../domain/session/session-event.js';

const METHODS = new Set([
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'INFO', 'UPDATE', 'REFER', 'NOTIFY', 'MESSAGE',
  'PRACK', 'SUBSCRIBE', 'PUBLISH',
]);
const statusClass = (status: number | undefined): string =>
  (status === undefined ? 'none' : `${Math.floor(status / 100)}xx`);

const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx', '6xx'];

interface Pending {
  readonly direction: 'incoming' | 'outgoing';
  readonly startedMs: number;
  established: boolean;
}

/**
 * Prometheus metrics of a coordinator, through prom-client (the exposition format, histograms and the
 * process metrics — heap, CPU, event-loop lag — done right and kept up): calls by outcome and status
 * class, setup latency, SIP messages by method and status class, live sessions, dialogs and transactions,
 * transport counters, registrations, and per ended call its RTP, loss, jitter and MOS. Label values are
 * bounded (methods outside the known set count as `other`).
 */
export class SessionMetrics {
  readonly registry = new Registry();
  private readonly pending = new Map<string, Pending>();
  private coordinator: SessionCoordinator | undefined;
  private readonly calls: Counter<'direction' | 'outcome' | 'status_class'>;
  private readonly setup: Histogram<'direction'>;
  /** Requests by method: [received, sent]; responses by status class (index = status / 100): the same. */
  private readonly requestCounts = new Map<string, [number, number]>();
  private readonly responseCounts: Array<[number, number]> = STATUS_CLASSES.map(() => [0, 0]);
  private readonly rtpPackets: Counter<'direction'>;
  private readonly rtpBytes: Counter<'direction'>;
  private readonly mos: Histogram;
  private readonly loss: Histogram;
  private readonly jitter: Histogram;

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.calls = new Counter({
      name: 'sessioncore_calls_total', help: 'Calls ended, by direction, outcome and final status class',
      labelNames: ['direction', 'outcome', 'status_class'], registers,
    });
    this.setup = new Histogram({
      name: 'sessioncore_call_setup_seconds', help: 'From a call\'s creation to its answer',
      labelNames: ['direction'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers,
    });
    // Counted in a plain map on the message path and handed to prom-client when scraped: its label hashing
    // per increment was the largest cost metrics put on a call.
    const requests = this.requestCounts;
    const responses = this.responseCounts;
    new Counter({
      name: 'sessioncore_sip_messages_total',
      help: 'SIP messages sent and received, by method (requests) or status class (responses)',
      labelNames: ['direction', 'method', 'status_class'], registers,
      collect() {
        this.reset();
        const add = (method: string, statusClass: string, [received, sent]: [number, number]): void => {
          if (received > 0) this.inc({ direction: 'in', method, status_class: statusClass }, received);
          if (sent > 0) this.inc({ direction: 'out', method, status_class: statusClass }, sent);
        };
        for (const [method, counts] of requests) add(method, 'request', counts);
        responses.forEach((counts, i) => add('response', STATUS_CLASSES[i]!, counts));
      },
    });
    this.rtpPackets = new Counter({
      name: 'sessioncore_rtp_packets_total', help: 'RTP packets of ended calls', labelNames: ['direction'], registers,
    });
    this.rtpBytes = new Counter({
      name: 'sessioncore_rtp_bytes_total', help: 'RTP payload bytes of ended calls', labelNames: ['direction'],
      registers,
    });
    this.mos = new Histogram({
      name: 'sessioncore_call_mos', help: 'Estimated MOS of each ended call with audio',
      buckets: [1, 2, 2.5, 3, 3.5, 4, 4.2, 4.4, 4.5], registers,
    });
    this.loss = new Histogram({
      name: 'sessioncore_call_loss_ratio', help: 'Packet loss of each ended call with audio',
      buckets: [0, 0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5], registers,
    });
    this.jitter = new Histogram({
      name: 'sessioncore_call_jitter_seconds', help: 'Interarrival jitter of each ended call with audio',
      buckets: [0.001, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16], registers,
    });
    // Read from the coordinator when scraped; registering them is all they need.
    const gauge = (
      name: string, help: string, read: (c: SessionCoordinator, g: Gauge) => void, labels: string[] = [],
    ): void => {
      const g: Gauge = new Gauge({
        name, help, labelNames: labels, registers,
        collect: () => {
          if (this.coordinator !== undefined) read(this.coordinator, g);
        },
      });
    };
    gauge('sessioncore_sessions_active', 'Live calls by state', (c, g) => {
      g.reset();
      for (const [state, count] of Object.entries(c.getStats().byState)) g.set({ state }, count);
    }, ['state']);
    gauge('sessioncore_dialogs_active', 'Confirmed dialogs', (c, g) => g.set(c.resources().dialogs));
    gauge('sessioncore_transactions_active', 'SIP transactions', (c, g) => g.set(c.resources().transactions));
    gauge('sessioncore_registrations', 'Our registrations at registrars',
      (c, g) => g.set(c.resources().registrations));
    gauge('sessioncore_calls_refused', 'Calls refused at a limit (503) before any session, by limit', (c, g) => {
      for (const [limit, count] of Object.entries(c.getStats().refused)) g.set({ limit }, count);
    }, ['limit']);
    gauge('sessioncore_callback_failures', 'Application callbacks that threw or rejected',
      (c, g) => g.set(c.getStats().callbackFailures));
    gauge('sessioncore_event_bus_dropped', 'Events this exporter missed (its queue was full)',
      (_c, g) => g.set(this.readDropped()));
    gauge('sessioncore_transport_messages', 'Transport counters: received, sent, 400s answered',
      (c, g) => {
        const t = c.health().transport;
        g.set({ counter: 'received' }, t.received);
        g.set({ counter: 'sent' }, t.sent);
        g.set({ counter: 'bad_requests_answered' }, t.badRequestsAnswered);
      }, ['counter']);
    gauge('sessioncore_transport_dropped', 'Inbound messages dropped, by reason', (c, g) => {
      g.reset();
      for (const [reason, count] of Object.entries(c.health().transport.dropped)) g.set({ reason }, count);
    }, ['reason']);
    gauge('sessioncore_transport_connections', 'Open stream connections',
      (c, g) => g.set(c.health().transport.openConnections));
    // With a dialog store (withDialogStore): what reached it, what failed, and the calls taken over.
    gauge('sessioncore_dialog_store', 'Dialog store: calls stored, saves, removals, write errors, pending, degraded',
      (c, g) => {
        const store = c.clusterStats()?.store;
        if (store === undefined) return;
        for (const [counter, value] of Object.entries(store)) g.set({ counter }, Number(value));
      }, ['counter']);
    gauge('sessioncore_calls_recovered', 'Dead workers\' calls: recovered, unknown to the store (481), failed',
      (c, g) => {
        const recovery = c.clusterStats()?.recovery;
        if (recovery === undefined) return;
        for (const [outcome, value] of Object.entries(recovery)) g.set({ outcome }, value);
      }, ['outcome']);
  }

  /** Follows a coordinator's events (one coordinator per SessionMetrics). */
  attach(coordinator: SessionCoordinator): this {
    this.coordinator = coordinator;
    const subscription = coordinator.events.subscribe((event) => this.observe(event), {
      types: ['SessionCreated', 'CallEstablished', 'CallEnded'],
    });
    this.readDropped = () => subscription.dropped;
    return this;
  }

  private readDropped: () => number = () => 0;

  /** Adds the /events stream's figures: clients connected, events lost to slow ones. */
  followEventStream(stream: { readonly clientCount: number; readonly dropped: number }): void {
    new Gauge({
      name: 'sessioncore_event_stream_clients', help: 'WebSocket clients of /events', registers: [this.registry],
      collect() {
        this.set(stream.clientCount);
      },
    });
    new Counter({
      name: 'sessioncore_event_stream_dropped_total', help: 'Events dropped for /events clients that read too slowly',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(stream.dropped);
      },
    });
  }

  /** For `withSipTrace`: counts every SIP message sent and received. */
  readonly sipTrace = (entry: SipTraceEntry): void => {
    const m = entry.message;
    const side = entry.direction === 'in' ? 0 : 1;
    if (m.kind === 'response') {
      const counts = this.responseCounts[Math.floor(m.status / 100)];
      if (counts !== undefined) counts[side]++;
      return;
    }
    const method = METHODS.has(m.method) ? m.method : 'other';
    let counts = this.requestCounts.get(method);
    if (counts === undefined) this.requestCounts.set(method, (counts = [0, 0]));
    counts[side]++;
  };

  /** The text exposition (what /metrics serves). */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private observe(event: SessionEvent): void {
    const now = performance.now();
    if (event.type === 'SessionCreated') {
      this.pending.set(event.sessionId, { direction: event.direction, startedMs: now, established: false });
    } else if (event.type === 'CallEstablished') {
      const call = this.pending.get(event.sessionId);
      if (call === undefined || call.established) return;
      call.established = true;
      this.setup.observe({ direction: call.direction }, (now - call.startedMs) / 1000);
    } else if (event.type === 'CallEnded') {
      const call = this.pending.get(event.sessionId);
      this.pending.delete(event.sessionId);
      // Only a call that was never answered needs its final status (and the CallInfo it costs).
      const status = call?.established === true ? 200 : this.coordinator?.getSession(event.sessionId)?.status;
      const outcome = call?.established === true ? 'answered' : event.reason === 'Cancelled' ? 'cancelled'
        : status !== undefined ? 'rejected' : 'failed';
      this.calls.inc({ direction: call?.direction ?? 'incoming', outcome, status_class: statusClass(status) });
      if (call?.established === true) this.mediaOf(event.sessionId);
    }
  }

  private mediaOf(sessionId: string): void {
    // No exception for a call without media (SDP only, or refused before any): this runs for every call.
    const stats = this.coordinator?.findMediaStatistics(sessionId);
    if (stats === undefined) return;
    this.rtpPackets.inc({ direction: 'sent' }, stats.packetsSent);
    this.rtpPackets.inc({ direction: 'received' }, stats.packetsReceived);
    this.rtpBytes.inc({ direction: 'sent' }, stats.bytesSent);
    this.rtpBytes.inc({ direction: 'received' }, stats.bytesReceived);
    if (stats.packetsReceived === 0) return;
    if (stats.mos !== undefined) this.mos.observe(stats.mos);
    this.loss.observe(stats.lossPercent / 100);
    this.jitter.observe(stats.jitterMs / 1000);
  }
}
