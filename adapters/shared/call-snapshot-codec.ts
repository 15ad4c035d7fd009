import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { SNAPSHOT_VERSION, type CallSnapshot } from '../../domain/cluster/call-snapshot.js';

const protocol = t.keyof({ udp: null, tcp: null, tls: null, ws: null, wss: null });

const storedDialog = t.intersection([
  t.type({
    callId: t.string, localTag: t.string, remoteTag: t.string, role: t.keyof({ UAC: null, UAS: null }),
    localSeq: t.number, localUri: t.string, remoteUri: t.string, remoteTarget: t.string,
    routeSet: t.readonlyArray(t.string), secure: t.boolean,
  }),
  t.partial({ remoteSeq: t.number, flow: t.type({ protocol, host: t.string, port: t.number }) }),
]);

const snapshot = t.intersection([
  t.type({
    version: t.literal(SNAPSHOT_VERSION), sessionId: t.string, owner: t.string,
    direction: t.keyof({ incoming: null, outgoing: null }), from: t.string, to: t.string,
    connectedAtEpochMs: t.number, protocol, dialog: storedDialog,
  }),
  t.partial({
    localSdp: t.string, remoteSdp: t.string, partner: t.string, bridge: t.readonlyArray(t.string),
    sessionTimer: t.type({ intervalSec: t.number, weRefresh: t.boolean, peerAllowsUpdate: t.boolean }),
  }),
]);

/** A stored call as text. */
export const encodeSnapshot = (value: CallSnapshot): string => JSON.stringify(value);

/** Text from a store back to a call: anything that is not JSON of the right shape is undefined. */
export const decodeSnapshot = (text: string): CallSnapshot | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const decoded = snapshot.decode(parsed);
  return E.isRight(decoded) ? decoded.right : undefined;
};
