import * as E from 'fp-ts/lib/Either.js';
import type { Call } from '../../domain/session/call-machine.js';
import { dialogKey } from '../../domain/dialog/dialog.js';
import { restoreDialog, snapshotKey, type CallSnapshot } from '../../domain/cluster/call-snapshot.js';
import { createOffer, processAnswer, readOwnAnswer, type NegotiatedAudio } from '../../domain/sdp/offer-answer.js';
import { parseSdp } from '../../domain/sdp/parse-sdp.js';
import type { SessionDescription } from '../../domain/sdp/session-description.js';
import type { SipRequest } from '../../domain/sip/message.js';
import type { Clock } from '../../ports/clock.js';
import type { DialogStore } from '../../ports/dialog-store.js';
import type { Logger } from '../../ports/logger.js';
import type { CallLifecycle } from '../session/call-lifecycle.js';
import type { DialogBinding } from '../session/dialog-binding.js';
import type { EventBus } from '../session/event-bus.js';
import type { HoldResume } from '../session/hold-resume.js';
import type { MediaNegotiator } from '../session/media-negotiator.js';
import type { SessionRecord } from '../session/session-record.js';
import type { SessionTable } from '../session/session-table.js';
import type { InviteSession } from '../ua/invite-session.js';
import type { UaCore } from '../ua/ua-core.js';
import type { DialogPersistence } from './dialog-persistence.js';

export interface RecoveryStats {
  readonly recovered: number;
  /** Asked about a dialog the store does not hold (481). */
  readonly unknown: number;
  /** The store failed, or held something unusable. */
  readonly failed: number;
}

export interface RecoveryDeps {
  readonly store: DialogStore;
  readonly ua: UaCore;
  readonly table: SessionTable;
  readonly lifecycle: CallLifecycle;
  readonly binding: DialogBinding;
  readonly negotiator: MediaNegotiator;
  readonly holdResume: HoldResume;
  readonly events: EventBus;
  readonly persistence: DialogPersistence;
  readonly clock: Clock;
  readonly logger: Logger | undefined;
  /** This process's worker id: a recovered call is stored under it from now on. */
  readonly owner: string;
  readonly maxSessions: number;
  /** Bridges two recovered legs of one B2BUA call. */
  readonly pair: (first: string, second: string) => void;
  /** Where recovered conferences are put together again. */
  readonly bridges: {
    bridgeOf(sessionId: string): string | undefined;
    create(autoDestroy: boolean): string;
    add(bridgeId: string, sessionId: string): unknown;
  };
}

/** Where an adopted call starts, so that answering it runs what any answered call runs. */
const RINGING: Call = { tag: 'Ringing' };

/** Requests that carry (or may carry) their own offer: the answer to it moves the media, no re-INVITE of ours. */
const BRINGS_OFFER: ReadonlySet<string> = new Set(['INVITE', 'UPDATE']);

/**
 * Carries on a call whose process died: asked about an in-dialog request for a dialog we do not hold, it loads
 * the call from the dialog store, adopts its dialog in the UA core (CSeq continued), makes it a live session
 * here (same session id, events, application callbacks, longest-call timer), and moves its media to this
 * process — a re-INVITE offering our own RTP port, the o= version continued — unless the request is a BYE
 * (nothing to move) or brings an offer of its own (our answer moves it). Concurrent requests for one dialog
 * share one load.
 */
export class CallRecovery {
  private readonly loading = new Map<string, Promise<InviteSession | undefined>>();
  private counts = { recovered: 0, unknown: 0, failed: 0 };

  constructor(private readonly deps: RecoveryDeps) {}

  stats(): RecoveryStats {
    return { ...this.counts };
  }

  recover(key: string, request: SipRequest): Promise<InviteSession | undefined> {
    const pending = this.loading.get(key);
    if (pending !== undefined) return pending;
    const loaded = this.load(key, request).finally(() => this.loading.delete(key));
    this.loading.set(key, loaded);
    return loaded;
  }

  /**
   * A dead worker's call found by the watch (no request brought it): adopted and its media moved here at once.
   * False when this process holds it already, or it cannot be used.
   */
  async adoptStored(snapshot: CallSnapshot): Promise<boolean> {
    const key = snapshotKey(snapshot);
    if (this.deps.ua.holds(key) || this.loading.has(key)) return false;
    const adopting = this.adopt(key, snapshot, undefined).then((record) => record?.dialog);
    this.loading.set(key, adopting);
    try {
      return (await adopting) !== undefined;
    } finally {
      this.loading.delete(key);
    }
  }

