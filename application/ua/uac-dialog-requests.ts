import * as E from 'fp-ts/lib/Either.js';
import { type Dialog } from '../../domain/dialog/dialog.js';
import { buildInDialogRequest } from '../../domain/dialog/in-dialog-request.js';
import { rackHeader, uacProvisional } from '../../domain/dialog/reliable-provisional.js';
import { getCSeq } from '../../domain/sip/core-headers.js';
import { HEADER } from '../../domain/sip/header-names.js';
import { headerValue, type SipRequest, type SipResponse } from '../../domain/sip/message.js';
import { dialogNextHop, newVia, reliability, sendDirect, type UaContext } from './ua-context.js';

export type Body = { readonly body: Uint8Array; readonly contentType: string };

/** The ACK for a 2xx (§13.2.2.4): the INVITE's CSeq number, a new branch, the dialog's routing; sent at once. */
export const sendAck = (
  ctx: UaContext, invite: SipRequest, dialog: Dialog, body: Body | undefined,
): SipRequest | undefined => {
  const cseq = getCSeq(invite);
  const hop = dialogNextHop(dialog);
  if (E.isLeft(cseq) || E.isLeft(hop)) return undefined;
  const ack = buildInDialogRequest(
    dialog, { method: 'ACK', cseq: cseq.right.seq, via: newVia(ctx, hop.right.protocol), ...body },
  );
  sendDirect(ctx, ack, hop.right);
  return ack;
};

/** Our session description: the INVITE's offer, or the answer the ACK carried (delayed offer). */
export const localSdp = (invite: SipRequest, ack: SipRequest): Body | undefined => {
  const carrier = invite.body.length > 0 ? invite : ack.body.length > 0 ? ack : undefined;
  const type = carrier === undefined ? undefined : headerValue(carrier, HEADER.ContentType);
  return carrier === undefined || type === undefined ? undefined : { body: carrier.body, contentType: type };
};

/**
 * The UAC half of RFC 3262 for one INVITE: in each early dialog (one per fork, each its own RSeq space) the
 * reliable provisionals are acknowledged in order with a PRACK, once each; retransmissions and ones that
 * skip ahead are not passed on (§4).
 */
export class PrackSender {
  private readonly lastRseq = new Map<string, number>();

  constructor(private readonly ctx: UaContext) {}

  /**
   * Whether the provisional is passed on, and the early dialog after it (its CSeq advanced by a PRACK sent,
   * whose `body` is asked for only when it goes).
   * With 100rel off we never offered it, and a provisional that requires it anyway is taken as unreliable.
   */
  receive(
    response: SipResponse, tag: string, dialog: Dialog, body: () => Body | undefined = () => undefined,
  ): { readonly pass: boolean; readonly dialog: Dialog } {
    if (reliability(this.ctx.config) === 'off') return { pass: true, dialog };
    const decision = uacProvisional(response, this.lastRseq.get(tag));
    if (decision.kind === 'Retransmission' || decision.kind === 'OutOfOrder') return { pass: false, dialog };
    if (decision.kind === 'Unreliable') return { pass: true, dialog };
    // RAck names the INVITE the provisional answers: its CSeq, which the provisional carries (after a Digest
    // resubmission it is not the first INVITE's).
    const cseq = getCSeq(response);
    const hop = dialogNextHop(dialog);
    if (E.isLeft(cseq) || E.isLeft(hop)) return { pass: true, dialog };
    this.lastRseq.set(tag, decision.rseq);
    const advanced: Dialog = { ...dialog, localSeq: dialog.localSeq + 1 };
    const prack = buildInDialogRequest(advanced, {
      method: 'PRACK', cseq: advanced.localSeq, via: newVia(this.ctx, hop.right.protocol),
      headers: [rackHeader({ rseq: decision.rseq, cseq: cseq.right.seq, method: 'INVITE' })],
      // Our answer when the provisional carried the callee's offer (RFC 3262 §5).
      ...body(),
    });
    // A PRACK's own answer changes nothing here: a 481 means the provisional was forgotten, and the INVITE's
    // final response decides the call either way.
    const sent = this.ctx.layer.sendRequest(prack, hop.right, { onResponse: () => undefined });
    if (E.isLeft(sent)) this.ctx.logger?.warn('PRACK not sent', { detail: sent.left.detail });
    return { pass: true, dialog: advanced };
  }
}
