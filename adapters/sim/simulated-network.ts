import * as E from 'fp-ts/lib/Either.js';
import { SeededRandom } from './seeded-random.js';
import { describeSip, SimTrace } from './sim-trace.js';
import type { VirtualClock } from './virtual-clock.js';
import { ByteSlab } from '../../application/media/byte-slab.js';

import {
  PERFECT_LINK, type Describe, type LinkImpairment, type NetworkTap, type SimAddress, type SimDatagramSocket,
  type SimNetworkError, type SimStreamConnection, type SimulatedNetworkOptions,
} from './network-types.js';

export * from './network-types.js';

interface StreamEnd {
  readonly connection: SimStreamConnection;
  peer: StreamEnd | undefined;
  dataHandler: ((bytes: Uint8Array) => void) | undefined;
  closeHandlers: Array<() => void>;
  open: boolean;
  lastDeliveryAtMs: number;
  describe: Describe;
}

const addressKey = (a: SimAddress): string => `${a.host}:${a.port}`;
const FIRST_EPHEMERAL_PORT = 49152;

/**
 * Many hosts on one virtual clock, driven by one seed: per-link delay (minimum
 * plus an exponential part, so datagrams reorder), loss, duplication, a
 * capacity limit and partitions. Datagrams obey the link; streams are reliable
 * and ordered (TCP hides loss) but feel the delay, and break on a partition.
 */
export class SimulatedNetwork {
  readonly trace: SimTrace;
  readonly random: SeededRandom;
  private readonly defaults: LinkImpairment;
  private readonly links = new Map<string, LinkImpairment>();
  /** Datagrams in flight per directed link ("a>b"), for the capacity limit. */
  private readonly inFlight = new Map<string, { count: number }>();
  /** Bumped by setLink so cached routes pick up new impairments. */
  private linksVersion = 0;
  private readonly slab = new ByteSlab();
  private readonly partitions: Array<[ReadonlySet<string>, ReadonlySet<string>]> = [];
  private readonly datagramSockets = new Map<string, {
    onPacket: (bytes: Uint8Array, source: SimAddress) => void; describe: Describe; kill: () => void;
  }>();
  private readonly listeners = new Map<string, (connection: SimStreamConnection) => void>();
  private readonly streams = new Set<StreamEnd>();
  private readonly nextEphemeral = new Map<string, number>();
  private nextConnectionId = 1;
  private readonly counts: Record<string, number> = {};
  private readonly taps: NetworkTap[] = [];

  constructor(readonly clock: VirtualClock, options: SimulatedNetworkOptions) {
    this.random = new SeededRandom(options.seed);
    this.trace = new SimTrace(options.trace === false ? 0 : 1_000_000);
    this.defaults = { ...PERFECT_LINK, ...options.link };
  }

  /** Sets the impairment from one host to another (and back, unless `oneWay`). */
  setLink(from: string, to: string, impairment: Partial<LinkImpairment>, oneWay = false): void {
    this.linksVersion++;
    this.links.set(`${from}>${to}`, { ...this.linkFor(from, to), ...impairment });
    if (!oneWay) this.links.set(`${to}>${from}`, { ...this.linkFor(to, from), ...impairment });
  }

  /** Cuts every link between the two groups, both ways, until `heal`. */
  partition(groupA: ReadonlyArray<string>, groupB: ReadonlyArray<string>): void {
    this.partitions.push([new Set(groupA), new Set(groupB)]);
    this.trace.record(this.clock.nowMs(), 'partition', groupA.join(','), groupB.join(','), '');
    for (const end of [...this.streams]) {
      if (end.open && this.isPartitioned(end.connection.local.host, end.connection.remote.host)) this.reset(end);
    }
  }

