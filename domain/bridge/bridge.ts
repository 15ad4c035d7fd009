/**
 * Bridge membership as a value: which sessions are joined, since when, and
 * whether the bridge should go away when members leave.
 */
import * as E from 'fp-ts/lib/Either.js';

export interface Bridge {
  readonly id: string;
  readonly members: ReadonlyArray<string>;
  readonly createdAtMs: number;
  /** Destroy when empty, or when a two-party bridge loses a leg (the default). */
  readonly autoDestroy: boolean;
  /** Largest membership so far: a bridge that was two-party ends when one leg leaves. */
  readonly peakMembers: number;
}

export interface BridgeError {
  readonly kind: 'BridgeError';
  readonly reason: 'AlreadyMember' | 'NotMember';
  readonly detail: string;
}

export const createBridge = (id: string, createdAtMs: number, autoDestroy = true): Bridge => ({
  id, members: [], createdAtMs, autoDestroy, peakMembers: 0,
});

export const addMember = (bridge: Bridge, sessionId: string): E.Either<BridgeError, Bridge> =>
  bridge.members.includes(sessionId)
    ? E.left({ kind: 'BridgeError', reason: 'AlreadyMember', detail: `${sessionId} is already in ${bridge.id}` })
    : E.right({
      ...bridge, members: [...bridge.members, sessionId],
      peakMembers: Math.max(bridge.peakMembers, bridge.members.length + 1),
    });

export const removeMember = (bridge: Bridge, sessionId: string): E.Either<BridgeError, Bridge> =>
  bridge.members.includes(sessionId)
    ? E.right({ ...bridge, members: bridge.members.filter((m) => m !== sessionId) })
    : E.left({ kind: 'BridgeError', reason: 'NotMember', detail: `${sessionId} is not in ${bridge.id}` });

/** After a member left: should the bridge be destroyed? */
export const shouldDestroy = (bridge: Bridge): boolean =>
  bridge.autoDestroy && (bridge.members.length === 0 || (bridge.peakMembers === 2 && bridge.members.length < 2));
