/** What the UA core asks of the layer above it, and what it takes to place a call. */
import type { SipHeader, SipRequest } from '../../domain/sip/message.js';
import type { NameAddr } from '../../domain/sip/name-addr.js';
import type { Uri } from '../../domain/sip/uri.js';
import type { Endpoint } from '../../domain/transport/endpoint.js';
import type { UserCredentials } from './challenge.js';
import type { IncomingInvite } from './incoming-invite.js';
import type { Answer, InviteSession, SessionEndReason } from './invite-session.js';
import type { AckBodyProvider } from './outgoing-invite.js';

/** Where a request came from: the transport's view (a contact behind NAT is reached here) and its connection. */
export interface RequestSource {
  readonly endpoint: Endpoint;
  readonly connectionId: number | undefined;
}

export interface UaHandler {
  /** A new call: answer with invite.provisional / accept / reject (or let CANCEL end it). */
  onIncomingInvite(invite: IncomingInvite): void;
  /**
   * Out-of-dialog requests other than INVITE, OPTIONS, BYE and CANCEL (REGISTER, MESSAGE, REFER, …); default 405.
   * The answer may come later (a store to read, a user to ask).
   */
  onRequest?(request: SipRequest, source: RequestSource): Answer | Promise<Answer>;
  /**
   * Looks at a new out-of-dialog request before anything else does (RFC 3261 §22: authentication): no
   * answer lets it through; an answer (a challenge, a refusal) is sent instead.
   */
  admit?(request: SipRequest, source: RequestSource): Answer | undefined | Promise<Answer | undefined>;
  /**
   * An in-dialog request for a dialog this UA does not hold: the layer above may load a call another process
   * carried and adopt it (`UaCore.adopt`), resolving with the session the request then goes to; undefined (or
   * resolving undefined) answers 481 (§12.2.2).
   */
  recoverDialog?(key: string, request: SipRequest): Promise<InviteSession | undefined> | undefined;
  /** A session ended, whoever ended it. */
  onSessionEnded?(session: InviteSession, reason: SessionEndReason): void;
}

export interface CallOptions {
  readonly to: NameAddr;
  readonly from: NameAddr;
  /** Request-URI; defaults to the To URI. */
  readonly requestUri?: Uri;
  readonly body?: Uint8Array;
  readonly contentType?: string;
  readonly headers?: ReadonlyArray<SipHeader>;
  /** CANCEL when no final response arrives in time (default 120 s). */
  readonly answerTimeoutMs?: number;
  /** A preloaded route set, e.g. an outbound proxy with `;lr` (§8.1.2): the first entry is the next hop. */
  readonly routes?: ReadonlyArray<NameAddr>;
  /**
   * Delayed offer (§13.2.2.4): an INVITE sent without a body gets the offer in
   * the 2xx, and the ACK must carry the answer. Called once per answering
   * 2xx; `accepted` is false for a fork we are about to hang up on.
   */
  readonly ackBody?: AckBodyProvider;
  /** Answers 401/407 challenges with Digest (§22.2); without them a challenge ends the call as Rejected. */
  readonly credentials?: UserCredentials;
  /**
   * Send the INVITE, and every request of its dialogs, here rather than where the Request-URI or routes
   * point: a registered contact reached at the address (or over the connection) it registered from.
   */
  readonly flow?: Endpoint;
  /**
   * Where the INVITE may go, best first (RFC 3263 server location): the first is tried; a transport error,
   * no response at all, or a 503 moves it to the next as a new transaction (§4.3).
   */
  readonly targets?: ReadonlyArray<Endpoint>;
  /** Follow 3xx responses to their Contacts (§8.1.3.4; default true); false ends the call Rejected with the 3xx. */
  readonly followRedirects?: boolean;
}
