import { DEFAULT_SESSION_EXPIRES } from '../../domain/dialog/session-timer.js';
import { buildRequest } from '../../domain/sip/build-request.js';
import type { SipRequest } from '../../domain/sip/message.js';
import { setParam } from '../../domain/sip/params.js';
import type { Uri } from '../../domain/sip/uri.js';
import type { TransportProtocol } from '../../domain/transport/endpoint.js';
import type { CallOptions } from './ua-handler.js';
import {
  allowedMethods, isSips, localContact, newVia, reliability, supportedTags, type UaContext,
} from './ua-context.js';

/**
 * A new call's INVITE (§8.1.1, §13.2.1): new Call-ID and From tag, a random first CSeq, what the dialog may
 * carry (Allow, Supported, 100rel required when our policy says so) and the session timer we ask for.
 */
export const initialInvite = (
  ctx: UaContext, options: CallOptions, uri: Uri, protocol: TransportProtocol,
): SipRequest => buildRequest({
  method: 'INVITE', uri, to: options.to, callId: ctx.ids.callId(), cseq: 1 + ctx.ids.below(1000),
  from: { ...options.from, params: setParam(options.from.params, 'tag', ctx.ids.tag()) },
  vias: [newVia(ctx, protocol)],
  // §8.1.1.8: a sips Request-URI (or first Route) calls for a sips Contact.
  contact: localContact(ctx, protocol, isSips(options.routes?.[0]?.uri ?? uri)),
  ...(options.routes === undefined ? {} : { routes: options.routes }),
  headers: [
    { name: 'Allow', value: allowedMethods(ctx.config).join(', ') },
    { name: 'Supported', value: supportedTags(ctx.config).join(', ') },
    ...(reliability(ctx.config) === 'required' ? [{ name: 'Require', value: '100rel' }] : []),
    { name: 'Session-Expires', value: String(DEFAULT_SESSION_EXPIRES) },
    { name: 'User-Agent', value: ctx.config.userAgent },
    ...(options.headers ?? []),
  ],
  ...(options.body === undefined ? {} : { body: options.body }),
  ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
});
