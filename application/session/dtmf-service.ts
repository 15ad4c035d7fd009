import * as E from 'fp-ts/lib/Either.js';
import { digitToEvent } from '../../domain/media/dtmf.js';
import { checkOperation } from '../../domain/session/call-state.js';
import { invalidArgument, invalidState, rejected, type SessionError } from '../../domain/session/session-error.js';
import { headerValue, type SipRequest } from '../../domain/sip/message.js';
import { decodeUtf8, encodeUtf8 } from '../../domain/sip/text-codec.js';
import type { Answer } from '../ua/invite-session.js';
import type { CallHandles } from './call-handle.js';
import type { CallHandler } from './call-handler.js';
import type { EventBus } from './event-bus.js';
import type { MediaNegotiator } from './media-negotiator.js';
import { callInfo, type SessionRecord } from './session-record.js';
import type { SessionTable } from './session-table.js';
import type { UserCode } from './user-code.js';
import type { DtmfOptions } from './dtmf-options.js';

export const DTMF_RELAY = 'application/dtmf-relay';

export type { DtmfMethod, DtmfOptions } from './dtmf-options.js';

/** Who else hears a digit a call received (a bridge carrying it to the other members). */
export type DigitListener = (sessionId: string, digit: string) => void;

/**
 * DTMF both ways: RFC 4733 events when the call negotiated telephone-event,
 * otherwise SIP INFO with application/dtmf-relay; received digits of either
 * kind go to the listeners (bridges), the bus and the handler's onDtmf.
 */
export class DtmfService {
  private readonly listeners: DigitListener[] = [];

  constructor(
    private readonly table: SessionTable,
    private readonly negotiator: MediaNegotiator,
    private readonly events: EventBus,
    private readonly handler: CallHandler,
    private readonly handles: CallHandles,
    private readonly userCode: UserCode,
  ) {}

  onDigit(listener: DigitListener): void {
    this.listeners.push(listener);
  }

  async send(sessionId: string, digits: string, options: DtmfOptions = {}): Promise<E.Either<SessionError, void>> {
    const method = options.method ?? 'auto';
    if (method !== 'auto' && method !== 'rfc4733' && method !== 'info') return E.left(
      invalidArgument('method', `${String(method)} is not auto, rfc4733 or info`),
    );
    const found = this.table.require(sessionId);
    if (E.isLeft(found)) return found;
    const record = found.right;
    const allowed = checkOperation(record.call.tag, 'sendDtmf');
    if (E.isLeft(allowed)) return allowed;
    if (typeof digits !== 'string' || digits.length === 0) return E.left(invalidArgument('digits', 'no digit to send'));
    const bad = [...digits].find((digit) => digitToEvent(digit) === undefined);
    if (bad !== undefined) return E.left(invalidArgument('digits', `'${bad}' is not a DTMF digit (0-9, *, #, A-D)`));
    const events = record.media !== undefined
      && this.negotiator.negotiated(record)?.telephoneEventPayloadType !== undefined;
    if (method === 'rfc4733' && !events) return E.left({
      kind: 'MediaError', message: 'the call did not negotiate telephone-event (RFC 4733): send by INFO instead',
    });
    if (method !== 'info' && events && record.media !== undefined) {
      const sent = await record.media.sendDtmf(digits);
      return sent ? E.right(undefined) : E.left({
        kind: 'MediaError', message: 'the media session could not send the events',
      });
    }
    for (const digit of digits) {
      const dialog = record.dialog;
      if (dialog === undefined) return E.left(invalidState(record.call.tag, 'sendDtmf', 'the call has no dialog'));
      const outcome = await dialog.info(encodeUtf8(`Signal=${digit}\r\nDuration=160\r\n`), DTMF_RELAY);
      if (outcome.kind === 'Response' && outcome.response.status >= 300) return E.left(
        rejected(outcome.response.status, outcome.response.reason),
      );
      if (outcome.kind !== 'Response') {
        return E.left({
          kind: outcome.kind === 'Timeout' ? 'Timeout' : 'TransportError',
          message: `INFO for DTMF failed (${outcome.kind})`,
        });
      }
    }
    return E.right(undefined);
  }

  /** A digit received on a call, by RFC 4733 or INFO. */
  received(record: SessionRecord, digit: string): void {
    for (const listener of this.listeners) listener(record.id, digit);
    this.events.publish({ type: 'DtmfReceived', sessionId: record.id, digit });
    const onDtmf = this.handler.onDtmf;
    if (onDtmf !== undefined) this.userCode.call(
      'onDtmf', record.id, () => onDtmf.call(this.handler, callInfo(record), digit, this.handles.handle(record.id)),
    );
  }

  /**
   * INFO inside a call: dtmf-relay bodies are digits; any other INFO is acknowledged (RFC 6086 leaves it to packages).
   */
  onInfo(record: SessionRecord, request: SipRequest): Answer {
    if ((headerValue(request, 'Content-Type') ?? '').toLowerCase().startsWith(DTMF_RELAY)) {
      const signal = /Signal\s*=\s*([0-9*#A-Da-d])/.exec(decodeUtf8(request.body))?.[1];
      if (signal !== undefined) this.received(record, signal.toUpperCase());
    }
    return { status: 200 };
  }
}