  /**
   * The machine `host` dies: every socket on it is gone at once, without a word to its peers (its streams are
   * reset), and whatever its code still sends goes nowhere. Its ports are free for a process started after.
   */
  crashHost(host: string): void {
    this.trace.record(this.clock.nowMs(), 'crash', host, '*', '');
    for (const [key, socket] of [...this.datagramSockets]) {
      if (!key.startsWith(`${host}:`)) continue;
      socket.kill();
      this.datagramSockets.delete(key);
    }
    for (const key of [...this.listeners.keys()]) if (key.startsWith(`${host}:`)) this.listeners.delete(key);
    for (const end of [...this.streams]) {
      if (end.open && (end.connection.local.host === host || end.connection.remote.host === host)) this.reset(end);
    }
  }

  /** Adds a tap; it sees every later send and delivery. */
  tap(tap: NetworkTap): void {
    this.taps.push(tap);
  }

  heal(): void {
    this.partitions.length = 0;
    this.trace.record(this.clock.nowMs(), 'heal', '*', '*', '');
  }

  /**
   * Counters by event: sent, delivered, dropped:loss, dropped:partition, dropped:capacity, dropped:unbound,
   * dropped:tap, duplicated.
   */
  stats(): Readonly<Record<string, number>> {
    return { ...this.counts };
  }

  /** Bound datagram sockets plus open stream ends and listeners: 0 after a clean teardown. */
  openSockets(): number {
    return this.datagramSockets.size + this.listeners.size + [...this.streams].filter((s) => s.open).length;
  }

  bindDatagram(
    host: string, port: number, onPacket: (bytes: Uint8Array, source: SimAddress) => void,
    describe: Describe = describeSip,
  ): E.Either<SimNetworkError, SimDatagramSocket> {
    const local = {
      host, port: port === 0 ? this.ephemeralPort(host, (p) => this.datagramSockets.has(`${host}:${p}`)) : port,
    };
    const key = addressKey(local);
    if (this.datagramSockets.has(key)) return E.left('PortInUse');
    let closed = false;
    this.datagramSockets.set(key, { onPacket, describe, kill: () => void (closed = true) });
    // A socket mostly sends to one peer (RTP, a SIP trunk): remember the last route instead of rebuilding keys per
    // datagram.
    let route: Route | undefined;
    return E.right({
      host: local.host,
      port: local.port,
      send: (bytes, to) => {
        if (closed) return;
        if (route === undefined || route.to !== to || route.version !== this.linksVersion) route = this.route(
          local, to,
        );
        this.sendDatagram(route, bytes, describe);
      },
      close: () => {
        if (closed) return;
        closed = true;
        this.datagramSockets.delete(key);
      },
    });
  }

  listenStream(
    host: string, port: number, onAccept: (connection: SimStreamConnection) => void,
  ): E.Either<SimNetworkError, { readonly port: number; close(): void }> {
    const actual = port === 0 ? this.ephemeralPort(host, (p) => this.listeners.has(`${host}:${p}`)) : port;
    const key = `${host}:${actual}`;
    if (this.listeners.has(key)) return E.left('PortInUse');
    this.listeners.set(key, onAccept);
    return E.right({ port: actual, close: () => void this.listeners.delete(key) });
  }

  /** Opens a stream after one round trip, or fails (refused, partitioned) after the same. */
  connectStream(
    fromHost: string, to: SimAddress, describe: Describe = describeSip,
  ): Promise<E.Either<SimNetworkError, SimStreamConnection>> {
    const local = { host: fromHost, port: this.ephemeralPort(fromHost, () => false) };
    const roundTripMs = 2 * this.delayFor(fromHost, to.host);
    return new Promise((resolve) => {
      this.clock.schedule(roundTripMs, () => {
        if (this.isPartitioned(fromHost, to.host)) return resolve(E.left('Partitioned'));
        const accept = this.listeners.get(addressKey(to));
        if (accept === undefined) {
          this.trace.record(this.clock.nowMs(), 'refused', addressKey(local), addressKey(to), 'tcp');
          return resolve(E.left('Refused'));
        }
        const id = this.nextConnectionId++;
        const client = this.streamEnd(id, local, to, describe);
        const server = this.streamEnd(id, to, local, describe);
        client.peer = server;
        server.peer = client;
        this.trace.record(this.clock.nowMs(), 'connect', addressKey(local), addressKey(to), `tcp#${id}`);
        accept(server.connection);
        resolve(E.right(client.connection));
      });
    });
  }

