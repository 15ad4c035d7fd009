import * as E from 'fp-ts/lib/Either.js';
import { resubmitWith } from '../../domain/sip/digest.js';
import { HEADER } from '../../domain/sip/header-names.js';
import { withHeader, type SipRequest, type SipResponse } from '../../domain/sip/message.js';
import { requestRecord } from '../../domain/sip/message-record.js';
import { formatNameAddr } from '../../domain/sip/name-addr.js';
import type { Uri } from '../../domain/sip/uri.js';
import type { Endpoint, TransportProtocol } from '../../domain/transport/endpoint.js';
import { MAX_REDIRECTS, redirectKey, redirectTargets } from '../../domain/sip/redirect.js';
import { replaceTopVia } from '../../domain/transport/inbound.js';
import { isSips, localContact, newVia, nextHop, type UaContext } from './ua-context.js';

/**
 * The INVITE sent again elsewhere, as a new transaction (a new branch), with Via and Contact for the
 * transport it now takes. To the next server of RFC 3263 (§4.3) it is the same request; to a 3xx's Contact
 * (RFC 3261 §8.1.3.4) it gets that Request-URI and the next CSeq, and loses credentials meant for the old one.
 */
export const retargeted = (
  ctx: UaContext, current: SipRequest, protocol: TransportProtocol, uri?: Uri,
): SipRequest | undefined => {
  const via = newVia(ctx, protocol);
  let next: SipRequest;
  if (uri === undefined) next = replaceTopVia(current, via) as SipRequest;
  else {
    const bumped = resubmitWith(current, via, []);
    if (E.isLeft(bumped)) return undefined;
    next = requestRecord(bumped.right.method, uri, bumped.right.version, bumped.right.headers, bumped.right.body);
  }
  return withHeader(next, HEADER.Contact, formatNameAddr(localContact(ctx, protocol, isSips(next.uri))));
};

/** Where the INVITE goes next, and as what. */
export interface Retarget {
  readonly target: Endpoint;
  readonly request: SipRequest;
}

/**
 * The other places an INVITE may go: the next servers RFC 3263 found for its URI (§4.3), and the Contacts
 * of 3xx responses in q order (RFC 3261 §8.1.3.4), up to MAX_REDIRECTS, never a URI already tried.
 */
export class Retargeting {
  private readonly servers: Endpoint[];
  private readonly contacts: Uri[] = [];
  private readonly tried: Set<string>;
  private redirects = 0;

  constructor(
    private readonly ctx: UaContext, first: Uri, servers: ReadonlyArray<Endpoint>, private readonly follow: boolean,
  ) {
    this.servers = [...servers];
    this.tried = new Set([redirectKey(first)]);
  }

  nextServer(current: SipRequest): Retarget | undefined {
    const target = this.servers.shift();
    const request = target === undefined ? undefined : retargeted(this.ctx, current, target.protocol);
    return target === undefined || request === undefined ? undefined : { target, request };
  }

  nextContact(current: SipRequest, response?: SipResponse): Retarget | undefined {
    if (!this.follow) return undefined;
    if (response !== undefined) this.contacts.push(...redirectTargets(response, this.tried));
    for (let uri = this.contacts.shift(); uri !== undefined; uri = this.contacts.shift()) {
      if (this.redirects >= MAX_REDIRECTS) return undefined;
      this.tried.add(redirectKey(uri));
      const hop = nextHop(uri);
      const request = E.isLeft(hop) ? undefined : retargeted(this.ctx, current, hop.right.protocol, uri);
      if (E.isLeft(hop) || request === undefined) continue;
      this.redirects++;
      // The servers found for the old Request-URI are no longer the question.
      this.servers.length = 0;
      return { target: hop.right, request };
    }
    return undefined;
  }
}
