import { SNAPSHOT_VERSION, storeDialog, type CallSnapshot } from '../../domain/cluster/call-snapshot.js';
import { dialogKey } from '../../domain/dialog/dialog.js';
import { localDescription, remoteDescription } from '../../domain/session/negotiation.js';
import type { Clock } from '../../ports/clock.js';
import { sdpText } from '../session/sdp-text.js';
import type { SessionRecord } from '../session/session-record.js';

/**
 * What the store keeps of a call now: undefined unless it is answered and its dialog alive. `partner`: the
 * other leg's record, when the call is one leg of a B2BUA call (linkSessions).
 */
export const snapshotOfRecord = (
  record: SessionRecord, owner: string, clock: Clock, partner: SessionRecord | undefined,
  bridgeMates: ReadonlyArray<SessionRecord> = [],
): CallSnapshot | undefined => {
  const session = record.dialog;
  const call = record.call;
  if (session === undefined || session.terminated || !('connectedAtMs' in call)) return undefined;
  const local = localDescription(record.negotiation);
  const remote = remoteDescription(record.negotiation);
  const timer = session.sessionTimer;
  const mates = bridgeMates.flatMap((mate) => (mate.dialog === undefined ? [] : [dialogKey(mate.dialog.dialog.id)]));
  return {
    version: SNAPSHOT_VERSION, sessionId: record.id, owner, direction: record.direction, from: record.from,
    to: record.to, connectedAtEpochMs: Math.round(clock.epochMs() - (clock.nowMs() - call.connectedAtMs)),
    protocol: session.protocol, dialog: storeDialog(session.dialog),
    ...(local === undefined ? {} : { localSdp: sdpText(local) }),
    ...(remote === undefined ? {} : { remoteSdp: sdpText(remote) }),
    ...(partner?.dialog === undefined ? {} : { partner: dialogKey(partner.dialog.dialog.id) }),
    ...(timer === undefined ? {} : { sessionTimer: { ...timer, peerAllowsUpdate: session.refreshesByUpdate } }),
    ...(mates.length === 0 ? {} : { bridge: mates }),
  };
};
