import * as E from 'fp-ts/lib/Either.js';
import { dialogKey, nextLocalSeq, type Dialog } from '../../domain/dialog/dialog.js';
import { buildInDialogRequest } from '../../domain/dialog/in-dialog-request.js';
import { coreHeaders } from '../../domain/sip/core-headers.js';
import type { SipHeader, SipRequest } from '../../domain/sip/message.js';
import { paramValue } from '../../domain/sip/params.js';
import type { ServerTransaction } from '../transaction-layer.js';
import type { RequestOutcome } from './request-outcome.js';
import { dialogNextHop, localContact, newVia, type UaContext } from './ua-context.js';

/**
 * A dialog that holds none of the message it was made from: its strings are slices of that message's text,
 * which a subscription would otherwise keep alive for hours. Dialogs are plain data, so a JSON round trip
 * copies every string once.
 */
export const detachedDialog = (dialog: Dialog): Dialog => JSON.parse(JSON.stringify(dialog)) as Dialog;

/** Takes the requests of one dialog (a subscription's SUBSCRIBE refreshes, its NOTIFYs). */
export type UsageReceiver = (request: SipRequest, tx: ServerTransaction) => void;

/**
 * Dialogs other than INVITE sessions (RFC 6665 subscriptions): the UA core hands them the requests of their
 * dialog, and they send theirs through here. A subscriber's dialog is found before its remote tag is known
 * too (the first NOTIFY may beat the SUBSCRIBE's 2xx, RFC 6665 §4.1.2.4): by Call-ID and our tag.
 */
export class DialogUsages {
  private readonly byKey = new Map<string, UsageReceiver>();
  private readonly byLocal = new Map<string, UsageReceiver>();

  constructor(private readonly ctx: UaContext) {}

  get size(): number {
    return this.byKey.size + this.byLocal.size;
  }

  register(dialog: Dialog, receive: UsageReceiver): void {
    this.byKey.set(dialogKey(dialog.id), receive);
  }

  unregister(dialog: Dialog): void {
    this.byKey.delete(dialogKey(dialog.id));
  }

  /** Requests with this Call-ID and To tag (ours), whatever their From tag, until `forget`. */
  expect(callId: string, localTag: string, receive: UsageReceiver): void {
    this.byLocal.set(`${callId}|${localTag}`, receive);
  }

  forget(callId: string, localTag: string): void {
    this.byLocal.delete(`${callId}|${localTag}`);
  }

  /** Hands a request inside a dialog to its usage; false when no usage has it. */
  route(request: SipRequest, tx: ServerTransaction, key: string | undefined): boolean {
    const exact = key === undefined ? undefined : this.byKey.get(key);
    if (exact !== undefined) {
      exact(request, tx);
      return true;
    }
    if (this.byLocal.size === 0) return false;
    const core = coreHeaders(request);
    if (E.isLeft(core) || core.right.to === undefined) return false;
    const pending = this.byLocal.get(`${core.right.callId}|${paramValue(core.right.to.params, 'tag')}`);
    if (pending === undefined) return false;
    pending(request, tx);
    return true;
  }

  /**
   * A request in `dialog` (its next CSeq, its routing), in a non-INVITE client transaction. Returns the
   * dialog with the CSeq used and the final response, or what went wrong.
   */
  send(
    dialog: Dialog, method: string,
    options: { readonly headers?: ReadonlyArray<SipHeader>; readonly body?: Uint8Array; readonly contentType?: string },
  ): { readonly dialog: Dialog; readonly outcome: Promise<RequestOutcome> } {
    const hop = dialogNextHop(dialog);
    if (E.isLeft(hop)) return { dialog, outcome: Promise.resolve({ kind: 'NotSent', detail: hop.left.detail }) };
    const [next, cseq] = nextLocalSeq(dialog);
    const request = buildInDialogRequest(next, {
      method, cseq, via: newVia(this.ctx, hop.right.protocol),
      // SUBSCRIBE and NOTIFY refresh the remote target (RFC 6665 §4.1.2.1, §4.2.2): they carry our Contact.
      contact: localContact(this.ctx, hop.right.protocol, next.secure),
      headers: options.headers ?? [],
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    });
    const outcome = new Promise<RequestOutcome>((resolve) => {
      const sent = this.ctx.layer.sendRequest(request, hop.right, {
        onResponse: (response) => response.status >= 200 && resolve({ kind: 'Response', response }),
        onTimeout: () => resolve({ kind: 'Timeout' }),
        onTransportError: () => resolve({ kind: 'TransportError' }),
      });
      if (E.isLeft(sent)) resolve({ kind: 'NotSent', detail: sent.left.detail });
    });
    return { dialog: next, outcome };
  }
}
