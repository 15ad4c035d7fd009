import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { SessionCoordinator } from '../../application/session/session-coordinator.js';
import type { Logger } from '../../ports/logger.js';
import type { CallTraces } from './call-traces.js';
import { addControlRoutes, problemOf } from './control-routes.js';
import { DASHBOARD_HTML, DASHBOARD_SCRIPT } from './dashboard-page.js';
import { eventFilter, EventSocket, type EventSocketOptions } from './event-socket.js';
import { HttpProblem, HttpRouter, readJsonBody, type Reply } from './http-router.js';
import { openApiDocument } from './openapi.js';
import type { SessionMetrics } from './session-metrics.js';

export interface HttpServerOptions {
  readonly host: string;
  /** 0 picks a free port (see `port` on the result). */
  readonly port: number;
  /** Required on anything but a loopback address: requests must carry `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Serves /metrics when given (attached to the coordinator by the caller). */
  readonly metrics?: SessionMetrics;
  /** Calls' SIP messages for their ladders (GET /calls/{id}/trace), when given. */
  readonly traces?: CallTraces;
  /** Where the control API's `play` and `record` read and write files; without it they answer 403. */
  readonly mediaDirectory?: string;
  readonly events?: EventSocketOptions;
  /** Every answered call publishes MediaQuality this often, for the dashboard's figures (default 2 s; 0: off). */
  readonly qualityIntervalMs?: number;
  readonly logger?: Logger;
}

export interface HttpServer {
  readonly host: string;
  readonly port: number;
  /** The /events WebSocket: clients now, events lost to slow ones. */
  readonly eventStream: { readonly clientCount: number; readonly dropped: number };
  close(): Promise<void>;
}

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

/** The host of a Host or Origin value, without port or brackets. */
const hostPart = (value: string): string => {
  const authority = value.replace(/^[a-z]+:\/\//i, '');
  return /^\[([^\]]+)\]/.exec(authority)?.[1] ?? authority.split(':')[0] ?? '';
};

const sameToken = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Pages and documents anyone who can reach the port may read: they hold no data. */
const PUBLIC = new Set(['/', '/dashboard', '/dashboard.js', '/openapi.json']);

/** Every HTTP route of the server but the /events upgrade: operations, dashboard and the control API. */
export const createRouter = (
  coordinator: SessionCoordinator, options: Pick<HttpServerOptions, 'metrics' | 'traces' | 'mediaDirectory'>,
): HttpRouter => {
  const router = new HttpRouter();
  addOperationRoutes(router, coordinator, options.metrics, Date.now());
  addControlRoutes(router, coordinator, options.traces, options);
  return router;
};

/**
 * The operations and control server on node:http, with `ws` for the event stream: /metrics, /health and
 * /ready; the control API (control-routes.ts, described by /openapi.json); /events; and the dashboard.
 * A driving adapter: it calls the coordinator's public methods and follows its bus, nothing more.
 *
 * Without a token it only listens on loopback, and then only answers requests whose Host is a loopback
 * name (a web page cannot reach it through DNS rebinding); a browser request from another origin is
 * refused 403 either way.
 */
