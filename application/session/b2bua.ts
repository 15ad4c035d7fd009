import type { CallDecision } from '../../domain/session/call-decision.js';
import type { SessionError } from '../../domain/session/session-error.js';
import type { CallHandler, CallInfo } from './call-handler.js';
import type { SessionCoordinator } from './session-coordinator.js';

/**
 * A back-to-back user agent: each incoming call (the A leg) rings while an
 * outgoing call (the B leg) is placed to the target; when B answers, A is
 * answered and both are bridged. Early media on B (a ringback or an
 * announcement in a 183) is passed on: A gets a 183 with our answer and the
 * legs are bridged at once, so the caller hears it too. BYE on either leg
 * ends the other; a CANCEL of A cancels B; B's failure is A's failure, with
 * B's status.
 */
export class B2bua implements CallHandler {
  private coordinator: SessionCoordinator | undefined;
  private readonly otherLeg = new Map<string, string>();
  private pairs = 0;

  constructor(
    private readonly target: (call: CallInfo) => string,
    private readonly from: (call: CallInfo) => string = (call) => call.from,
  ) {}

  /** Connects the helper to the coordinator it handles calls for (call before start()). */
  attach(coordinator: SessionCoordinator): this {
    this.coordinator = coordinator;
    coordinator.events.subscribe((event) => {
      if (event.type === 'CallEnded') this.legEnded(event.sessionId);
      else if (event.type === 'EarlyMedia') void this.passEarlyMedia(event.sessionId);
      else if (event.type === 'CallRecovered' && event.partner !== undefined) {
        // A pair another worker carried, recovered here: one leg ending ends the other, as before.
        this.otherLeg.set(event.sessionId, event.partner);
        this.otherLeg.set(event.partner, event.sessionId);
      }
    }, { types: ['CallEnded', 'EarlyMedia', 'CallRecovered'] });
    return this;
  }

  /** Pairs bridged so far. */
  bridged(): number {
    return this.pairs;
  }

  onIncomingCall(call: CallInfo): CallDecision {
    void this.placeBLeg(call);
    return { kind: 'Defer' };
  }

  private async placeBLeg(a: CallInfo): Promise<void> {
    const coordinator = this.coordinator;
    if (coordinator === undefined) return;
    let b: CallInfo;
    try {
      b = await coordinator.createOutgoingCall(this.from(a), this.target(a));
    } catch (error) {
      await coordinator.rejectIncomingCall(a.id, 503, (error as SessionError).message).catch(() => undefined);
      return;
    }
    this.otherLeg.set(a.id, b.id);
    this.otherLeg.set(b.id, a.id);
    try {
      await coordinator.waitForAnswer(b.id, 120_000);
    } catch (error) {
      const e = error as SessionError;
      // B failed: A fails the same way (status carried over), unless A is already gone.
      const status = e.kind === 'Rejected' ? e.status : e.kind === 'Timeout' ? 408 : 480;
      const reason = e.kind === 'Rejected' ? e.reason : undefined;
      await coordinator.rejectIncomingCall(a.id, status, reason).catch(() => undefined);
      return;
    }
    try {
      await coordinator.acceptIncomingCall(a.id);
      coordinator.linkSessions(a.id, b.id);
      // Legs bridged for early media stay bridged.
      if (coordinator.getSessionBridge(a.id) === undefined) coordinator.bridgeSessions(a.id, b.id);
      this.pairs++;
    } catch {
      // A went away (CANCEL) while B was answering: hang up B.
      await coordinator.terminateSession(b.id).catch(() => undefined);
    }
  }

  /**
   * B's side plays early media: answer A in a 183 and bridge the legs now (once; an A without an offer cannot have it).
   */
  private async passEarlyMedia(b: string): Promise<void> {
    const coordinator = this.coordinator;
    const a = this.otherLeg.get(b);
    // Our own 183 on A raises EarlyMedia too: only the outgoing leg's counts.
    if (coordinator === undefined || a === undefined) return;
    if (coordinator.getSession(b)?.direction !== 'outgoing' || coordinator.getSessionBridge(a) !== undefined) return;
    try {
      await coordinator.sendEarlyMedia(a);
      if (coordinator.getSessionBridge(a) === undefined) coordinator.bridgeSessions(a, b);
    } catch {
      // A is gone or offered nothing: it hears B once B answers.
    }
  }

  /** BYE, CANCEL or failure on one leg ends the other (never a BYE for a dialog that is gone: no 481s). */
  private legEnded(sessionId: string): void {
    const other = this.otherLeg.get(sessionId);
    if (other === undefined) return;
    this.otherLeg.delete(sessionId);
    this.otherLeg.delete(other);
    const coordinator = this.coordinator;
    const info = coordinator?.getSession(other);
    if (coordinator === undefined || info === undefined || !coordinator.listActiveSessions().includes(other)) return;
    // An A leg still ringing is answered by placeBLeg with B's own failure status.
    if (info.direction === 'incoming' && info.state === 'Ringing') return;
    void coordinator.terminateSession(other).catch(() => undefined);
  }
}
