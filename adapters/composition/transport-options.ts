import * as E from 'fp-ts/lib/Either.js';
import { DEFAULT_SESSION_CONFIG, type SessionConfig } from '../../application/session/session-config.js';
import type { SessionError } from '../../domain/session/session-error.js';
import { parseUri } from '../../domain/sip/parse-uri.js';

export const invalid = (field: string, message: string): SessionError => ({
  kind: 'InvalidConfig', field, message: `${field}: ${message}`,
});

/** Plain HTTP requests on the WebSocket port (a page browsers load before they connect). */
export type WebSocketHttpHandler = (
  request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse,
) => void;

/**
 * The builder's options about where it listens and over what: addresses, ports, SIP transports, TLS and
 * WebSocket. Collected here, validated with io-ts at build().
 */
export abstract class TransportOptions {
  protected options: Record<string, unknown> = { ...DEFAULT_SESSION_CONFIG };
  protected problem: SessionError | undefined;
  protected webSocketHttp: WebSocketHttpHandler | undefined;

  /** Sets one config field; io-ts checks the values in build(), the key is checked here. */
  protected option(key: keyof SessionConfig, value: unknown): this {
    this.options[key] = value;
    return this;
  }

  withSipPort(port: number): this {
    return this.option('sipPort', port);
  }

  /** The address others reach us at: a host, or a SIP URI whose host is used. */
  withLocalAddress(address: string): this {
    if (address.startsWith('sip:') || address.startsWith('sips:')) {
      const uri = parseUri(address);
      if (E.isLeft(uri) || uri.right.kind !== 'sip') this.problem ??= invalid(
        'localAddress', `not a SIP URI: ${address}`,
      );
      else this.option('localAddress', uri.right.host.replace(/^\[|\]$/g, ''));
    } else this.option('localAddress', address);
    return this;
  }

  /**
   * "ip:port" to bind SIP to (port 0 picks a free one); the IP is also advertised unless withLocalAddress says
   * otherwise.
   */
  withLocalBindAddr(bind: string): this {
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(bind);
    if (match === null) {
      this.problem ??= invalid('localBindAddr', `expected "ip:port", got ${JSON.stringify(bind)}`);
      return this;
    }
    if (this.options['localAddress'] === DEFAULT_SESSION_CONFIG.localAddress) this.option('localAddress', match[1]);
    return this.option('bindHost', match[1]).option('sipPort', Number(match[2]));
  }

  withMediaPorts(start: number, end: number): this {
    return this.option('mediaPortStart', start).option('mediaPortEnd', end);
  }

  withTransports(transports: ReadonlyArray<string>): this {
    return this.option('transports', [...transports]);
  }

  /**
   * Caps for SIP over TCP: open connections in all (default 10,000), incoming
   * ones from one IP address (default 100), and the idle time after which a
   * connection is closed (default 5 min). Refusals are counted in the
   * transport's `dropped.ConnectionLimit`.
   */
  withConnectionLimits(
    limits: { maxConnections?: number; maxConnectionsPerAddress?: number; idleTimeoutMs?: number },
  ): this {
    return this.option('connectionLimits', { ...limits });
  }

  /**
   * SIP over TLS (RFC 3261 §26; add 'tls' to withTransports): our certificate and key, and the authorities
   * to trust instead of the system's (`ca`) — each PEM text or a file path. Peers' certificates are verified
   * (outbound: they must name the host we connect to, RFC 5922); `verifyPeer: false` opts out, for labs.
   * `requireClientCert` asks incoming connections for a certificate from `ca` (mutual TLS); `serverName`
   * overrides the name checked and sent as SNI; `port` defaults to the SIP port + 1 (5061 beside 5060).
   */
  withTls(options: {
    cert: string; key: string; ca?: string; verifyPeer?: boolean; serverName?: string; requireClientCert?: boolean;
    port?: number; handshakeTimeoutMs?: number;
  }): this {
    return this.option('tls', { ...options });
  }

  /**
   * WebRTC media for browsers' calls: a UDP/TLS/RTP/SAVPF offer is answered as an ICE-lite agent with
   * DTLS-SRTP (our certificate made at build), and calls placed to WS/WSS contacts offer it. ICE and DTLS
   * must complete within `connectTimeoutMs` (default 10 s) or the call ends with a MediaError.
   */
  withWebRtc(options: { connectTimeoutMs?: number } = {}): this {
    return this.option('webrtc', { ...options });
  }

  /**
   * SIP over WebSocket (RFC 7118; add 'ws' or 'wss' to withTransports): WSS uses withTls's certificate.
   * `port` (WS) and `securePort` (WSS) default to the SIP port when the transport is alone, else the SIP
   * port + 2 and + 3 (ephemeral when the SIP port is 0); `path` clients must ask for (default `/`);
   * `allowedOrigins` browsers may connect from (default any); `pingIntervalMs` between keep-alive pings
   * (default 30 s; a peer that misses one is dropped); `httpHandler` serves plain HTTP on the same port.
   */
  withWebSocket(options: {
    port?: number; securePort?: number; path?: string; allowedOrigins?: ReadonlyArray<string>;
    pingIntervalMs?: number; maxQueuedBytes?: number; httpHandler?: WebSocketHttpHandler;
  }): this {
    const { httpHandler, allowedOrigins, ...rest } = options;
    this.webSocketHttp = httpHandler;
    return this.option('websocket', {
      ...rest, ...(allowedOrigins === undefined ? {} : { allowedOrigins: [...allowedOrigins] }),
    });
  }
}
