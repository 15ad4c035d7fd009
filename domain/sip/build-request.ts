import { HEADER } from './header-names.js';
import { EMPTY_BODY, SIP_VERSION, type SipHeader, type SipRequest } from './message.js';
import { formatNameAddr, type NameAddr } from './name-addr.js';
import type { Uri } from './uri.js';
import { formatVia, type Via } from './via.js';
import { requestRecord } from './message-record.js';

export interface RequestParts {
  readonly method: string;
  readonly uri: Uri;
  readonly from: NameAddr;
  readonly to: NameAddr;
  readonly callId: string;
  readonly cseq: number;
  /** Top first; the top one carries this request's branch. */
  readonly vias: ReadonlyArray<Via>;
  readonly maxForwards?: number;
  readonly contact?: NameAddr;
  readonly routes?: ReadonlyArray<NameAddr>;
  readonly headers?: ReadonlyArray<SipHeader>;
  readonly body?: Uint8Array;
  readonly contentType?: string;
}

/** Builds a request from its parts (§8.1.1); Max-Forwards defaults to 70. */
export const buildRequest = (parts: RequestParts): SipRequest => {
  const headers: SipHeader[] = parts.vias.map((via) => ({ name: HEADER.Via, value: formatVia(via) }));
  headers.push({ name: HEADER.MaxForwards, value: String(parts.maxForwards ?? 70) });
  for (const route of parts.routes ?? []) headers.push({ name: HEADER.Route, value: formatNameAddr(route) });
  headers.push(
    { name: HEADER.From, value: formatNameAddr(parts.from) },
    { name: HEADER.To, value: formatNameAddr(parts.to) },
    { name: HEADER.CallId, value: parts.callId },
    { name: HEADER.CSeq, value: `${parts.cseq} ${parts.method}` },
  );
  if (parts.contact !== undefined) headers.push({ name: HEADER.Contact, value: formatNameAddr(parts.contact) });
  headers.push(...(parts.headers ?? []));
  const body = parts.body ?? EMPTY_BODY;
  if (parts.contentType !== undefined && body.length > 0) headers.push({
    name: HEADER.ContentType, value: parts.contentType,
  });
  return requestRecord(parts.method, parts.uri, SIP_VERSION, headers, body);
};