  /** What sending from `from` to `to` needs, resolved once per peer: keys, link impairment, in-flight counter. */
  private route(from: SimAddress, to: SimAddress): Route {
    const linkKey = `${from.host}>${to.host}`;
    let inFlight = this.inFlight.get(linkKey);
    if (inFlight === undefined) {
      inFlight = { count: 0 };
      this.inFlight.set(linkKey, inFlight);
    }
    return {
      from, to, toKey: addressKey(to), link: this.linkFor(from.host, to.host), inFlight, version: this.linksVersion,
    };
  }

  private sendDatagram(route: Route, original: Uint8Array, describe: Describe): void {
    const { from, to, toKey, link, inFlight } = route;
    const now = this.clock.nowMs();
    const bytes = this.taps.length === 0 ? original : this.tapSend(now, from, to, original, false);
    if (bytes === undefined) return this.dropped(
      now, 'tap', from, to, this.trace.enabled ? describe(original) : '',
    );
    const summary = this.trace.enabled ? describe(bytes) : '';
    this.count('sent');
    if (this.trace.enabled) this.trace.record(now, 'send', addressKey(from), toKey, summary);
    if (this.partitions.length > 0 && this.isPartitioned(from.host, to.host)) return this.dropped(
      now, 'partition', from, to, summary,
    );
    if (this.random.nextFloat() < link.lossRatio) return this.dropped(now, 'loss', from, to, summary);
    const copies = this.random.nextFloat() < link.duplicateRatio ? 2 : 1;
    if (copies === 2) this.count('duplicated');
    for (let copy = 0; copy < copies; copy++) {
      if (inFlight.count >= link.pathCapacityMax) {
        this.dropped(now, 'capacity', from, to, summary);
        continue;
      }
      inFlight.count++;
      // A copy (the sender may reuse its buffer). Media-sized datagrams come from a slab rather than one
      // ArrayBuffer each; larger ones (SIP) get their own, since a parsed message may keep a view of its
      // body for a whole call and would pin a slab.
      const payload = bytes.length <= SLAB_DATAGRAM_MAX ? this.slab.bytes(bytes.length) : new Uint8Array(bytes.length);
      payload.set(bytes);
      this.clock.schedule(this.delayOn(link), () => {
        inFlight.count--;
        const target = this.datagramSockets.get(toKey);
        if (target === undefined) return this.dropped(this.clock.nowMs(), 'unbound', from, to, summary);
        this.count('delivered');
        if (this.trace.enabled) this.trace.record(this.clock.nowMs(), 'deliver', addressKey(from), toKey, summary);
        if (this.taps.length > 0) this.tapDeliver(from, to, payload, false);
        target.onPacket(payload, from);
      });
    }
  }

  /** The bytes to send after every tap had its say; undefined when one dropped them. */
  private tapSend(
    atMs: number, from: SimAddress, to: SimAddress, bytes: Uint8Array, stream: boolean,
  ): Uint8Array | undefined {
    let current = bytes;
    for (const tap of this.taps) {
      const verdict = tap.send?.({ atMs, from, to, bytes: current, stream });
      if (verdict === 'drop') return undefined;
      if (verdict !== undefined) current = verdict;
    }
    return current;
  }

  private tapDeliver(from: SimAddress, to: SimAddress, bytes: Uint8Array, stream: boolean): void {
    const atMs = this.clock.nowMs();
    for (const tap of this.taps) tap.deliver?.({ atMs, from, to, bytes, stream });
  }

  private dropped(atMs: number, reason: string, from: SimAddress, to: SimAddress, summary: string): void {
    this.count(`dropped:${reason}`);
    if (this.trace.enabled) this.trace.record(atMs, `drop:${reason}`, addressKey(from), addressKey(to), summary);
  }