export const startHttpServer = async (
  coordinator: SessionCoordinator, options: HttpServerOptions,
): Promise<HttpServer> => {
  const token = options.token;
  if (token === undefined && !isLoopback(options.host)) throw new Error(
    `refusing to serve HTTP on ${options.host} without a token (set one, or use a loopback address)`,
  );
  const router = createRouter(coordinator, options);
  const events = new EventSocket(coordinator.events, options.events);
  options.metrics?.followEventStream(events);
  const qualityMs = options.qualityIntervalMs ?? 2_000;
  const monitoring = qualityMs <= 0 ? undefined : coordinator.events.subscribe((event) => {
    // Only calls with audio have figures; a call already gone (a quick hang-up) has nothing to watch.
    if (event.type === 'CallEstablished' && coordinator.findMediaStatistics(event.sessionId) !== undefined) {
      coordinator.startStatisticsMonitoring(event.sessionId, qualityMs);
    }
  }, { types: ['CallEstablished'] });

  /** Why a request may not be served (status and message), or undefined. */
  const refusal = (req: IncomingMessage, url: URL): HttpProblem | undefined => {
    const host = req.headers.host ?? '';
    if (token === undefined && !isLoopback(hostPart(host))) return new HttpProblem(403, 'Host is not a loopback name');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null' && hostPart(origin) !== hostPart(host)) {
      return new HttpProblem(403, 'cross-origin requests are refused');
    }
    if (token === undefined || PUBLIC.has(url.pathname)) return undefined;
    const auth = req.headers.authorization ?? '';
    // Browsers cannot set headers on a WebSocket: the event stream also takes ?access_token= (RFC 6750 §2.3).
    const given = auth.startsWith('Bearer ') ? auth.slice(7)
      : url.pathname === '/events' ? url.searchParams.get('access_token') ?? '' : '';
    return sameToken(given, token) ? undefined : new HttpProblem(401, 'a bearer token is required');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://server');
    const refused = refusal(req, url);
    if (refused !== undefined) return send(res, problemReply(refused));
    const found = router.match(req.method ?? 'GET', url.pathname);
    if (found === 405) return send(res, problemReply(new HttpProblem(405, `${req.method ?? ''} not allowed here`)));
    if (found === undefined) return send(res, problemReply(new HttpProblem(404, `no route ${url.pathname}`)));
    const body = await readJsonBody(req);
    send(res, await found.handler({ params: found.params, query: url.searchParams, body }));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      let problem: HttpProblem;
      try {
        problem = error instanceof HttpProblem ? error : problemOf(error);
      } catch {
        options.logger?.error('control API request failed', { url: req.url ?? '', error: String(error) });
        problem = new HttpProblem(500, 'internal error');
      }
      send(res, problemReply(problem));
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://server');
    let problem = refusal(req, url);
    if (problem === undefined && url.pathname !== '/events') problem = new HttpProblem(404, `no route ${url.pathname}`);
    try {
      if (problem === undefined) return events.accept(req, socket, head, eventFilter(url.searchParams));
    } catch (error) {
      problem = error instanceof HttpProblem ? error : new HttpProblem(500, 'internal error');
    }
    const text = JSON.stringify({ error: problem.message });
    socket.end(`HTTP/1.1 ${problem.status} ${problem.status === 401 ? 'Unauthorized' : 'Refused'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n`
      + `Connection: close\r\n\r\n${text}`);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.maxHeadersCount = 50;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    host: options.host, port, eventStream: events,
    close: () => new Promise<void>((resolve) => {
      events.close();
      monitoring?.unsubscribe();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
};

const problemReply = (problem: HttpProblem): Reply => ({
  status: problem.status,
  json: { error: problem.message, ...(problem.field === undefined ? {} : { field: problem.field }) },
});

const send = (res: ServerResponse, reply: Reply): void => {
  if (res.headersSent) return;
  const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
  if ('text' in reply) {
    res.writeHead(reply.status, { ...headers, 'content-type': reply.contentType }).end(reply.text);
  } else if (reply.json === undefined) {
    res.writeHead(reply.status, headers).end();
  } else {
    res.writeHead(reply.status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(reply.json));
  }
};

/** Metrics, health, readiness, the OpenAPI document and the dashboard. */
const addOperationRoutes = (
  router: HttpRouter, coordinator: SessionCoordinator, metrics: SessionMetrics | undefined, started: number,
): void => {
  if (metrics !== undefined) router.add('GET', '/metrics', async () => ({
    status: 200, text: await metrics.text(), contentType: metrics.contentType,
  }));
  router
    .add('GET', '/health', () => {
      const stats = coordinator.getStats();
      const health = coordinator.health();
      return {
        status: 200, json: {
          status: 'ok', uptimeSec: Math.round((Date.now() - started) / 1000), active: stats.active,
          total: stats.total, failed: stats.failed,
          sip: { running: health.running, received: health.transport.received, sent: health.transport.sent },
        },
      };
    })
    .add('GET', '/ready', () => {
      const running = coordinator.health().running;
      return { status: running ? 200 : 503, json: { ready: running } };
    })
    .add('GET', '/openapi.json', () => ({ status: 200, json: openApiDocument }))
    .add('GET', '/', () => ({ status: 200, text: DASHBOARD_HTML, contentType: 'text/html; charset=utf-8' }))
    .add('GET', '/dashboard', () => ({ status: 200, text: DASHBOARD_HTML, contentType: 'text/html; charset=utf-8' }))
    .add('GET', '/dashboard.js', () => ({
      status: 200, text: DASHBOARD_SCRIPT, contentType: 'text/javascript; charset=utf-8',
    }));
};
