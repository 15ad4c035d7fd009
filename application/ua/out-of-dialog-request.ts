import * as E from 'fp-ts/lib/Either.js';
import { buildRequest } from '../../domain/sip/build-request.js';
import type { SipHeader, SipRequest } from '../../domain/sip/message.js';
import type { NameAddr } from '../../domain/sip/name-addr.js';
import { setParam } from '../../domain/sip/params.js';
import type { Uri } from '../../domain/sip/uri.js';
import type { Endpoint } from '../../domain/transport/endpoint.js';
import { answerChallenge, type UserCredentials } from './challenge.js';
import type { RequestOutcome } from './request-outcome.js';
import { isSips, localContact, newVia, nextHop, UA_ACCEPT, type UaContext } from './ua-context.js';

export interface RequestOptions {
  readonly method: string;
  readonly from: NameAddr;
  readonly to: NameAddr;
  /** Request-URI; defaults to the To URI. */
  readonly requestUri?: Uri;
  readonly body?: Uint8Array;
  readonly contentType?: string;
  readonly headers?: ReadonlyArray<SipHeader>;
  /** A preloaded route set (an outbound proxy): the first entry is the next hop. */
  readonly routes?: ReadonlyArray<NameAddr>;
  /** Answers 401/407 challenges with Digest (§22.2). */
  readonly credentials?: UserCredentials;
  /** Sent here whatever the URIs say (a registered contact's flow, see CallOptions.flow). */
  readonly flow?: Endpoint;
  /** For a request that makes a dialog (SUBSCRIBE): its Call-ID and our From tag, known before it goes… */
  readonly callId?: string;
  readonly fromTag?: string;
  /** …with our Contact in it. */
  readonly withContact?: boolean;
}

/**
 * A request outside any dialog that is not an INVITE (MESSAGE, OPTIONS, …):
 * sent in its own non-INVITE client transaction, its final response reported;
 * a Digest challenge answered once with the credentials given (§22.2).
 */
export const sendOutOfDialog = (ctx: UaContext, options: RequestOptions): Promise<RequestOutcome> => {
  const uri = options.requestUri ?? options.to.uri;
  const hop = options.flow === undefined ? nextHop(options.routes?.[0]?.uri ?? uri) : E.right(options.flow);
  if (E.isLeft(hop)) return Promise.resolve({ kind: 'NotSent', detail: hop.left.detail });
  const request = buildRequest({
    method: options.method, uri,
    from: { ...options.from, params: setParam(options.from.params, 'tag', options.fromTag ?? ctx.ids.tag()) },
    to: options.to, callId: options.callId ?? ctx.ids.callId(), cseq: 1, vias: [newVia(ctx, hop.right.protocol)],
    ...(options.withContact === true ? { contact: localContact(ctx, hop.right.protocol, isSips(uri)) } : {}),
    ...(options.routes === undefined ? {} : { routes: options.routes }),
    headers: [{ name: 'User-Agent', value: ctx.config.userAgent }, ...(options.headers ?? [])],
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
  });
  return new Promise((resolve) => send(ctx, request, hop.right, options.credentials, 0, resolve));
};

const send = (
  ctx: UaContext, request: SipRequest, target: Endpoint, credentials: UserCredentials | undefined,
  resubmissions: number, resolve: (outcome: RequestOutcome) => void,
): void => {
  const sent = ctx.layer.sendRequest(request, target, {
    onResponse: (response) => {
      if (response.status < 200) return;
      if (response.status === 401 || response.status === 407) {
        const again = answerChallenge(ctx, request, response, credentials, resubmissions, target.protocol);
        if (again !== undefined) return send(ctx, again, target, credentials, resubmissions + 1, resolve);
      }
      resolve({ kind: 'Response', response });
    },
    onTimeout: () => resolve({ kind: 'Timeout' }),
    onTransportError: () => resolve({ kind: 'TransportError' }),
  });
  if (E.isLeft(sent)) resolve({ kind: 'NotSent', detail: sent.left.detail });
};

/** OPTIONS outside any dialog (§11): a capability query or keep-alive; its final response, not challenged. */
export const sendOptions = (ctx: UaContext, uri: Uri, from: NameAddr): Promise<RequestOutcome> => {
  const hop = nextHop(uri);
  if (E.isLeft(hop)) return Promise.resolve({ kind: 'NotSent', detail: hop.left.detail });
  const request = buildRequest({
    method: 'OPTIONS', uri, from: { ...from, params: setParam(from.params, 'tag', ctx.ids.tag()) },
    to: { uri, params: [] },
    callId: ctx.ids.callId(), cseq: 1, vias: [newVia(ctx, hop.right.protocol)],
    headers: [{ name: 'Accept', value: UA_ACCEPT.join(', ') }],
  });
  return new Promise((resolve) => {
    const sent = ctx.layer.sendRequest(request, hop.right, {
      onResponse: (response) => response.status >= 200 && resolve({ kind: 'Response', response }),
      onTimeout: () => resolve({ kind: 'Timeout' }),
      onTransportError: () => resolve({ kind: 'TransportError' }),
    });
    if (E.isLeft(sent)) resolve({ kind: 'NotSent', detail: sent.left.detail });
  });
};
