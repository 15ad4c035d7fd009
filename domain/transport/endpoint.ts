/** Where bytes go or come from: a transport protocol, a host (IPv6 without brackets) and a port. */
export type TransportProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** Protocols that deliver in order without loss: no retransmissions, and responses use the request's connection. */
export const isReliable = (protocol: TransportProtocol): boolean => protocol !== 'udp';

/** The port a protocol's URIs and Vias default to (§19.1.2, §26.2). */
export const defaultPortOf = (protocol: TransportProtocol): number => {
  switch (protocol) {
    case 'tls': return 5061;
    // RFC 7118 §5: WebSocket URIs default to the HTTP ports.
    case 'ws': return 80;
    case 'wss': return 443;
    default: return 5060;
  }
};

/** Protocols that carry a sips URI's requests (RFC 5630, RFC 7118 §5: WSS is TLS underneath). */
export const isSecureProtocol = (protocol: TransportProtocol): boolean => protocol === 'tls' || protocol === 'wss';

/**
 * A host that names a flow, not a machine: WebSocket clients put a `.invalid` host in their Via and Contact
 * (RFC 7118 §5, RFC 6761 §6.4); they are reached only over the connection they came on, never through DNS.
 */
export const isFlowHost = (host: string): boolean => host.length > 8 && host.toLowerCase().endsWith('.invalid');

/** A target that names a WebSocket client's flow (its `.invalid` host over WS or WSS): no DNS for it. */
export const isFlowTarget = (target: Endpoint): boolean =>
  (target.protocol === 'ws' || target.protocol === 'wss') && isFlowHost(target.host);

/** The protocol a Via's transport token names, if we speak it. */
export const protocolOfVia = (transport: string): TransportProtocol | undefined => {
  switch (transport.toUpperCase()) {
    case 'UDP': return 'udp';
    case 'TCP': return 'tcp';
    case 'TLS': return 'tls';
    case 'WS': return 'ws';
    case 'WSS': return 'wss';
    default: return undefined;
  }
};

export interface Endpoint {
  readonly protocol: TransportProtocol;
  readonly host: string;
  readonly port: number;
}

export const endpoint = (protocol: TransportProtocol, host: string, port: number): Endpoint => ({
  protocol, host: stripBrackets(host), port,
});

/** `[::1]` → `::1`: sockets want bare IPv6 addresses; SIP text wants brackets. */
export const stripBrackets = (host: string): string =>
  host.length > 1 && host.charCodeAt(0) === 0x5b && host.charCodeAt(host.length - 1) === 0x5d
    ? host.slice(1, -1)
    : host;

/** The host as it must appear in SIP text: IPv6 addresses in brackets. */
export const hostForSip = (host: string): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

export const formatEndpoint = (e: Endpoint): string => `${e.protocol}:${hostForSip(e.host)}:${e.port}`;

/** A key for maps of peers: same protocol, host (case-insensitive) and port. */
export const endpointKey = (e: Endpoint): string => `${e.protocol}|${e.host.toLowerCase()}|${e.port}`;
