import type { Binding } from '../../domain/registrar/registrar.js';
import { contactReach, firstHop } from '../../domain/registrar/contact-reach.js';
import type { CallDecision } from '../../domain/session/call-decision.js';
import { bestResponse } from '../../domain/session/best-response.js';
import type { SessionError } from '../../domain/session/session-error.js';
import { ANSWERED_ELSEWHERE } from '../../domain/sip/reason-header.js';
import type { CallHandler, CallInfo } from './call-handler.js';
import type { IncomingMessage } from './message-service.js';
import type { SessionCoordinator } from './session-coordinator.js';

export interface ForkingRouterOptions {
  /**
   * How long the contacts ring before they are cancelled (default 25 s); keep it under the builder's
   * `withDeferTimeout` (30 s by default), which answers a caller left waiting 480 whatever the branches do.
   */
  readonly ringTimeoutMs?: number;
  /** Contacts rung at once, highest q first (default 10). */
  readonly maxBranches?: number;
  /** Who a call to an address we hold no bindings for goes to instead (a B2BUA leg), if anyone. */
  readonly elsewhere?: (call: CallInfo) => string | undefined;
}

/** One incoming call and the calls placed to the callee's contacts for it. */
interface Fork {
  readonly a: string;
  readonly ringing: Set<string>;
  readonly failures: number[];
  /** The contact that answered; then the fork is a bridged pair. */
  winner: string | undefined;
  /** The caller went away, or the call was answered elsewhere: no further branch may win. */
  over: boolean;
  /** The branch whose early media the caller hears (bridged before the answer). */
  early: string | undefined;
}

const statusOf = (error: SessionError): number => (
  error.kind === 'Rejected' ? error.status : error.kind === 'Timeout' ? 408 : error.kind === 'Cancelled' ? 487 : 480
);

/**
 * A small PBX's call routing: a call to a user registered here rings every
 * contact of theirs at once (RFC 3261 forking, done as a B2BUA: the caller
 * sees one dialog); the first to answer is bridged to the caller, the others
 * are CANCELled with Reason "Call completed elsewhere" (RFC 3326). Nobody
 * registered: 480; every contact failed: the best of their answers (§16.7:
 * 486 when all are busy). A hang-up on either side ends the other. A MESSAGE
 * to a registered user is relayed to each of their contacts (RFC 3428),
 * answered 200 when one took it.
 */
export class ForkingRouter implements CallHandler {
  private coordinator: SessionCoordinator | undefined;
  private readonly forks = new Map<string, Fork>();
  /** Every leg placed for a fork → the fork's incoming call. */
  private readonly forkOf = new Map<string, string>();
  private readonly pairOf = new Map<string, string>();
  private answered = 0;

  constructor(private readonly options: ForkingRouterOptions = {}) {}

  /** Connects the router to the coordinator it handles calls for (call before start()). */
  attach(coordinator: SessionCoordinator): this {
    this.coordinator = coordinator;
    coordinator.events.subscribe((event) => {
      if (event.type === 'CallEnded') this.ended(event.sessionId);
      else if (event.type === 'EarlyMedia') void this.passEarlyMedia(event.sessionId);
    }, { types: ['CallEnded', 'EarlyMedia'] });
    return this;
  }

  /** Calls answered and bridged so far. */
  bridged(): number {
    return this.answered;
  }

  /** Calls being set up or bridged now (for leak checks). */
  live(): number {
    return this.forks.size;
  }

  onIncomingCall(call: CallInfo): CallDecision {
    void this.route(call);
    return { kind: 'Defer' };
  }

  async onMessage(message: IncomingMessage): Promise<number | void> {
    const coordinator = this.coordinator;
    // Inside a call the message was for us (the B2BUA leg's dialog ends here).
    if (coordinator === undefined || message.sessionId !== undefined) return undefined;
    const contacts = this.reachable(await coordinator.lookup(message.to).catch(() => []));
    if (contacts.length === 0) return 480;
    const statuses = await Promise.all(contacts.map((binding) => coordinator.sendMessage(
      message.from, message.to, message.body, message.contentType, contactReach(binding),
    ).catch((error: SessionError) => statusOf(error))));
    return statuses.find((s) => s >= 200 && s < 300) ?? bestResponse(statuses);
  }

  private async route(a: CallInfo): Promise<void> {
    const coordinator = this.coordinator;
    if (coordinator === undefined) return;
    const found = await coordinator.lookup(a.to).catch(() => undefined);
    if (found === undefined) return this.reject(a.id, 500);
    const contacts = this.reachable(found).slice(0, this.options.maxBranches ?? 10);
    if (contacts.length === 0) {
      const other = this.options.elsewhere?.(a);
      return other === undefined ? this.reject(a.id, 480) : this.ring(a, [other], []);
    }
    return this.ring(a, contacts.map((b) => b.uri), contacts);
  }

