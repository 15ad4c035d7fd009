import * as E from 'fp-ts/lib/Either.js';
import {
  MAX_RSEQ, OPTION_100REL, onRetransmitTimer, rackOf,
} from '../../domain/dialog/reliable-provisional.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import { getCSeq } from '../../domain/sip/core-headers.js';
import type { SipRequest, SipResponse } from '../../domain/sip/message.js';
import type { TransactionError } from '../../domain/transaction/transaction-error.js';
import type { TimerHandle } from '../../ports/clock.js';
import type { ServerTransaction } from '../transaction-layer.js';
import type { UaContext } from './ua-context.js';

interface Outstanding {
  readonly rseq: number;
  readonly response: SipResponse;
  timer: TimerHandle | undefined;
  elapsedMs: number;
  intervalMs: number;
}

/**
 * The UAS half of RFC 3262 for one INVITE: reliable provisionals numbered by RSeq (from a random start), one
 * outstanding at a time (later ones wait their turn), each retransmitted from T1, doubling, until its PRACK
 * arrives or 64·T1 passes (then `giveUp`: the INVITE is refused with a 5xx). A 2xx handed over while a
 * provisional is unacknowledged waits for its PRACK (§3: an early answer must be acknowledged first).
 */
export class ReliableProvisionals {
  private nextRseq: number;
  private outstanding: Outstanding | undefined;
  private waiting: SipResponse[] = [];
  private heldFinal: (() => void) | undefined;

  constructor(
    private readonly ctx: UaContext,
    private readonly invite: SipRequest,
    private readonly transaction: ServerTransaction,
    private readonly giveUp: () => void,
  ) {
    // §3: the first RSeq is chosen at random, low enough never to wrap within the call.
    this.nextRseq = 1 + ctx.ids.below(2 ** 30);
  }

  /** Reliable provisionals not yet acknowledged (sent or waiting). */
  get pending(): boolean {
    return this.outstanding !== undefined || this.waiting.length > 0;
  }

  /** Sends `response` reliably (Require: 100rel, RSeq), or queues it behind the unacknowledged one. */
  send(response: SipResponse): E.Either<TransactionError, void> {
    if (this.outstanding !== undefined) {
      this.waiting.push(response);
      return E.right(undefined);
    }
    return this.transmit(response);
  }

  /** Runs `send` (the 2xx) once every reliable provisional is acknowledged: now, or at the last PRACK. */
  whenAcknowledged(send: () => void): void {
    if (!this.pending) return send();
    this.heldFinal = send;
  }

  /**
   * A PRACK in the early dialog: `acknowledge` answers it (200, with an SDP answer when it carried an offer)
   * when it acknowledges the outstanding provisional, else 481 (§3).
   */
  prack(
    request: SipRequest, tx: ServerTransaction, acknowledge: (prack: SipRequest, tx: ServerTransaction) => void,
  ): void {
    const rack = rackOf(request);
    const inviteSeq = getCSeq(this.invite);
    const current = this.outstanding;
    const matches = rack !== undefined && current !== undefined && E.isRight(inviteSeq)
      && rack.rseq === current.rseq && rack.cseq === inviteSeq.right.seq && rack.method === 'INVITE';
    if (!matches) {
      void tx.respond(buildResponse(request, 481, { reason: 'No Such Provisional Response' }));
      return;
    }
    acknowledge(request, tx);
    // The answer may have ended the INVITE (a PRACK without the answer it owed): nothing more goes then.
    if (this.outstanding !== current) return;
    if (current.timer !== undefined) this.ctx.clock.cancel(current.timer);
    this.outstanding = undefined;
    const next = this.waiting.shift();
    if (next !== undefined) {
      void this.transmit(next);
      return;
    }
    const held = this.heldFinal;
    this.heldFinal = undefined;
    held?.();
  }

  /** The INVITE got its final answer another way (rejected, cancelled): no more retransmissions. */
  stop(): void {
    if (this.outstanding?.timer !== undefined) this.ctx.clock.cancel(this.outstanding.timer);
    this.outstanding = undefined;
    this.waiting = [];
    this.heldFinal = undefined;
  }

  private transmit(response: SipResponse): E.Either<TransactionError, void> {
    const rseq = this.nextRseq;
    this.nextRseq = rseq >= MAX_RSEQ ? 1 : rseq + 1;
    const reliable: SipResponse = {
      ...response,
      headers: [
        ...response.headers, { name: 'Require', value: OPTION_100REL }, { name: 'RSeq', value: String(rseq) },
      ],
    };
    const sent = this.transaction.respond(reliable);
    if (E.isLeft(sent)) return sent;
    const t1 = this.ctx.config.timers.t1Ms;
    const entry: Outstanding = { rseq, response: reliable, timer: undefined, elapsedMs: 0, intervalMs: t1 };
    this.outstanding = entry;
    this.arm(entry);
    return sent;
  }

  private arm(entry: Outstanding): void {
    entry.timer = this.ctx.clock.schedule(entry.intervalMs, () => {
      // Stopped or acknowledged meanwhile: this entry is no longer the outstanding one.
      if (this.outstanding !== entry) return;
      entry.elapsedMs += entry.intervalMs;
      const next = onRetransmitTimer(this.ctx.config.timers.t1Ms, entry.elapsedMs, entry.intervalMs);
      if (next.kind === 'GiveUp') {
        this.stop();
        this.giveUp();
        return;
      }
      // Over a reliable transport too (§3): the PRACK is what stops it, not delivery.
      void this.transaction.respond(entry.response);
      entry.intervalMs = next.nextIntervalMs;
      this.arm(entry);
    });
  }
}
