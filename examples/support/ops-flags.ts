import { readFileSync } from 'node:fs';
import type { SessionManagerBuilder } from '../../adapters/composition/index.js';
import { usageError } from './command-line.js';

export const OPS_HELP = `  --http HOST:PORT     serve the operations and control API there: /metrics (Prometheus),
                       /health, /ready, REST calls/bridges/registrations (/openapi.json),
                       the /events WebSocket and the dashboard at /
                       (a non-loopback address needs a token)
  --http-token-file F  bearer token for --http, read from F (or set SESSION_CORE_HTTP_TOKEN)
  --media-dir DIR      where the control API's play and record routes read and write WAV files`;

export const OPS_OPTIONS = {
  http: { type: 'string' },
  'http-token-file': { type: 'string' },
  'media-dir': { type: 'string' },
} as const;

/** Reads the --http flags into `withHttp`: the server starts with build() and stops with the coordinator. */
export const prepareOps = (
  name: string, help: string,
  values: { readonly http?: string; readonly 'http-token-file'?: string; readonly 'media-dir'?: string },
  builder: SessionManagerBuilder,
): void => {
  if (values.http === undefined) {
    if (values['media-dir'] !== undefined) usageError(name, help, '--media-dir needs --http');
    return;
  }
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(values.http);
  if (match === null) return usageError(name, help, `--http: expected HOST:PORT, got ${values.http}`);
  let token = process.env['SESSION_CORE_HTTP_TOKEN'];
  if (values['http-token-file'] !== undefined) {
    try {
      token = readFileSync(values['http-token-file'], 'utf8').trim();
    } catch (error) {
      usageError(name, help, `--http-token-file: ${(error as Error).message}`);
    }
  }
  const host = match[1]!;
  builder.withHttp({
    host, port: Number(match[2]),
    ...(token === undefined || token === '' ? {} : { token }),
    ...(values['media-dir'] === undefined ? {} : { mediaDirectory: values['media-dir'] }),
    onListening: (server) => {
      const shown = host.includes(':') ? `[${host}]` : host;
      console.log(
        `operations on http://${shown}:${server.port} (/metrics, /health, /ready, /openapi.json, /events, /)`,
      );
    },
  });
};
