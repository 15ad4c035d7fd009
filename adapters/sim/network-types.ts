/** The simulated network's values: links, addresses, sockets, packets, taps. */
/** TigerBeetle-style knobs for one direction of a link between two hosts. */
export interface LinkImpairment {
  readonly oneWayDelayMinMs: number;
  /** Mean of an exponential extra delay; packets overtake each other when it is > 0. */
  readonly oneWayDelayMeanMs: number;
  readonly lossRatio: number;
  readonly duplicateRatio: number;
  /** Datagrams in flight on the link above which new ones are dropped. */
  readonly pathCapacityMax: number;
}

export const PERFECT_LINK: LinkImpairment = {
  oneWayDelayMinMs: 1, oneWayDelayMeanMs: 0, lossRatio: 0, duplicateRatio: 0, pathCapacityMax: Number.POSITIVE_INFINITY,
};

export interface SimAddress {
  readonly host: string;
  readonly port: number;
}

export type Describe = (bytes: Uint8Array) => string;

export interface SimDatagramSocket {
  readonly host: string;
  readonly port: number;
  send(bytes: Uint8Array, to: SimAddress): void;
  close(): void;
}

export interface SimStreamConnection {
  readonly id: number;
  readonly local: SimAddress;
  readonly remote: SimAddress;
  /** Queues bytes for in-order delivery; false when the connection is closed. */
  send(bytes: Uint8Array): boolean;
  onData(handler: (bytes: Uint8Array) => void): void;
  onClose(handler: () => void): void;
  close(): void;
}

export type SimNetworkError = 'PortInUse' | 'Refused' | 'Partitioned';

/** A datagram or stream chunk as the network sees it. */
export interface SimPacket {
  readonly atMs: number;
  readonly from: SimAddress;
  readonly to: SimAddress;
  readonly bytes: Uint8Array;
  readonly stream: boolean;
}

/**
 * Watches what is sent and delivered, for checkers and fault injectors: `send` may return other bytes to
 * send instead, or 'drop' (a datagram lost, a stream chunk never written).
 */
export interface NetworkTap {
  send?(packet: SimPacket): Uint8Array | 'drop' | undefined;
  deliver?(packet: SimPacket): void;
}

export interface SimulatedNetworkOptions {
  readonly seed: number;
  readonly link?: Partial<LinkImpairment>;
  /** Keep the per-datagram trace (default true); capacity benchmarks turn it off. */
  readonly trace?: boolean;
}
