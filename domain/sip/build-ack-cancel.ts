import * as E from 'fp-ts/lib/Either.js';
import { coreHeaders, type CoreHeaders } from './core-headers.js';
import { HEADER } from './header-names.js';
import { EMPTY_BODY, headerValue, type SipHeader, type SipRequest, type SipResponse } from './message.js';
import { formatVia } from './via.js';
import type { HeaderError } from './header-error.js';
import { requestRecord } from './message-record.js';

/**
 * Headers shared by ACK-for-non-2xx and CANCEL: the request's top Via only,
 * Max-Forwards 70, its Route set, From, Call-ID and the CSeq number with the
 * new method (§9.1, §17.1.1.3).
 */
const hopHeaders = (request: SipRequest, method: string, to: string): E.Either<HeaderError, SipHeader[]> =>
  E.map((core: CoreHeaders) => {
    const headers: SipHeader[] = [];
    const topVia = core.vias[0];
    if (topVia !== undefined) headers.push({ name: HEADER.Via, value: formatVia(topVia) });
    headers.push({ name: HEADER.MaxForwards, value: '70' });
    for (const h of request.headers) if (h.name === HEADER.Route) headers.push(h);
    headers.push(
      { name: HEADER.From, value: headerValue(request, HEADER.From) ?? '' },
      { name: HEADER.To, value: to },
      { name: HEADER.CallId, value: core.callId ?? '' },
      { name: HEADER.CSeq, value: `${core.cseq?.seq ?? 0} ${method}` },
    );
    return headers;
  })(coreHeaders(request));

/** The ACK a client transaction sends for a 300–699 to INVITE (§17.1.1.3): To from the response. */
export const buildAckForFailure = (invite: SipRequest, response: SipResponse): E.Either<HeaderError, SipRequest> =>
  E.map((headers: SipHeader[]): SipRequest => requestRecord('ACK', invite.uri, invite.version, headers, EMPTY_BODY))(
    hopHeaders(invite, 'ACK', headerValue(response, HEADER.To) ?? headerValue(invite, HEADER.To) ?? ''));

/**
 * CANCEL for a pending request (§9.1): same Request-URI, To, From, Call-ID, CSeq number, top Via; `extra`
 * adds headers of its own (a Reason, RFC 3326).
 */
export const buildCancel = (
  request: SipRequest, extra: ReadonlyArray<SipHeader> = [],
): E.Either<HeaderError, SipRequest> =>
  E.map((headers: SipHeader[]): SipRequest =>
    requestRecord('CANCEL', request.uri, request.version, extra.length === 0 ? headers : [...headers, ...extra],
      EMPTY_BODY))(
    hopHeaders(request, 'CANCEL', headerValue(request, HEADER.To) ?? ''));
