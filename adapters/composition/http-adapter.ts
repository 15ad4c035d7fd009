import type { SessionCoordinator } from '../../application/session/session-coordinator.js';
import type { Logger } from '../../ports/logger.js';
import { CallTraces } from '../http/call-traces.js';
import type { EventSocketOptions } from '../http/event-socket.js';
import { startHttpServer, type HttpServer } from '../http/http-server.js';
import { SessionMetrics } from '../http/session-metrics.js';
import type { SipTraceEntry } from '../shared/tracing-transport.js';

/** `withHttp`: where the operations and control server listens, and how. */
export interface HttpOptions {
  readonly host: string;
  /** 0 picks a free port: see `onListening`. */
  readonly port: number;
  /** Bearer token; required on anything but a loopback address. */
  readonly token?: string;
  /** Where the control API's play and record routes read and write WAV files. */
  readonly mediaDirectory?: string;
  readonly events?: EventSocketOptions;
  /** MediaQuality events for every answered call this often (default 2 s; 0: off). */
  readonly qualityIntervalMs?: number;
  /** Told the server once it listens (its port when 0 was asked). */
  readonly onListening?: (server: HttpServer) => void;
}

/**
 * The HTTP driving adapter as the builder wires it: metrics and call traces fed by the SIP trace hook,
 * the server started once the coordinator exists and closed by its stop().
 */
export class HttpAdapter {
  readonly metrics = new SessionMetrics();
  readonly traces = new CallTraces();

  constructor(private readonly options: HttpOptions) {}

  /** The trace hook: ours, and the application's own when it set one. */
  traceHook(own: ((entry: SipTraceEntry) => void) | undefined): (entry: SipTraceEntry) => void {
    return (entry) => {
      this.metrics.sipTrace(entry);
      this.traces.record(entry);
      own?.(entry);
    };
  }

  async start(coordinator: SessionCoordinator, logger: Logger): Promise<HttpServer> {
    const { onListening, ...options } = this.options;
    const server = await startHttpServer(coordinator, {
      ...options, metrics: this.metrics.attach(coordinator), traces: this.traces, logger,
    });
    coordinator.closeOnStop(() => server.close());
    onListening?.(server);
    return server;
  }
}
