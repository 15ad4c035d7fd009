import * as E from 'fp-ts/lib/Either.js';
import { getFrom, getTo } from '../../domain/sip/core-headers.js';
import type { SipRequest, SipResponse } from '../../domain/sip/message.js';
import { paramValue } from '../../domain/sip/params.js';
import type { Endpoint } from '../../domain/transport/endpoint.js';
import type { ClientCallbacks } from '../transaction-layer.js';
import { sendDirect, type UaContext } from './ua-context.js';

export const toTagOf = (response: SipResponse): string | undefined => {
  const to = getTo(response);
  return E.isRight(to) ? paramValue(to.right.params, 'tag') : undefined;
};

export const fromTagOf = (request: SipRequest): string | undefined => {
  const from = getFrom(request);
  return E.isRight(from) ? paramValue(from.right.params, 'tag') : undefined;
};

/** After the call ends: what the lingering INVITE transaction still needs to ACK its 2xx retransmissions. */
interface ReAck {
  readonly tag: string;
  readonly ack: SipRequest;
  readonly hop: Endpoint;
}

/**
 * The INVITE client transaction outlives the call by up to 64·T1 (Timer M).
 * Its callbacks reach the OutgoingInvite through this relay, which is cut when
 * the call ends so the transaction no longer holds the call's messages and
 * outcome; from then on it only re-sends the ACK for 2xx retransmissions.
 */
/** What the relay calls on the INVITE's behalf (the OutgoingInvite). */
export interface RelayTarget {
  handleResponse(response: SipResponse): void;
  timedOut(): void;
  transportFailed(detail: string): void;
  transactionEnded(): void;
}

export interface Relay {
  invite: RelayTarget | undefined;
  reAck: ReAck | undefined;
}

/** Built outside the class so the closures capture the relay, never the OutgoingInvite itself. */
export const relayCallbacks = (relay: Relay, ctx: UaContext): ClientCallbacks => ({
  onResponse: (response) => {
    if (relay.invite !== undefined) return relay.invite.handleResponse(response);
    const reAck = relay.reAck;
    const answered = response.status >= 200 && response.status < 300;
    if (reAck !== undefined && answered && toTagOf(response) === reAck.tag) sendDirect(ctx, reAck.ack, reAck.hop);
  },
  onTimeout: () => relay.invite?.timedOut(),
  onTransportError: (detail) => relay.invite?.transportFailed(detail),
  onTerminated: () => relay.invite?.transactionEnded(),
});
