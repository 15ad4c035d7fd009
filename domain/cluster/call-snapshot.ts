/**
 * What another process needs to continue a confirmed call whose owner died: the dialog (RFC 3261 §12) with
 * its URIs as SIP text, both session descriptions, and who the call is. A plain JSON value: stores keep it
 * as text, and whatever comes back is parsed again here, so a damaged record is a Left, never a call.
 */
import * as E from 'fp-ts/lib/Either.js';
import { dialogKey, type Dialog, type DialogId } from '../dialog/dialog.js';
import { formatUri } from '../sip/format-uri.js';
import { formatNameAddr, parseNameAddr, type NameAddr } from '../sip/name-addr.js';
import { parseUri } from '../sip/parse-uri.js';
import type { Endpoint, TransportProtocol } from '../transport/endpoint.js';

export const SNAPSHOT_VERSION = 1;

export interface StoredDialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly role: 'UAC' | 'UAS';
  readonly localSeq: number;
  readonly remoteSeq?: number;
  readonly localUri: string;
  readonly remoteUri: string;
  readonly remoteTarget: string;
  readonly routeSet: ReadonlyArray<string>;
  readonly secure: boolean;
  /** Where the dialog's requests go whatever its target says (a UDP flow; a connection dies with its process). */
  readonly flow?: Endpoint;
}

export interface CallSnapshot {
  readonly version: typeof SNAPSHOT_VERSION;
  readonly sessionId: string;
  /** The process that carries the call (its worker id). */
  readonly owner: string;
  readonly direction: 'incoming' | 'outgoing';
  readonly from: string;
  readonly to: string;
  readonly connectedAtEpochMs: number;
  readonly protocol: TransportProtocol;
  readonly dialog: StoredDialog;
  /** Our session description in force (its o= version is where a re-offer continues). */
  readonly localSdp?: string;
  readonly remoteSdp?: string;
  /** The other leg of a B2BUA call, by its dialog key (where the store keeps it). */
  readonly partner?: string;
  /** The other members of its bridge or conference, by dialog key: recovered with it, in one bridge again. */
  readonly bridge?: ReadonlyArray<string>;
  /** The session timer (RFC 4028) in force: its interval, whether we refresh, and whether by UPDATE. */
  readonly sessionTimer?: {
    readonly intervalSec: number; readonly weRefresh: boolean; readonly peerAllowsUpdate: boolean;
  };
}

export interface SnapshotError {
  readonly kind: 'SnapshotError';
  readonly detail: string;
}

/** The store's key for a call: the dialog's, as the UA core keys its own dialogs. */
export const snapshotKey = (snapshot: CallSnapshot): string => dialogKey(snapshotDialogId(snapshot));

export const snapshotDialogId = (snapshot: CallSnapshot): DialogId => ({
  callId: snapshot.dialog.callId, localTag: snapshot.dialog.localTag, remoteTag: snapshot.dialog.remoteTag,
});

/** The dialog as stored: URIs as text, a connection-bound flow left out. */
export const storeDialog = (dialog: Dialog): StoredDialog => ({
  callId: dialog.id.callId, localTag: dialog.id.localTag, remoteTag: dialog.id.remoteTag, role: dialog.role,
  localSeq: dialog.localSeq,
  ...(dialog.remoteSeq === undefined ? {} : { remoteSeq: dialog.remoteSeq }),
  localUri: formatNameAddr(dialog.localUri), remoteUri: formatNameAddr(dialog.remoteUri),
  remoteTarget: formatUri(dialog.remoteTarget), routeSet: dialog.routeSet.map(formatNameAddr),
  secure: dialog.secure,
  ...(dialog.flow === undefined || dialog.flow.protocol !== 'udp' ? {} : { flow: dialog.flow }),
});

/**
 * How far a recovered dialog's own CSeq jumps past the stored one: the dead owner may have sent requests after
 * its last write, and a number reused would be refused as out of order (§12.2.2). Gaps are harmless.
 */
export const RECOVERED_CSEQ_MARGIN = 100;

/**
 * The dialog back from its stored form, confirmed. The remote CSeq is one below the stored one, so the request
 * the dead owner saw last — retransmitted to us because its answer never left — is accepted, not refused.
 */
export const restoreDialog = (stored: StoredDialog): E.Either<SnapshotError, Dialog> => {
  const fail = (detail: string): E.Either<SnapshotError, never> => E.left({ kind: 'SnapshotError', detail });
  const localUri = parseNameAddr(stored.localUri);
  const remoteUri = parseNameAddr(stored.remoteUri);
  const target = parseUri(stored.remoteTarget);
  if (E.isLeft(localUri) || E.isLeft(remoteUri)) return fail('a dialog URI does not parse');
  if (E.isLeft(target)) return fail('the remote target does not parse');
  const routes: NameAddr[] = [];
  for (const text of stored.routeSet) {
    const route = parseNameAddr(text);
    if (E.isLeft(route)) return fail('a route does not parse');
    routes.push(route.right);
  }
  if (!Number.isSafeInteger(stored.localSeq) || stored.localSeq < 0) return fail('a bad local CSeq');
  return E.right({
    id: { callId: stored.callId, localTag: stored.localTag, remoteTag: stored.remoteTag },
    state: 'Confirmed',
    role: stored.role,
    localSeq: stored.localSeq + RECOVERED_CSEQ_MARGIN,
    remoteSeq: stored.remoteSeq === undefined ? undefined : Math.max(0, stored.remoteSeq - 1),
    localUri: localUri.right,
    remoteUri: remoteUri.right,
    remoteTarget: target.right,
    routeSet: routes,
    secure: stored.secure,
    ...(stored.flow === undefined ? {} : { flow: stored.flow }),
  });
};
