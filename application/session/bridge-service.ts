import * as E from 'fp-ts/lib/Either.js';
import { addMember, createBridge, removeMember, shouldDestroy, type Bridge } from '../../domain/bridge/bridge.js';
import { saturate16 } from '../../domain/bridge/mix.js';
import type { SessionError } from '../../domain/session/session-error.js';
import type { Clock } from '../../ports/clock.js';
import type { IdGenerator } from '../id-generator.js';
import type { MediaSession } from '../media/media-session.js';

export type BridgeEvent =
  | { readonly type: 'ParticipantAdded'; readonly bridgeId: string; readonly sessionId: string }
  | {
    readonly type: 'ParticipantRemoved'; readonly bridgeId: string; readonly sessionId: string; readonly reason: string;
  }
  | { readonly type: 'BridgeDestroyed'; readonly bridgeId: string };

export interface BridgeInfo {
  readonly id: string;
  readonly sessions: ReadonlyArray<string>;
  readonly createdAtMs: number;
  readonly participantCount: number;
}

/** What the bridge service needs from the coordinator. */
export interface BridgeHost {
  /** The session's media when it is connected (or ringing with early media running), else undefined. */
  mediaOf(sessionId: string): MediaSession | undefined;
  /** Sends a digit to a session (RFC 4733 or INFO, as negotiated). */
  forwardDtmf(sessionId: string, digit: string): void;
}

interface Member {
  readonly sessionId: string;
  readonly media: MediaSession;
  /** The member's latest received (decoded, jitter-buffered) frame and a counter of frames. */
  readonly latest: Int16Array;
  counter: number;
  /** Per speaker: the counter already mixed into this member's output. */
  readonly seen: Map<string, number>;
}

/**
 * Bridges and conferences over the media sessions: every member's received
 * audio is decoded with its own codec, each member hears the sum of the
 * others (a relay for two, a mix for more), re-encoded with its own codec,
 * SSRC, sequence and timestamp — so PCMU and PCMA legs transcode for free.
 */
export class BridgeService {
  private readonly bridges = new Map<string, Bridge>();
  private readonly members = new Map<string, Map<string, Member>>();
  private readonly memberOf = new Map<string, string>();
  private readonly listeners = new Set<(event: BridgeEvent) => void>();
  private readonly accumulator = new Int32Array(160);

  constructor(
    private readonly host: BridgeHost, private readonly clock: Clock, private readonly ids: IdGenerator,
    private readonly onListenerFailure: (error: unknown) => void = () => undefined,
  ) {}

  /** A new bridge holding the two calls (a relay); nothing is left behind when one cannot join. */
  pair(first: string, second: string): E.Either<SessionError, string> {
    const id = this.create();
    for (const sessionId of [first, second]) {
      const added = this.add(id, sessionId);
      if (E.isLeft(added)) {
        this.destroy(id);
        return added;
      }
    }
    return E.right(id);
  }

  create(autoDestroy = true): string {
    const id = `bridge-${this.ids.token(10)}`;
    this.bridges.set(id, createBridge(id, this.clock.nowMs(), autoDestroy));
    this.members.set(id, new Map());
    return id;
  }

  add(bridgeId: string, sessionId: string): E.Either<SessionError, void> {
    const bridge = this.bridges.get(bridgeId);
    if (bridge === undefined) return E.left({
      kind: 'SessionNotFound', sessionId: bridgeId, message: `no bridge ${bridgeId}`,
    });
    const elsewhere = this.memberOf.get(sessionId);
    if (elsewhere !== undefined) return E.left({
      kind: 'InvalidState', state: 'Bridged', operation: 'addSessionToBridge',
      message: `${sessionId} is already in ${elsewhere}`,
    });
    const media = this.host.mediaOf(sessionId);
    if (media === undefined) return E.left({
      kind: 'InvalidState', state: 'NotConnected', operation: 'addSessionToBridge',
      message: `${sessionId} has no connected media`,
    });
    const added = addMember(bridge, sessionId);
    if (E.isLeft(added)) return E.left({
      kind: 'InvalidState', state: 'Bridged', operation: 'addSessionToBridge', message: added.left.detail,
    });
    this.bridges.set(bridgeId, added.right);
    const member: Member = { sessionId, media, latest: new Int16Array(160), counter: 0, seen: new Map() };
    this.members.get(bridgeId)?.set(sessionId, member);
    this.memberOf.set(sessionId, bridgeId);
    media.setSink({ kind: 'callback', onFrame: (frame) => {
      member.latest.set(frame.subarray(0, member.latest.length));
      member.counter++;
    } });
    media.setSource({ kind: 'callback', fill: (frame) => this.mixFor(bridgeId, member, frame) });
    media.start();
    this.emit({ type: 'ParticipantAdded', bridgeId, sessionId });
    return E.right(undefined);
  }