  private streamEnd(id: number, local: SimAddress, remote: SimAddress, describe: Describe): StreamEnd {
    const end: StreamEnd = {
      connection: {
        id, local, remote,
        send: (bytes) => this.streamSend(end, bytes),
        onData: (handler) => void (end.dataHandler = handler),
        onClose: (handler) => void end.closeHandlers.push(handler),
        close: () => this.streamClose(end),
      },
      peer: undefined, dataHandler: undefined, closeHandlers: [], open: true, lastDeliveryAtMs: 0, describe,
    };
    this.streams.add(end);
    return end;
  }

  private streamSend(end: StreamEnd, original: Uint8Array): boolean {
    const peer = end.peer;
    if (!end.open || peer === undefined || !peer.open) return false;
    const { local, remote } = end.connection;
    if (this.isPartitioned(local.host, remote.host)) {
      this.reset(end);
      return false;
    }
    const now = this.clock.nowMs();
    const bytes = this.taps.length === 0 ? original : this.tapSend(now, local, remote, original, true);
    if (bytes === undefined) return true;
    // In order: never deliver before the previous chunk on this direction.
    const at = Math.max(now + this.delayFor(local.host, remote.host), end.lastDeliveryAtMs);
    end.lastDeliveryAtMs = at;
    const payload = bytes.slice();
    const summary = this.trace.enabled ? `tcp#${end.connection.id} ${end.describe(payload)}` : '';
    this.count('sent');
    this.trace.record(now, 'send', addressKey(local), addressKey(remote), summary);
    this.clock.schedule(at - now, () => {
      if (!peer.open) return;
      this.count('delivered');
      this.trace.record(this.clock.nowMs(), 'deliver', addressKey(local), addressKey(remote), summary);
      if (this.taps.length > 0) this.tapDeliver(local, remote, payload, true);
      peer.dataHandler?.(payload);
    });
    return true;
  }

  private streamClose(end: StreamEnd): void {
    if (!end.open) return;
    this.finish(end);
    const peer = end.peer;
    if (peer === undefined || !peer.open) return;
    const { local, remote } = end.connection;
    const at = Math.max(this.clock.nowMs() + this.delayFor(local.host, remote.host), end.lastDeliveryAtMs);
    this.clock.schedule(at - this.clock.nowMs(), () => this.finish(peer));
  }

  private reset(end: StreamEnd): void {
    this.trace.record(
      this.clock.nowMs(), 'reset', addressKey(end.connection.local), addressKey(end.connection.remote),
      `tcp#${end.connection.id}`,
    );
    this.finish(end);
    if (end.peer !== undefined) this.finish(end.peer);
  }

  private finish(end: StreamEnd): void {
    if (!end.open) return;
    end.open = false;
    this.streams.delete(end);
    for (const handler of end.closeHandlers) handler();
  }

  private linkFor(from: string, to: string): LinkImpairment {
    return this.links.get(`${from}>${to}`) ?? this.defaults;
  }

  private delayFor(from: string, to: string): number {
    return this.delayOn(this.linkFor(from, to));
  }

  private delayOn(link: LinkImpairment): number {
    const extra = link.oneWayDelayMeanMs > 0 ? -link.oneWayDelayMeanMs * Math.log(1 - this.random.nextFloat()) : 0;
    // Microsecond resolution keeps traces short and stable.
    return Math.round((link.oneWayDelayMinMs + extra) * 1000) / 1000;
  }

  private isPartitioned(a: string, b: string): boolean {
    return this.partitions.some(([x, y]) => (x.has(a) && y.has(b)) || (x.has(b) && y.has(a)));
  }

  private ephemeralPort(host: string, taken: (port: number) => boolean): number {
    let port = this.nextEphemeral.get(host) ?? FIRST_EPHEMERAL_PORT;
    while (taken(port)) port++;
    this.nextEphemeral.set(host, port + 1);
    return port;
  }

  private count(event: string): void {
    this.counts[event] = (this.counts[event] ?? 0) + 1;
  }
}

const SLAB_DATAGRAM_MAX = 512;

interface Route {
  readonly from: SimAddress;
  readonly to: SimAddress;
  readonly toKey: string;
  readonly link: LinkImpairment;
  readonly inFlight: { count: number };
  readonly version: number;
}
