import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { SessionCoordinator } from '../../application/session/session-coordinator.js';
import type { SessionMetrics } from './session-metrics.js';

export interface OpsServerOptions {
  readonly host: string;
  /** 0 picks a free port (see `port` on the result). */
  readonly port: number;
  /** Required on anything but a loopback address: requests must carry `Authorization: Bearer <token>`. */
  readonly token?: string;
}

export interface OpsServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

const sameToken = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * The operations endpoint on node:http (three read-only routes need no framework): `/metrics` in
 * Prometheus' text format, `/health` (liveness, with the call counts) and `/ready` (503 while stopped or
 * stopping) as JSON. Without a token it only listens on loopback.
 */
export const startOpsServer = async (
  coordinator: SessionCoordinator, metrics: SessionMetrics, options: OpsServerOptions,
): Promise<OpsServer> => {
  if (options.token === undefined && !isLoopback(options.host)) throw new Error(
    `refusing to serve operations on ${options.host} without a token (set one, or use a loopback address)`,
  );
  const started = Date.now();
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const token = options.token;
    const auth = req.headers.authorization ?? '';
    if (token !== undefined && !(auth.startsWith('Bearer ') && sameToken(auth.slice(7), token))) {
      return json(res, 401, { error: 'a bearer token is required' });
    }
    if (req.method !== 'GET') return json(res, 405, { error: `${req.method ?? ''} not allowed` });
    const path = (req.url ?? '/').split('?')[0];
    const stats = coordinator.getStats();
    const health = coordinator.health();
    switch (path) {
      case '/metrics':
        res.writeHead(200, { 'content-type': metrics.contentType }).end(await metrics.text());
        return;
      case '/health':
        return json(res, 200, {
          status: 'ok', uptimeSec: Math.round((Date.now() - started) / 1000), active: stats.active,
          total: stats.total, failed: stats.failed,
          sip: { running: health.running, received: health.transport.received, sent: health.transport.sent },
        });
      case '/ready':
        return json(res, health.running ? 200 : 503, { ready: health.running });
      default:
        return json(res, 404, { error: `no route ${path}` });
    }
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => json(res, 500, { error: (error as Error).message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    host: options.host, port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
};
