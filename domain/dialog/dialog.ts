/**
 * Dialog state (RFC 3261 §12): identity, sequence numbers, URIs, remote target
 * and route set, as an immutable value with pure transitions.
 */
import * as E from 'fp-ts/lib/Either.js';
import { coreHeaders } from '../sip/core-headers.js';
import type { HeaderError } from '../sip/header-error.js';
import { headerError } from '../sip/header-error.js';
import type { SipRequest, SipResponse } from '../sip/message.js';
import type { NameAddr } from '../sip/name-addr.js';
import { paramValue } from '../sip/params.js';
import { getRecordRoutes } from '../sip/typed-headers.js';
import type { Endpoint } from '../transport/endpoint.js';
import type { Uri } from '../sip/uri.js';

export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

export type DialogState = 'Early' | 'Confirmed' | 'Terminated';

export interface Dialog {
  readonly id: DialogId;
  readonly state: DialogState;
  readonly role: 'UAC' | 'UAS';
  /** Last CSeq number we used; the next request uses localSeq + 1. */
  readonly localSeq: number;
  /** Highest CSeq number received; undefined until the peer sends a request (§12.1.2). */
  readonly remoteSeq: number | undefined;
  readonly localUri: NameAddr;
  readonly remoteUri: NameAddr;
  readonly remoteTarget: Uri;
  /** In the order requests traverse it: the first entry is the next hop. */
  readonly routeSet: ReadonlyArray<NameAddr>;
  readonly secure: boolean;
  /**
   * Where every request of the dialog goes, whatever its target and routes say: the address a registered
   * contact behind NAT was reached at, or its connection (RFC 5626 §5.3's flow).
   */
  readonly flow?: Endpoint;
}

/** Map key for O(1) lookup: Call-ID plus both tags, the tags lowercased (Call-ID compares exactly). */
export const dialogKey = (id: DialogId): string => `${id.callId}|${id.localTag}|${id.remoteTag}`;

const tagOf = (value: NameAddr | undefined): string | undefined => (
  value === undefined ? undefined : paramValue(value.params, 'tag')
);

const firstContact = (message: SipRequest | SipResponse): E.Either<HeaderError, Uri> => {
  const core = coreHeaders(message);
  if (E.isLeft(core)) return core;
  const contacts = core.right.contacts;
  if (contacts === '*' || contacts[0] === undefined) return E.left(
    headerError('Contact', 'a dialog needs a Contact with one URI (§12.1)'),
  );
  return E.right(contacts[0].uri);
};

/** §12.1.2: a dialog as UAC from our request and a 101–299 response carrying a To tag. */
export const createUacDialog = (request: SipRequest, response: SipResponse): E.Either<HeaderError, Dialog> => {
  const req = coreHeaders(request);
  const res = coreHeaders(response);
  if (E.isLeft(req)) return req;
  if (E.isLeft(res)) return res;
  const remoteTag = tagOf(res.right.to);
  const localTag = tagOf(req.right.from);
  const callId = req.right.callId;
  const missing = remoteTag === undefined || localTag === undefined || callId === undefined;
  if (missing || req.right.from === undefined || res.right.to === undefined) {
    return E.left(headerError('To', 'a dialog needs Call-ID and both tags'));
  }
  const target = firstContact(response);
  if (E.isLeft(target)) return target;
  const routes = getRecordRoutes(response);
  if (E.isLeft(routes)) return routes;
  return E.right({
    id: { callId, localTag, remoteTag },
    state: response.status < 200 ? 'Early' : 'Confirmed',
    role: 'UAC',
    localSeq: req.right.cseq?.seq ?? 1,
    remoteSeq: undefined,
    localUri: req.right.from,
    // The response's To carries the remote tag, which every later request must repeat.
    remoteUri: res.right.to,
    remoteTarget: target.right,
    // The UAC reverses Record-Route (§12.1.2).
    routeSet: [...routes.right].reverse(),
    secure: request.uri.kind === 'sip' && request.uri.scheme === 'sips',
  });
};

/** §12.1.1: a dialog as UAS from the request and the To tag we put in our response. */
export const createUasDialog = (
  request: SipRequest, localTag: string, state: DialogState = 'Early',
): E.Either<HeaderError, Dialog> => {
  const req = coreHeaders(request);
  if (E.isLeft(req)) return req;
  const remoteTag = tagOf(req.right.from);
  const callId = req.right.callId;
  if (remoteTag === undefined || callId === undefined || req.right.from === undefined || req.right.to === undefined) {
    return E.left(headerError('From', 'a dialog needs Call-ID and a From tag'));
  }
  const target = firstContact(request);
  if (E.isLeft(target)) return target;
  const routes = getRecordRoutes(request);
  if (E.isLeft(routes)) return routes;
  return E.right({
    id: { callId, localTag, remoteTag },
    state,
    role: 'UAS',
    localSeq: 0,
    remoteSeq: req.right.cseq?.seq,
    localUri: {
      ...req.right.to,
      params: [...req.right.to.params.filter((p) => p.name.toLowerCase() !== 'tag'), { name: 'tag', value: localTag }],
    },
    remoteUri: req.right.from,
    remoteTarget: target.right,
    routeSet: routes.right,
    secure: request.uri.kind === 'sip' && request.uri.scheme === 'sips',
  });
};

/**
 * An early dialog confirmed by a 2xx (§13.2.2.4): the route set is recomputed
 * from the 2xx and the remote target taken from its Contact.
 */
export const confirmUacDialog = (dialog: Dialog, response: SipResponse): E.Either<HeaderError, Dialog> => {
  const target = firstContact(response);
  if (E.isLeft(target)) return target;
  const routes = getRecordRoutes(response);
  if (E.isLeft(routes)) return routes;
  return E.right({ ...dialog, state: 'Confirmed', remoteTarget: target.right, routeSet: [...routes.right].reverse() });
};

/** §12.2.1.2 / §12.2.2: a target-refresh request or its 2xx replaces the remote target. */
export const refreshTarget = (dialog: Dialog, message: SipRequest | SipResponse): Dialog => {
  const target = firstContact(message);
  return E.isRight(target) ? { ...dialog, remoteTarget: target.right } : dialog;
};

export const terminate = (dialog: Dialog): Dialog => ({ ...dialog, state: 'Terminated' });

/** Takes the next local CSeq number (§12.2.1.1: strictly increasing by one). */
export const nextLocalSeq = (dialog: Dialog): readonly [Dialog, number] => [
  { ...dialog, localSeq: dialog.localSeq + 1 }, dialog.localSeq + 1,
];

export type InDialogCheck =
  | { readonly kind: 'Accept'; readonly dialog: Dialog }
  | { readonly kind: 'Reject'; readonly status: 500; readonly reason: string };

/**
 * §12.2.2: a request whose CSeq is lower than the remote sequence number is out
 * of order (500); otherwise the remote sequence number advances. ACK and
 * CANCEL reuse their INVITE's number and do not advance it.
 */
export const checkInDialogRequest = (dialog: Dialog, request: SipRequest): InDialogCheck => {
  const core = coreHeaders(request);
  const seq = E.isRight(core) ? core.right.cseq?.seq : undefined;
  if (seq === undefined) return { kind: 'Reject', status: 500, reason: 'Missing CSeq' };
  if (request.method === 'ACK' || request.method === 'CANCEL') return { kind: 'Accept', dialog };
  if (dialog.remoteSeq !== undefined && seq <= dialog.remoteSeq) {
    return { kind: 'Reject', status: 500, reason: 'CSeq Out Of Order' };
  }
  return { kind: 'Accept', dialog: { ...dialog, remoteSeq: seq } };
};
