/** The keys the UA core finds its calls by, read from a request. */
import * as E from 'fp-ts/lib/Either.js';
import { dialogKey } from '../../domain/dialog/dialog.js';
import { coreHeaders } from '../../domain/sip/core-headers.js';
import type { SipRequest } from '../../domain/sip/message.js';
import { paramValue } from '../../domain/sip/params.js';

/** An INVITE we sent, by Call-ID and our From tag. */
export const outgoingKeyOf = (callId: string | undefined, fromTag: string | undefined): string =>
  `${callId}|${fromTag}`;

/** Our view of a received request's dialog: local tag = To tag (or `ourTag`), remote tag = From tag. */
export const dialogKeyOf = (request: SipRequest, ourTag?: string): string | undefined => {
  const core = coreHeaders(request);
  if (E.isLeft(core) || core.right.callId === undefined) return undefined;
  const localTag = ourTag ?? (core.right.to === undefined ? undefined : paramValue(core.right.to.params, 'tag'));
  const remoteTag = core.right.from === undefined ? undefined : paramValue(core.right.from.params, 'tag');
  if (localTag === undefined || remoteTag === undefined) return undefined;
  return dialogKey({ callId: core.right.callId, localTag, remoteTag });
};

/** The key of an INVITE we sent, from the request itself. */
export const outgoingKey = (request: SipRequest): string => {
  const core = coreHeaders(request);
  const fromTag = E.isRight(core) && core.right.from !== undefined
    ? paramValue(core.right.from.params, 'tag')
    : undefined;
  return outgoingKeyOf(E.isRight(core) ? core.right.callId : '', fromTag);
};
