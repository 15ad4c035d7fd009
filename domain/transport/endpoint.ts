/** Where bytes go or come from: a transport protocol, a host (IPv6 without brackets) and a port. */
export type TransportProtocol = 'udp' | 'tcp' | 'tls';

/** Protocols that deliver in order without loss: no retransmissions, and responses use the request's connection. */
export const isReliable = (protocol: TransportProtocol): boolean => protocol !== 'udp';

/** The port a protocol's URIs and Vias default to (§19.1.2, §26.2). */
export const defaultPortOf = (protocol: TransportProtocol): number => (protocol === 'tls' ? 5061 : 5060);

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
