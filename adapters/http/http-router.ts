import type { IncomingMessage } from 'node:http';

/** What a route answers: a status and a JSON body (none for 204), or a text body with its type. */
export type Reply =
  | { readonly status: number; readonly json?: unknown }
  | { readonly status: number; readonly text: string; readonly contentType: string };

export interface RouteRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The JSON body, parsed (undefined when there was none). */
  readonly body: unknown;
}

export type RouteHandler = (request: RouteRequest) => Promise<Reply> | Reply;

interface Route {
  readonly method: string;
  readonly parts: ReadonlyArray<string>;
  readonly handler: RouteHandler;
}

/** A problem the client caused: answered with its status and a JSON error naming the field when there is one. */
export class HttpProblem extends Error {
  constructor(readonly status: number, message: string, readonly field?: string) {
    super(message);
  }
}

/** Request bodies larger than this are refused 413: the API takes small JSON documents only. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Method and path to handler, with `:name` segments as parameters. A handful of routes need no framework:
 * matching walks the table (a few dozen entries) segment by segment.
 */
export class HttpRouter {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: RouteHandler): this {
    this.routes.push({ method, parts: pattern.split('/').filter((p) => p !== ''), handler });
    return this;
  }

  /** Every route as `METHOD /path/:param`, in the order added. */
  list(): string[] {
    return this.routes.map((route) => `${route.method} /${route.parts.join('/')}`);
  }

  /** The handler and parameters for a request, 405 when the path exists under other methods, else undefined. */
  match(method: string, path: string): { handler: RouteHandler; params: Record<string, string> } | 405 | undefined {
    const parts = path.split('/').filter((p) => p !== '');
    let pathKnown = false;
    for (const route of this.routes) {
      const params = matchParts(route.parts, parts);
      if (params === undefined) continue;
      if (route.method === method) return { handler: route.handler, params };
      pathKnown = true;
    }
    return pathKnown ? 405 : undefined;
  }
}

const matchParts = (
  pattern: ReadonlyArray<string>, parts: ReadonlyArray<string>,
): Record<string, string> | undefined => {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i]!;
    const given = parts[i]!;
    if (expected.startsWith(':')) {
      try {
        params[expected.slice(1)] = decodeURIComponent(given);
      } catch {
        return undefined;
      }
    } else if (expected !== given) return undefined;
  }
  return params;
};

/** Reads a JSON body of at most MAX_BODY_BYTES; an empty one is undefined. */
export const readJsonBody = async (req: IncomingMessage): Promise<unknown> => {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpProblem(413, `bodies are limited to ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, `bodies are limited to ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const type = req.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('application/json')) {
    throw new HttpProblem(415, 'request bodies are application/json');
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (error) {
    throw new HttpProblem(400, `the body is not JSON: ${(error as Error).message}`);
  }
};