  /** Places one leg per target at once; each follows its own answer. */
  private async ring(a: CallInfo, targets: ReadonlyArray<string>, contacts: ReadonlyArray<Binding>): Promise<void> {
    const coordinator = this.coordinator as SessionCoordinator;
    const fork: Fork = { a: a.id, ringing: new Set(), failures: [], winner: undefined, over: false, early: undefined };
    this.forks.set(a.id, fork);
    await Promise.all(targets.map(async (target, i) => {
      const binding = contacts[i];
      const to = binding === undefined ? target : a.to;
      try {
        const reach = binding === undefined ? {} : contactReach(binding);
        const b = await coordinator.createOutgoingCall(a.from, to, undefined, [], reach);
        this.forkOf.set(b.id, a.id);
        if (fork.over) return void coordinator.terminateSession(b.id).catch(() => undefined);
        fork.ringing.add(b.id);
        void this.follow(fork, b.id);
      } catch (error) {
        fork.failures.push(statusOf(error as SessionError));
      }
    }));
    if (fork.ringing.size === 0 && fork.winner === undefined && !fork.over) this.giveUp(fork);
  }

  private async follow(fork: Fork, b: string): Promise<void> {
    const coordinator = this.coordinator as SessionCoordinator;
    try {
      await coordinator.waitForAnswer(b, this.options.ringTimeoutMs ?? 25_000);
    } catch (error) {
      fork.ringing.delete(b);
      fork.failures.push(statusOf(error as SessionError));
      if (fork.ringing.size === 0 && fork.winner === undefined && !fork.over) this.giveUp(fork);
      return;
    }
    fork.ringing.delete(b);
    // A second answer, or one after the caller left: that branch is hung up (its 2xx was ACKed, §13.2.2.4).
    if (fork.winner !== undefined || fork.over) return void coordinator.terminateSession(b).catch(() => undefined);
    fork.winner = b;
    fork.over = true;
    for (const other of fork.ringing) {
      void coordinator.terminateSession(other, { reason: ANSWERED_ELSEWHERE }).catch(() => undefined);
    }
    try {
      await coordinator.acceptIncomingCall(fork.a);
      const bridge = coordinator.getSessionBridge(fork.a);
      if (fork.early !== b) {
        if (bridge !== undefined) coordinator.destroyBridge(bridge);
        coordinator.bridgeSessions(fork.a, b);
      }
      this.pairOf.set(fork.a, b);
      this.pairOf.set(b, fork.a);
      this.answered++;
    } catch {
      // The caller went away while the callee answered.
      await coordinator.terminateSession(b).catch(() => undefined);
    }
  }

  private giveUp(fork: Fork): void {
    fork.over = true;
    this.reject(fork.a, bestResponse(fork.failures));
  }

  private reject(a: string, status: number): void {
    void this.coordinator?.rejectIncomingCall(a, status).catch(() => undefined);
  }

  /** The first branch with early media (a 183 with SDP) is heard by the caller until someone answers. */
  private async passEarlyMedia(b: string): Promise<void> {
    const coordinator = this.coordinator;
    const fork = this.forks.get(this.forkOf.get(b) ?? '');
    if (coordinator === undefined || fork === undefined || fork.over || fork.early !== undefined) return;
    if (coordinator.getSession(b)?.direction !== 'outgoing') return;
    fork.early = b;
    try {
      await coordinator.sendEarlyMedia(fork.a);
      coordinator.bridgeSessions(fork.a, b);
    } catch {
      // The caller offered nothing, or went: it hears the winner once answered.
      fork.early = undefined;
    }
  }

  /** A leg or the caller ended: the rest of the fork follows, and its state is forgotten when all is over. */
  private ended(sessionId: string): void {
    const coordinator = this.coordinator;
    const paired = this.pairOf.get(sessionId);
    if (paired !== undefined) {
      this.pairOf.delete(sessionId);
      this.pairOf.delete(paired);
      if (coordinator?.listActiveSessions().includes(paired) === true) {
        void coordinator.terminateSession(paired).catch(() => undefined);
      }
    }
    const fork = this.forks.get(sessionId);
    if (fork !== undefined) {
      // The caller hung up or cancelled: every branch still ringing is cancelled.
      fork.over = true;
      for (const b of fork.ringing) void coordinator?.terminateSession(b).catch(() => undefined);
      this.forks.delete(sessionId);
    }
    this.forkOf.delete(sessionId);
    if (fork?.early === sessionId) fork.early = undefined;
  }

  /** Contacts that would not lead back to us (a phone registered our own address would loop). */
  private reachable(bindings: ReadonlyArray<Binding>): Binding[] {
    const coordinator = this.coordinator;
    if (coordinator === undefined) return [];
    const ours = (['udp', 'tcp', 'tls', 'ws', 'wss'] as const).map((p) => coordinator.localEndpointFor(p))
      .flatMap((e) => (e === undefined ? [] : [`${e.host}:${e.port}`]));
    return bindings.filter((b) => {
      const hop = firstHop(b);
      return hop !== undefined && !ours.includes(`${hop.host}:${hop.port}`);
    });
  }
}
