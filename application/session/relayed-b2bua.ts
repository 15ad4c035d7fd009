import * as E from 'fp-ts/lib/Either.js';
import type { CallDecision } from '../../domain/session/call-decision.js';
import type { SessionError } from '../../domain/session/session-error.js';
import type { MediaRelay, MediaRelayError, RelayCall } from '../../ports/media-relay.js';
import type { CallHandler, CallInfo } from './call-handler.js';
import type { SessionCoordinator } from './session-coordinator.js';

interface Pair {
  readonly a: string;
  b: string | undefined;
  readonly relayCall: RelayCall;
  /** The relay holds ports for this pair (its offer succeeded): `delete` is owed once. */
  anchored: boolean;
}

/** What the caller hears when the relay fails: 503 when it cannot be reached, 488 when it refused the SDP. */
const statusOf = (error: MediaRelayError): { readonly status: number; readonly reason: string } => (
  error.kind === 'Unreachable'
    ? { status: 503, reason: 'Media Relay Unavailable' } : { status: 488, reason: 'Not Acceptable Here' }
);

/**
 * A back-to-back user agent whose media is anchored in a MediaRelay (rtpengine) instead of this process: the
 * caller's offer goes through the relay to the target, the target's answer back through it to the caller, and
 * RTP flows between the phones and the relay only — this process signals. Build the coordinator with
 * `withMedia(false)` and `withMediaRelay(...)`. A relay failure refuses the call cleanly (503 unreachable, 488
 * refused) and hangs up a target that already answered: never half set up. BYE or CANCEL on either leg ends
 * the other; the relay's ports are freed when both legs are gone.
 */
export class RelayedB2bua implements CallHandler {
  private coordinator: SessionCoordinator | undefined;
  private relay: MediaRelay | undefined;
  private readonly pairs = new Map<string, Pair>();
  private bridgedCount = 0;
  private refusedCount = 0;

  constructor(
    private readonly target: (call: CallInfo) => string,
    private readonly from: (call: CallInfo) => string = (call) => call.from,
  ) {}

  /** Connects it to the coordinator, whose `mediaRelay` it uses (call before start()). */
  attach(coordinator: SessionCoordinator): this {
    const relay = coordinator.mediaRelay;
    if (relay === undefined) throw new TypeError('RelayedB2bua needs a coordinator built withMediaRelay(...)');
    this.coordinator = coordinator;
    this.relay = relay;
    coordinator.events.subscribe((event) => {
      if (event.type === 'CallEnded') this.legEnded(event.sessionId);
    }, { types: ['CallEnded'] });
    return this;
  }

  /** Pairs connected so far, and calls refused because the relay failed. */
  bridged(): number {
    return this.bridgedCount;
  }

  refusedByRelay(): number {
    return this.refusedCount;
  }

  /** Pairs whose relay ports are still held (for leak checks). */
  anchoredPairs(): number {
    return new Set([...this.pairs.values()].filter((p) => p.anchored)).size;
  }

  onIncomingCall(call: CallInfo): CallDecision {
    void this.bridge(call);
    return { kind: 'Defer' };
  }

  private async bridge(a: CallInfo): Promise<void> {
    const coordinator = this.coordinator;
    const relay = this.relay;
    if (coordinator === undefined || relay === undefined) return;
    const offer = coordinator.getRemoteSdp(a.id);
    if (offer === undefined) {
      // A delayed offer would need the relay to make the first offer itself; we relay offers we are given.
      await coordinator.rejectIncomingCall(a.id, 488, 'An Offer Is Needed To Relay Media').catch(() => undefined);
      return;
    }
    const pair: Pair = {
      a: a.id, b: undefined, relayCall: { callId: a.callId ?? a.id, fromTag: 'a' }, anchored: false,
    };
    this.pairs.set(a.id, pair);
    const anchored = await relay.offer(pair.relayCall, offer);
    if (E.isLeft(anchored)) return this.refuse(pair, anchored.left);
    pair.anchored = true;
    if (!this.live(a.id)) return this.release(pair);
    let b: CallInfo;
    try {
      b = await coordinator.createOutgoingCall(this.from(a), this.target(a), anchored.right);
    } catch (error) {
      await coordinator.rejectIncomingCall(a.id, 503, (error as SessionError).message).catch(() => undefined);
      return this.release(pair);
    }
    pair.b = b.id;
    this.pairs.set(b.id, pair);
    try {
      await coordinator.waitForAnswer(b.id, 120_000);
    } catch (error) {
      const e = error as SessionError;
      const status = e.kind === 'Rejected' ? e.status : e.kind === 'Timeout' ? 408 : 480;
      await coordinator.rejectIncomingCall(a.id, status, e.kind === 'Rejected' ? e.reason : undefined)
        .catch(() => undefined);
      return;
    }
    await this.answerCaller(pair, b.id);
  }

  /** B answered: its SDP through the relay to A; a failure here hangs B up, so nothing stays half set up. */
  private async answerCaller(pair: Pair, b: string): Promise<void> {
    const coordinator = this.coordinator!;
    const answer = coordinator.getRemoteSdp(b);
    const relayed = answer === undefined
      ? E.left<MediaRelayError, string>({ kind: 'Refused', detail: 'the target answered without SDP' })
      : await this.relay!.answer({ ...pair.relayCall, toTag: 'b' }, answer);
    if (E.isLeft(relayed)) {
      await coordinator.terminateSession(b).catch(() => undefined);
      return this.refuse(pair, relayed.left);
    }
    try {
      await coordinator.acceptIncomingCall(pair.a, relayed.right);
      this.bridgedCount++;
    } catch {
      // A went away (CANCEL) while B was answering: hang up B.
      await coordinator.terminateSession(b).catch(() => undefined);
    }
  }

  private async refuse(pair: Pair, error: MediaRelayError): Promise<void> {
    this.refusedCount++;
    const { status, reason } = statusOf(error);
    await this.coordinator?.rejectIncomingCall(pair.a, status, reason).catch(() => undefined);
    await this.release(pair);
  }

  private live(id: string): boolean {
    return this.coordinator?.listActiveSessions().includes(id) === true;
  }

  /** BYE, CANCEL or failure on one leg ends the other; with both gone the relay lets the ports go. */
  private legEnded(id: string): void {
    const pair = this.pairs.get(id);
    const coordinator = this.coordinator;
    if (pair === undefined || coordinator === undefined) return;
    const other = id === pair.a ? pair.b : pair.a;
    if (other !== undefined && this.live(other)) {
      const info = coordinator.getSession(other);
      // An A leg still ringing is answered by bridge() with B's own failure status.
      if (!(info?.direction === 'incoming' && info.state === 'Ringing')) {
        void coordinator.terminateSession(other).catch(() => undefined);
      }
      return;
    }
    void this.release(pair);
  }

  private async release(pair: Pair): Promise<void> {
    this.pairs.delete(pair.a);
    if (pair.b !== undefined) this.pairs.delete(pair.b);
    if (!pair.anchored) return;
    pair.anchored = false;
    await this.relay?.delete(pair.relayCall);
  }
}