  remove(bridgeId: string, sessionId: string, reason = 'Removed'): E.Either<SessionError, void> {
    const bridge = this.bridges.get(bridgeId);
    const member = this.members.get(bridgeId)?.get(sessionId);
    if (bridge === undefined || member === undefined) return E.left({
      kind: 'SessionNotFound', sessionId, message: `${sessionId} is not in ${bridgeId}`,
    });
    const removed = removeMember(bridge, sessionId);
    if (E.isLeft(removed)) return E.left({ kind: 'SessionNotFound', sessionId, message: removed.left.detail });
    this.bridges.set(bridgeId, removed.right);
    this.members.get(bridgeId)?.delete(sessionId);
    this.memberOf.delete(sessionId);
    member.media.setSource({ kind: 'silence' });
    member.media.setSink({ kind: 'discard' });
    this.emit({ type: 'ParticipantRemoved', bridgeId, sessionId, reason });
    if (shouldDestroy(removed.right)) this.destroy(bridgeId);
    return E.right(undefined);
  }

  destroy(bridgeId: string): E.Either<SessionError, void> {
    if (!this.bridges.has(bridgeId)) return E.left({
      kind: 'SessionNotFound', sessionId: bridgeId, message: `no bridge ${bridgeId}`,
    });
    for (const sessionId of [...(this.members.get(bridgeId)?.keys() ?? [])]) this.remove(
      bridgeId, sessionId, 'BridgeDestroyed',
    );
    if (!this.bridges.has(bridgeId)) return E.right(undefined);
    this.bridges.delete(bridgeId);
    this.members.delete(bridgeId);
    this.emit({ type: 'BridgeDestroyed', bridgeId });
    return E.right(undefined);
  }

  bridgeOf(sessionId: string): string | undefined {
    return this.memberOf.get(sessionId);
  }

  /** The other sessions in the bridge of `sessionId` (none when it is in no bridge). */
  matesOf(sessionId: string): string[] {
    const id = this.memberOf.get(sessionId);
    return id === undefined ? [] : this.sessionsIn(id).filter((other) => other !== sessionId);
  }

  sessionsIn(bridgeId: string): string[] {
    return [...(this.members.get(bridgeId)?.keys() ?? [])];
  }

  list(): BridgeInfo[] {
    return [...this.bridges.values()].map(
      (b) => ({ id: b.id, sessions: b.members, createdAtMs: b.createdAtMs, participantCount: b.members.length }),
    );
  }

  subscribe(listener: (event: BridgeEvent) => void): { unsubscribe(): void } {
    this.listeners.add(listener);
    return { unsubscribe: () => void this.listeners.delete(listener) };
  }

  /** A bridged session ended: it leaves its bridge (which may then go away). */
  sessionEnded(sessionId: string, reason: string): void {
    const bridgeId = this.memberOf.get(sessionId);
    if (bridgeId !== undefined) this.remove(bridgeId, sessionId, reason);
  }

  /** DTMF from a member is carried to every other member; true when it was bridged. */
  dtmf(sessionId: string, digit: string): boolean {
    const bridgeId = this.memberOf.get(sessionId);
    if (bridgeId === undefined) return false;
    for (const other of this.members.get(bridgeId)?.keys() ?? []) if (other !== sessionId) this.host.forwardDtmf(
      other, digit,
    );
    return true;
  }

  count(): number {
    return this.bridges.size;
  }

  /** Listeners are the application's: one that throws is reported and the others still hear the event. */
  private emit(event: BridgeEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerFailure(error);
      }
    }
  }

  /** What `listener` hears: every other member's newest unheard frame, summed and saturated. */
  private mixFor(bridgeId: string, listener: Member, out: Int16Array): void {
    const acc = this.accumulator;
    acc.fill(0, 0, out.length);
    for (const speaker of this.members.get(bridgeId)?.values() ?? []) {
      if (speaker === listener || speaker.counter === (listener.seen.get(speaker.sessionId) ?? 0)) continue;
      listener.seen.set(speaker.sessionId, speaker.counter);
      const frame = speaker.latest;
      for (let k = 0; k < out.length; k++) acc[k] = (acc[k] as number) + (frame[k] as number);
    }
    for (let k = 0; k < out.length; k++) out[k] = saturate16(acc[k] as number);
  }
}
