import * as E from 'fp-ts/lib/Either.js';
import type { SipResponse } from '../../domain/sip/message.js';
import type { TimerHandle } from '../../ports/clock.js';
import type { ServerTransaction } from '../transaction-layer.js';
import type { UaContext } from './ua-context.js';

/**
 * §13.3.1.4: the UAS core resends its 2xx, starting at T1 and doubling up to
 * T2, until the ACK arrives; with no ACK after 64·T1 the dialog must end (BYE).
 * RFC 6026 keeps the INVITE server transaction in Accepted for those 64·T1,
 * so the retransmissions go through it.
 */
export class TwoXxRetransmitter {
  private timer: TimerHandle | undefined;
  private giveUp: TimerHandle | undefined;
  private intervalMs: number;
  private done = false;

  constructor(
    private readonly ctx: UaContext,
    private readonly tx: ServerTransaction,
    private readonly ok: SipResponse,
    onNoAck: () => void,
  ) {
    this.intervalMs = ctx.config.timers.t1Ms;
    // Over a reliable transport the 2xx is not retransmitted, but the ACK is still awaited.
    if (tx.source.protocol === 'udp') this.schedule();
    this.giveUp = ctx.clock.schedule(64 * ctx.config.timers.t1Ms, () => {
      this.giveUp = undefined;
      this.stop();
      onNoAck();
    });
  }

  /** The ACK arrived (or the dialog ended): stop everything. */
  stop(): void {
    this.done = true;
    if (this.timer !== undefined) this.ctx.clock.cancel(this.timer);
    if (this.giveUp !== undefined) this.ctx.clock.cancel(this.giveUp);
    this.timer = undefined;
    this.giveUp = undefined;
  }

  private schedule(): void {
    this.timer = this.ctx.clock.schedule(this.intervalMs, () => {
      this.timer = undefined;
      if (this.done) return;
      const sent = this.tx.respond(this.ok);
      if (E.isLeft(sent)) this.ctx.logger?.debug(
        '2xx retransmission refused by the transaction', { reason: sent.left.detail },
      );
      this.intervalMs = Math.min(this.intervalMs * 2, this.ctx.config.timers.t2Ms);
      this.schedule();
    });
  }
}
