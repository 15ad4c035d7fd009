import { readFileSync } from 'node:fs';
import {
  SessionMetrics, startOpsServer, type OpsServer, type SessionCoordinator, type SessionManagerBuilder,
} from '../../adapters/composition/index.js';
import { usageError } from './command-line.js';

export const OPS_HELP = `  --http HOST:PORT     serve /metrics (Prometheus), /health and /ready there
                       (a non-loopback address needs a token)
  --http-token-file F  bearer token for --http, read from F (or set SESSION_CORE_HTTP_TOKEN)`;

export const OPS_OPTIONS = {
  http: { type: 'string' },
  'http-token-file': { type: 'string' },
} as const;

export interface Ops {
  /** Starts the server once the coordinator runs; says where. */
  start(coordinator: SessionCoordinator): Promise<OpsServer | undefined>;
}

/** Reads the --http flags and wires the metrics' SIP counter into the builder. */
export const prepareOps = (
  name: string, help: string, values: { readonly http?: string; readonly 'http-token-file'?: string },
  builder: SessionManagerBuilder,
): Ops => {
  if (values.http === undefined) return { start: () => Promise.resolve(undefined) };
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(values.http);
  if (match === null) usageError(name, help, `--http: expected HOST:PORT, got ${values.http}`);
  let token = process.env['SESSION_CORE_HTTP_TOKEN'];
  if (values['http-token-file'] !== undefined) {
    try {
      token = readFileSync(values['http-token-file'], 'utf8').trim();
    } catch (error) {
      usageError(name, help, `--http-token-file: ${(error as Error).message}`);
    }
  }
  const metrics = new SessionMetrics();
  builder.withSipTrace(metrics.sipTrace);
  return {
    start: async (coordinator) => {
      metrics.attach(coordinator);
      const host = match![1]!;
      try {
        const server = await startOpsServer(coordinator, metrics, {
          host, port: Number(match![2]), ...(token === undefined || token === '' ? {} : { token }),
        });
        const shown = host.includes(':') ? `[${host}]` : host;
        console.log(`operations on http://${shown}:${server.port} (/metrics, /health, /ready)`);
        return server;
      } catch (error) {
        await coordinator.stop();
        return usageError(name, help, `--http: ${(error as Error).message}`);
      }
    },
  };
};
