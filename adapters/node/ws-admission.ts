import type { IncomingMessage } from 'node:http';

export interface WsAdmissionRules {
  /** The request path WebSocket clients must ask for (default `/`; `*` accepts any). */
  readonly path?: string;
  /** Origins allowed to open a connection (browsers send one); absent: any, or none sent. */
  readonly allowedOrigins?: ReadonlyArray<string>;
}

/** Why an upgrade is refused, as the HTTP answer that says so and the counter it goes to. */
export interface WsRefusal {
  readonly status: number;
  readonly reason: string;
  readonly counter: 'WrongPath' | 'OriginRefused' | 'WrongSubprotocol' | 'NotWebSocket';
}

/** The subprotocols a handshake offers (`Sec-WebSocket-Protocol`, comma-separated, case-sensitive). */
export const offeredSubprotocols = (request: IncomingMessage): ReadonlyArray<string> => {
  const header = request.headers['sec-websocket-protocol'];
  return header === undefined ? [] : header.split(',').map((p) => p.trim()).filter((p) => p !== '');
};

/**
 * Whether an HTTP upgrade may become a SIP WebSocket: the right path, an allowed origin, and the `sip`
 * subprotocol offered — RFC 7118 §4.1 requires it, and a server must not accept a connection without it
 * (a client that did not ask for SIP would not understand what we send).
 */
export const checkUpgrade = (request: IncomingMessage, rules: WsAdmissionRules): WsRefusal | undefined => {
  if ((request.headers.upgrade ?? '').toLowerCase() !== 'websocket') return {
    status: 400, reason: 'Bad Request', counter: 'NotWebSocket',
  };
  const path = rules.path ?? '/';
  const asked = (request.url ?? '/').split('?')[0];
  if (path !== '*' && asked !== path) return { status: 404, reason: 'Not Found', counter: 'WrongPath' };
  const origin = request.headers.origin;
  const allowed = rules.allowedOrigins;
  if (allowed !== undefined && origin !== undefined && !allowed.includes(origin)) return {
    status: 403, reason: 'Forbidden', counter: 'OriginRefused',
  };
  if (!offeredSubprotocols(request).includes('sip')) return {
    status: 400, reason: 'Bad Request', counter: 'WrongSubprotocol',
  };
  return undefined;
};

/** The raw HTTP answer that refuses an upgrade before any WebSocket exists. */
export const refusalResponse = (refusal: WsRefusal): string =>
  `HTTP/1.1 ${refusal.status} ${refusal.reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
