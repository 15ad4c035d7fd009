import * as E from 'fp-ts/lib/Either.js';
import { coreHeaders } from './core-headers.js';
import { HEADER } from './header-names.js';
import { EMPTY_BODY, type SipHeader, type SipRequest, type SipResponse } from './message.js';
import { hasParam } from './params.js';
import { reasonPhrase } from './reason-phrases.js';
import { responseRecord } from './message-record.js';

export interface ResponseOptions {
  readonly reason?: string;
  /** Added to To when the request's To has no tag (§8.2.6.2); ignored for 100. */
  readonly toTag?: string;
  readonly headers?: ReadonlyArray<SipHeader>;
  readonly body?: Uint8Array;
  readonly contentType?: string;
}

const COPIED = new Set<string>([HEADER.Via, HEADER.From, HEADER.To, HEADER.CallId, HEADER.CSeq]);

/**
 * A response to `request` (§8.2.6): Via (all, in order), From, To, Call-ID and
 * CSeq copied; a To tag added when given; Record-Route copied for 101–299 so
 * dialog-creating responses carry the route set (§12.1.1); Timestamp echoed
 * in 100 (§8.2.6.1).
 */
export const buildResponse = (request: SipRequest, status: number, options: ResponseOptions = {}): SipResponse => {
  const core = coreHeaders(request);
  const toHasTag = E.isRight(core) && core.right.to !== undefined && hasParam(core.right.to.params, 'tag');
  const headers: SipHeader[] = [];
  for (const header of request.headers) {
    if (COPIED.has(header.name)) {
      const tagged = header.name === HEADER.To && !toHasTag && status > 100 && options.toTag !== undefined;
      headers.push(tagged ? { name: HEADER.To, value: `${header.value};tag=${options.toTag}` } : header);
    } else if (header.name === HEADER.RecordRoute && status > 100 && status < 300) headers.push(header);
    else if (header.name === HEADER.Timestamp && status === 100) headers.push(header);
  }
  headers.push(...(options.headers ?? []));
  const body = options.body ?? EMPTY_BODY;
  if (options.contentType !== undefined && body.length > 0) headers.push({
    name: HEADER.ContentType, value: options.contentType,
  });
  return responseRecord(request.version, status, options.reason ?? reasonPhrase(status), headers, body);
};
