import { buildRequest } from '../sip/build-request.js';
import type { SipHeader, SipRequest } from '../sip/message.js';
import type { NameAddr } from '../sip/name-addr.js';
import { hasParam } from '../sip/params.js';
import type { Uri } from '../sip/uri.js';
import type { Via } from '../sip/via.js';
import type { Dialog } from './dialog.js';

export interface InDialogOptions {
  readonly method: string;
  readonly cseq: number;
  readonly via: Via;
  readonly contact?: NameAddr;
  readonly headers?: ReadonlyArray<SipHeader>;
  readonly body?: Uint8Array;
  readonly contentType?: string;
}

/**
 * Request-URI and Route headers for a request within a dialog (§12.2.1.1):
 * no route set → remote target; loose routing (first route has `lr`) → remote
 * target with the route set as Route; strict routing → the first route as
 * Request-URI, the rest plus the remote target as Route.
 */
export const inDialogTarget = (dialog: Dialog): { readonly uri: Uri; readonly routes: ReadonlyArray<NameAddr> } => {
  const [first, ...rest] = dialog.routeSet;
  if (first === undefined) return { uri: dialog.remoteTarget, routes: [] };
  const loose = first.uri.kind === 'sip' && hasParam(first.uri.params, 'lr');
  if (loose) return { uri: dialog.remoteTarget, routes: dialog.routeSet };
  return { uri: first.uri, routes: [...rest, { uri: dialog.remoteTarget, params: [] }] };
};

/** A request within the dialog; the caller supplies the CSeq (from nextLocalSeq, or the INVITE's for ACK). */
export const buildInDialogRequest = (dialog: Dialog, options: InDialogOptions): SipRequest => {
  const { uri, routes } = inDialogTarget(dialog);
  return buildRequest({
    method: options.method,
    uri,
    from: dialog.localUri,
    to: dialog.remoteUri,
    callId: dialog.id.callId,
    cseq: options.cseq,
    vias: [options.via],
    routes,
    ...(options.contact === undefined ? {} : { contact: options.contact }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
  });
};
