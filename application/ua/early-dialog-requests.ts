import { checkInDialogRequest, refreshTarget, type Dialog } from '../../domain/dialog/dialog.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import type { SipRequest } from '../../domain/sip/message.js';
import { formatNameAddr, type NameAddr } from '../../domain/sip/name-addr.js';
import type { ServerTransaction } from '../transaction-layer.js';
import type { Answer } from './invite-session.js';

/**
 * What the session layer answers to a request in an early dialog: a PRACK (its body an answer to our offer
 * in a reliable 1xx, or a new offer, RFC 3262 §5) or an UPDATE (RFC 3311). Without an answerer: 200, no body.
 */
export type EarlyRequestAnswerer = (request: SipRequest) => Answer;

const OK: Answer = { status: 200 };

/** Sends the answer; an UPDATE's 2xx carries our Contact, as a target refresh's does (RFC 3311 §5.2). */
export const respondInEarlyDialog = (
  request: SipRequest, tx: ServerTransaction, answer: Answer, contact: NameAddr,
): void => {
  const refresh = request.method === 'UPDATE' && answer.status >= 200 && answer.status < 300;
  void tx.respond(buildResponse(request, answer.status, {
    ...(answer.reason === undefined ? {} : { reason: answer.reason }),
    headers: [...(answer.headers ?? []), ...(refresh ? [{ name: 'Contact', value: formatNameAddr(contact) }] : [])],
    ...(answer.body === undefined ? {} : { body: answer.body }),
    ...(answer.contentType === undefined ? {} : { contentType: answer.contentType }),
  }));
};

/**
 * The caller's side of an UPDATE from the callee in early dialog `dialog` (RFC 3311 §5.2): CSeq order checked
 * (§12.2.2), the remote target refreshed from its Contact, the answerer's answer sent. Returns the dialog after.
 */
export const answerEarlyUpdate = (
  dialog: Dialog, request: SipRequest, tx: ServerTransaction, answerer: EarlyRequestAnswerer | undefined,
  contact: NameAddr,
): Dialog => {
  const checked = checkInDialogRequest(dialog, request);
  if (checked.kind === 'Reject') {
    void tx.respond(buildResponse(request, checked.status, { reason: checked.reason }));
    return dialog;
  }
  const answer = answerer?.(request) ?? OK;
  respondInEarlyDialog(request, tx, answer, contact);
  return answer.status >= 200 && answer.status < 300 ? refreshTarget(checked.dialog, request) : checked.dialog;
};

/** The callee's side: the answerer's answer (200 without one) to a PRACK or UPDATE of its early dialog. */
export const answerInEarlyDialog = (
  request: SipRequest, tx: ServerTransaction, answerer: EarlyRequestAnswerer | undefined, contact: NameAddr,
): void => respondInEarlyDialog(request, tx, answerer?.(request) ?? OK, contact);
