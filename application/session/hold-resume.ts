import * as E from 'fp-ts/lib/Either.js';
import { holdDirection, reoffer, resumeDirection } from '../../domain/sdp/offer-answer.js';
import { SDP, sdpText } from './sdp-text.js';
import type { Direction } from '../../domain/sdp/session-description.js';
import { checkOperation } from '../../domain/session/call-state.js';
import { localDescription } from '../../domain/session/negotiation.js';
import { invalidState, rejected, type SessionError } from '../../domain/session/session-error.js';
import { decodeUtf8, encodeUtf8 } from '../../domain/sip/text-codec.js';
import type { CallLifecycle } from './call-lifecycle.js';
import type { EventBus } from './event-bus.js';
import type { MediaNegotiator } from './media-negotiator.js';
import type { SessionRecord } from './session-record.js';
import type { SessionTable } from './session-table.js';

/** Hold and resume with a re-INVITE (RFC 6337 §5.3: sendonly, or inactive when we were only receiving). */
export class HoldResume {
  constructor(
    private readonly table: SessionTable,
    private readonly lifecycle: CallLifecycle,
    private readonly negotiator: MediaNegotiator,
    private readonly events: EventBus,
  ) {}

  async hold(sessionId: string): Promise<E.Either<SessionError, void>> {
    return this.change(sessionId, true);
  }

  async resume(sessionId: string): Promise<E.Either<SessionError, void>> {
    return this.change(sessionId, false);
  }

  private async change(sessionId: string, hold: boolean): Promise<E.Either<SessionError, void>> {
    const found = this.table.require(sessionId);
    if (E.isLeft(found)) return found;
    const record = found.right;
    const allowed = checkOperation(record.call.tag, hold ? 'hold' : 'resume');
    if (E.isLeft(allowed)) return allowed;
    const direction = hold
      ? holdDirection(this.negotiator.negotiated(record)?.direction ?? 'sendrecv')
      : resumeDirection();
    const modified = await this.reoffer(record, direction);
    if (E.isLeft(modified)) return modified;
    const moved = this.lifecycle.apply(record, { tag: hold ? 'Hold' : 'Resume' });
    if (E.isLeft(moved)) return moved;
    this.events.publish({ type: 'HoldChanged', sessionId, onHold: hold });
    return E.right(undefined);
  }

  /**
   * Our offer in a re-INVITE (our description with its version + 1; `direction` replacing the stream's, when
   * given); a refusal leaves the previous agreement in force.
   */
  async reoffer(record: SessionRecord, direction?: Direction): Promise<E.Either<SessionError, void>> {
    const dialog = record.dialog;
    const local = localDescription(record.negotiation);
    if (dialog === undefined || local === undefined) return E.left(
      invalidState(record.call.tag, 'modify', 'the call has no session description'),
    );
    const offer = reoffer(local, direction);
    const offered = this.negotiator.step(record, { tag: 'LocalOffer', offer, answerIn: 'Response' });
    if (E.isLeft(offered)) return E.left(invalidState(record.call.tag, 'modify', offered.left.detail));
    const outcome = await dialog.reinvite({ body: encodeUtf8(sdpText(offer)), contentType: SDP });
    const failed = (error: SessionError): E.Either<SessionError, never> => {
      this.negotiator.step(record, { tag: 'LocalOfferFailed' });
      return E.left(error);
    };
    if (outcome.kind !== 'Response') {
      const detail = outcome.kind === 'NotSent' ? `: ${outcome.detail}` : '';
      return failed({
        kind: outcome.kind === 'Timeout' ? 'Timeout' : 'TransportError',
        message: `re-INVITE failed: ${outcome.kind}${detail}`,
      });
    }
    if (outcome.response.status >= 300) return failed(rejected(outcome.response.status, outcome.response.reason));
    const answered = this.negotiator.step(
      record, { tag: 'RemoteAnswer', sdp: decodeUtf8(outcome.response.body), dialogTag: '' },
    );
    return E.isLeft(answered)
      ? failed({ kind: 'MediaError', message: `the answer to our re-INVITE is unusable: ${answered.left.detail}` })
      : E.right(undefined);
  }
}