  private async load(key: string, request: SipRequest): Promise<InviteSession | undefined> {
    const { store, logger } = this.deps;
    let snapshot: CallSnapshot | undefined;
    try {
      snapshot = await store.load(key);
    } catch (error) {
      this.counts.failed++;
      logger?.warn('dialog store unreachable: an unknown dialog is answered 481', {
        error: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    }
    if (snapshot === undefined) {
      this.counts.unknown++;
      return undefined;
    }
    return (await this.adopt(key, snapshot, request.method))?.dialog;
  }

  /**
   * `method`: the request that brought the call here; undefined when the watch found it. A B2BUA leg brings
   * its partner along (the same way: a BYE's partner is about to be hung up, so neither moves its media).
   */
  private async adopt(
    key: string, snapshot: CallSnapshot, method: string | undefined,
  ): Promise<SessionRecord | undefined> {
    const { logger } = this.deps;
    if (this.deps.table.liveCount >= this.deps.maxSessions) {
      this.counts.failed++;
      logger?.warn('a call to recover finds the session limit reached', { callId: snapshot.dialog.callId });
      return undefined;
    }
    const dialog = restoreDialog(snapshot.dialog);
    if (E.isLeft(dialog)) {
      this.counts.failed++;
      logger?.warn('a stored call is unusable', { detail: dialog.left.detail });
      return undefined;
    }
    const session = this.deps.ua.adopt(dialog.right, snapshot.protocol);
    const record = await this.adopted(snapshot, session, method, key);
    this.counts.recovered++;
    const partner = snapshot.partner === undefined ? undefined : await this.partnerOf(record, snapshot.partner, method);
    if (snapshot.bridge !== undefined) await this.rejoin(record, snapshot.bridge, method);
    this.deps.events.publish({
      type: 'CallRecovered', sessionId: record.id, callId: snapshot.dialog.callId, owner: snapshot.owner,
      ...(partner === undefined ? {} : { partner: partner.id }),
    });
    logger?.info('call recovered', {
      session: record.id, callId: snapshot.dialog.callId, previousOwner: snapshot.owner, by: method ?? 'watch',
    });
    return record;
  }

  /** The other leg, adopted too unless held here already, linked and (both with media) bridged again. */
  private async partnerOf(
    record: SessionRecord, key: string, method: string | undefined,
  ): Promise<SessionRecord | undefined> {
    const partner = await this.companion(key, method);
    if (partner === undefined) return undefined;
    record.partner = partner.id;
    partner.partner = record.id;
    if (record.media !== undefined && partner.media !== undefined) this.deps.pair(record.id, partner.id);
    return partner;
  }

  private async adopted(
    snapshot: CallSnapshot, session: InviteSession, method: string | undefined, key: string,
  ): Promise<SessionRecord> {
    const { table, binding, lifecycle, negotiator, clock, persistence } = this.deps;
    const record = table.create(snapshot.direction, snapshot.from, snapshot.to, snapshot.sessionId);
    persistence.adopted(record, key);
    record.callId = snapshot.dialog.callId;
    record.peerSdp = snapshot.remoteSdp;
    record.call = RINGING;
    binding.attach(record, session);
    const timer = snapshot.sessionTimer;
    if (timer !== undefined) session.resumeSessionTimer(timer, timer.peerAllowsUpdate);
    // Only real media moves: SDP without RTP behind it (signaling-only workers) has nothing to re-point.
    const moving = method !== 'BYE' && negotiator.opensMedia ? await this.restoreMedia(record, snapshot) : false;
    // Established here: the application's callbacks and the events run as for any answered call.
    lifecycle.apply(record, { tag: 'Answered', nowMs: clock.nowMs() });
    const call: Call = record.call;
    if (call.tag === 'Connected') {
      const connectedAtMs = clock.nowMs() - (clock.epochMs() - snapshot.connectedAtEpochMs);
      record.call = { ...call, connectedAtMs };
      binding.armTimeout(record, binding.longestCallMs - (clock.nowMs() - connectedAtMs));
    }
    persistence.changed(record);
    if (moving && (method === undefined || !BRINGS_OFFER.has(method))) {
      // After the request that brought us here is answered: our re-INVITE must not cross it.
      clock.schedule(0, () => void this.moveMedia(record));
    }
    return record;
  }

  /** The members of its bridge (a conference), adopted too, in one bridge here again — the one some are in. */
  private async rejoin(record: SessionRecord, keys: ReadonlyArray<string>, method: string | undefined): Promise<void> {
    const mates: SessionRecord[] = [];
    for (const key of keys) {
      const mate = await this.companion(key, method);
      if (mate !== undefined) mates.push(mate);
    }
    const members = [record, ...mates].filter((r) => r.media !== undefined && this.deps.table.isLive(r.id));
    if (members.length < 2) return;
    const bridged = members.find((r) => this.deps.bridges.bridgeOf(r.id) !== undefined);
    const bridgeId = bridged === undefined ? this.deps.bridges.create(true) : this.deps.bridges.bridgeOf(bridged.id)!;
    for (const member of members) {
      if (this.deps.bridges.bridgeOf(member.id) === undefined) this.deps.bridges.add(bridgeId, member.id);
    }
  }

  /** A call this one is tied to (partner, bridge member): the one held here, or adopted from the store now. */
  private async companion(key: string, method: string | undefined): Promise<SessionRecord | undefined> {
    const held = this.deps.table.liveRecords().find((r) => r.dialog !== undefined
      && dialogKey(r.dialog.dialog.id) === key);
    if (held !== undefined || this.deps.ua.holds(key)) return held;
    const stored = await this.deps.store.load(key).catch(() => undefined);
    // A BYE's companions are about to end too: neither moves its media.
    return stored === undefined ? undefined : this.adopt(key, stored, method === 'BYE' ? 'BYE' : undefined);
  }

  /**
   * The stored agreement, with our side now a new description of our own port (same o= session, same version:
   * the re-offer adds one). The media starts at once toward the peer, which hears us before it answers.
   */
  private async restoreMedia(record: SessionRecord, snapshot: CallSnapshot): Promise<boolean> {
    const { negotiator, logger } = this.deps;
    const stored = parseStored(snapshot);
    if (stored === undefined) return false;
    const local = await negotiator.localFor(record, 'sendrecv');
    if (E.isLeft(local)) {
      logger?.warn('no media for a recovered call', { session: record.id, detail: local.left.message });
      return false;
    }
    const ours = createOffer(local.right, {
      username: stored.local.origin.username, sessionId: stored.local.origin.sessionId,
      sessionVersion: stored.local.origin.sessionVersion,
    });
    const terms = storedTerms(stored.local, stored.remote, snapshot.direction);
    record.negotiation = { tag: 'Agreed', agreement: { local: ours, remote: stored.remote, negotiated: terms } };
    if (terms !== undefined) negotiator.applyTerms(record, terms);
    return true;
  }

  private async moveMedia(record: SessionRecord): Promise<void> {
    if (!this.deps.table.isLive(record.id)) return;
    const moved = await this.deps.holdResume.reoffer(record);
    if (E.isLeft(moved)) {
      this.deps.logger?.warn('the re-INVITE moving a recovered call\'s media failed', {
        session: record.id, detail: moved.left.message,
      });
    }
  }
}

const parseStored = (
  snapshot: CallSnapshot,
): { readonly local: SessionDescription; readonly remote: SessionDescription } | undefined => {
  if (snapshot.localSdp === undefined || snapshot.remoteSdp === undefined) return undefined;
  const local = parseSdp(snapshot.localSdp);
  const remote = parseSdp(snapshot.remoteSdp);
  return E.isRight(local) && E.isRight(remote) ? { local: local.right, remote: remote.right } : undefined;
};

/**
 * The terms in force, read from the two stored descriptions. Which one was the offer is not stored: the
 * INVITE's offerer is assumed (the caller's), as in every call with the offer in its INVITE.
 */
const storedTerms = (
  local: SessionDescription, remote: SessionDescription, direction: 'incoming' | 'outgoing',
): NegotiatedAudio | undefined => {
  const terms = direction === 'incoming' ? readOwnAnswer(remote, local) : processAnswer(local, remote);
  return E.isRight(terms) ? terms.right : undefined;
};
