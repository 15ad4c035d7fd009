import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventBus, EventFilter, Subscription } from '../../application/session/event-bus.js';
import type { SessionEvent, SessionEventType } from '../../domain/session/session-event.js';
import { HttpProblem } from './http-router.js';

/** Every event type, so a filter naming an unknown one is refused rather than silently matching nothing. */
const EVENT_TYPES: Readonly<Record<SessionEventType, true>> = {
  SessionCreated: true, StateChanged: true, IncomingCall: true, CallEstablished: true, CallRecovered: true,
  CallEnded: true,
  DtmfReceived: true, MediaQuality: true, HoldChanged: true, EarlyMedia: true, TransferProgress: true,
  RegistrationChanged: true, Error: true, RegistrationAdded: true, RegistrationRefreshed: true,
  RegistrationRemoved: true, RegistrationExpired: true, MessageReceived: true, SubscriptionNotified: true,
  SubscriptionTerminated: true, SubscriptionRequested: true,
};

export const isEventType = (name: string): name is SessionEventType => Object.hasOwn(EVENT_TYPES, name);

export interface EventSocketOptions {
  /** Events queued per client while its socket is full; the oldest go beyond (default 1,024). */
  readonly queue?: number;
  /** Bytes written to a client's socket but not yet taken by it, above which events queue (default 256 KiB). */
  readonly highWaterBytes?: number;
  /** Clients at once; more are refused 503 (default 64). */
  readonly maxClients?: number;
  /** Ping interval; a client that missed the last pong is closed (default 30 s). */
  readonly pingIntervalMs?: number;
}

/** The filter in `?session=…&type=A,B&user=…`, or a 400 naming the bad parameter. */
export const eventFilter = (query: URLSearchParams): EventFilter => {
  const types = query.get('type')?.split(',').filter((type) => type !== '');
  const unknown = types?.find((type) => !isEventType(type));
  if (unknown !== undefined) throw new HttpProblem(400, `type: no event type ${JSON.stringify(unknown)}`, 'type');
  const session = query.get('session');
  const user = query.get('user');
  return {
    ...(session === null ? {} : { sessionId: session }),
    ...(types === undefined || types.length === 0 ? {} : { types: types as SessionEventType[] }),
    ...(user === null ? {} : { user }),
  };
};

interface Client {
  readonly socket: WebSocket;
  subscription: Subscription | undefined;
  alive: boolean;
  /** Envelopes for the next message, and their size. */
  pending: string[];
  pendingBytes: number;
  /** While the socket is full: resolves once the batch in flight is written out, releasing the bus. */
  written: Promise<void> | undefined;
  release: (() => void) | undefined;
}

/**
 * The bus streamed over WebSocket (`ws`). Each message carries the events of one turn of the event loop as
 * newline-separated JSON envelopes `{ seq, at, dropped, event }` (one write per turn, not per event, keeps a
 * busy server's cost down); `dropped` counts the events this client lost so far. A client that reads slowly
 * first fills its socket up to the high-water mark, then the bus queue of `queue` events; beyond that the
 * oldest are dropped and counted. Memory per client is bounded whatever it does.
 */
export class EventSocket {
  private readonly server: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly queue: number;
  private readonly highWater: number;
  private readonly maxClients: number;
  private readonly pinger: NodeJS.Timeout;
  private seq = 0;
  /** Events dropped for clients that have since left. */
  private droppedGone = 0;

  constructor(private readonly events: EventBus, options: EventSocketOptions = {}) {
    this.queue = options.queue ?? 1_024;
    this.highWater = options.highWaterBytes ?? 256 * 1024;
    this.maxClients = options.maxClients ?? 64;
    // Clients send nothing but control frames: a small limit turns a flood of data into a close (1009).
    this.server = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024, perMessageDeflate: false });
    this.pinger = setInterval(() => this.ping(), options.pingIntervalMs ?? 30_000);
    this.pinger.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Events lost to slow clients, those connected now and those gone. */
  get dropped(): number {
    let total = this.droppedGone;
    for (const client of this.clients) total += client.subscription?.dropped ?? 0;
    return total;
  }

  /** Takes over an upgrade request whose authentication and filter were checked. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, filter: EventFilter): void {
    if (this.clients.size >= this.maxClients) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.server.handleUpgrade(req, socket, head, (ws) => this.attach(ws, filter));
  }

  private attach(socket: WebSocket, filter: EventFilter): void {
    const client: Client = {
      socket, subscription: undefined, alive: true, pending: [], pendingBytes: 0, written: undefined,
      release: undefined,
    };
    const subscription = this.events.subscribe((event) => this.send(client, event), filter, this.queue);
    client.subscription = subscription;
    this.clients.add(client);
    socket.on('pong', () => (client.alive = true));
    // Clients have nothing to say: a message is ignored, an error ends the connection (ws closes it).
    socket.on('error', () => socket.terminate());
    socket.on('close', () => {
      this.droppedGone += subscription.dropped;
      subscription.unsubscribe();
      this.clients.delete(client);
      client.release?.();
    });
  }

  private send(client: Client, event: SessionEvent): Promise<void> | undefined {
    const socket = client.socket;
    if (socket.readyState !== socket.OPEN) return undefined;
    const data = JSON.stringify({ seq: ++this.seq, at: Date.now(), dropped: client.subscription?.dropped ?? 0, event });
    if (client.pending.length === 0) setImmediate(() => this.flush(client));
    client.pending.push(data);
    client.pendingBytes += data.length;
    if (socket.bufferedAmount + client.pendingBytes < this.highWater) return undefined;
    // Full: the bus holds this client's next events (up to its queue) until this batch is written out.
    client.written ??= new Promise((resolve) => (client.release = resolve));
    return client.written;
  }

  private flush(client: Client): void {
    const batch = client.pending.join('\n');
    const release = client.release;
    client.pending = [];
    client.pendingBytes = 0;
    client.written = undefined;
    client.release = undefined;
    if (client.socket.readyState !== client.socket.OPEN) return release?.();
    // The callback comes once the batch is handed to the kernel (or the socket failed): the bus may go on.
    client.socket.send(batch, () => release?.());
  }

  private ping(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }

  /** Closes every client (1001, going away) and stops the pings. */
  close(): void {
    clearInterval(this.pinger);
    for (const client of this.clients) client.socket.close(1001, 'server stopping');
    for (const client of this.clients) client.socket.terminate();
    this.server.close();
  }
}
