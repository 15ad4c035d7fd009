import * as E from 'fp-ts/lib/Either.js';
import type { CallDecision } from '../../domain/session/call-decision.js';
import { idleNegotiation, stepNegotiation, type Negotiation } from '../../domain/session/negotiation.js';
import { formatUri } from '../../domain/sip/format-uri.js';
import { coreHeaders } from '../../domain/sip/core-headers.js';
import { headerValue, type SipRequest } from '../../domain/sip/message.js';
import { parseNameAddr, type NameAddr } from '../../domain/sip/name-addr.js';
import { decodeUtf8 } from '../../domain/sip/text-codec.js';
import { getReplaces } from '../../domain/sip/typed-headers.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { IncomingInvite } from '../ua/incoming-invite.js';
import type { Admission } from './admission.js';
import type { CallAnswering } from './call-answering.js';
import type { CallHandles } from './call-handle.js';
import type { CallHandler } from './call-handler.js';
import type { CallLifecycle } from './call-lifecycle.js';
import type { CallTermination } from './call-termination.js';
import type { EarlyOffers } from './early-offers.js';
import type { EventBus } from './event-bus.js';
import type { SessionConfig } from './session-config.js';
import { callInfo, userOf, type SessionRecord } from './session-record.js';
import type { SessionTable } from './session-table.js';
import type { UserCode } from './user-code.js';

/** What a handler that failed gets: the call is refused with 500 (its throw is reported as an Error event). */
const HANDLER_FAILED = { kind: 'Reject', status: 500, reason: 'Handler failed' } as const;

const isDecision = (value: unknown): value is CallDecision => {
  const kind = typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined;
  return kind === 'Accept' || kind === 'Reject' || kind === 'Defer' || kind === 'Forward';
};

const uriOf = (value: string): string => E.fold(() => value, (n: NameAddr) => formatUri(n.uri))(parseNameAddr(value));

/** The From and To URIs, from the headers the UA core parsed already (the raw values if they did not parse). */
const callerAndCallee = (request: SipRequest): readonly [string, string] => {
  const core = coreHeaders(request);
  const from = E.isRight(core) ? core.right.from : undefined;
  const to = E.isRight(core) ? core.right.to : undefined;
  return [
    from === undefined ? uriOf(headerValue(request, 'From') ?? '') : formatUri(from.uri),
    to === undefined ? uriOf(headerValue(request, 'To') ?? '') : formatUri(to.uri),
  ];
};

/**
 * New calls arriving: admission (503 with Retry-After when full), the offer
 * read (400 when it is not SDP), the call announced, RFC 3891 Replaces taken
 * over without asking, and otherwise the application's CallHandler decides:
 * accept, reject, forward (a real 302) or defer (ringing until a decision or
 * the defer timeout's 480).
 */
export class IncomingCalls {
  constructor(
    private readonly table: SessionTable,
    private readonly admission: Admission,
    private readonly lifecycle: CallLifecycle,
    private readonly answering: CallAnswering,
    private readonly early: EarlyOffers,
    private readonly termination: CallTermination,
    private readonly events: EventBus,
    private readonly handler: CallHandler,
    private readonly handles: CallHandles,
    private readonly userCode: UserCode,
    private readonly clock: Clock,
    private readonly config: SessionConfig,
    private readonly logger: Logger | undefined,
  ) {}

  /** The UA core's new INVITE: answered here, never thrown out of. */
  arrived(invite: IncomingInvite): void {
    const [fromUri, toUri] = callerAndCallee(invite.request);
    if (!this.admission.admitIncoming(userOf(fromUri))) {
      // Full: 503 with Retry-After, so the caller backs off (RFC 3261 §21.5.4).
      invite.reject(503, { headers: [{ name: 'Retry-After', value: '5' }] });
      return;
    }
    let negotiation: Negotiation = idleNegotiation;
    if (invite.request.body.length > 0) {
      const offer = stepNegotiation(idleNegotiation, { tag: 'RemoteOffer', sdp: decodeUtf8(invite.request.body) });
      if (E.isLeft(offer)) return void invite.reject(400, { reason: 'Bad SDP' });
      negotiation = offer.right.negotiation;
    }
    const record = this.table.create('incoming', fromUri, toUri);
    this.events.publish({
      type: 'SessionCreated', sessionId: record.id, direction: 'incoming', from: fromUri, to: toUri,
    });
    record.incoming = invite;
    record.callId = headerValue(invite.request, 'Call-ID');
    record.negotiation = negotiation;
    if (invite.request.body.length > 0) record.peerSdp = decodeUtf8(invite.request.body);
    this.lifecycle.notify(record, { tag: 'Offered' });
    invite.on({
      onCancelled: () => this.lifecycle.notify(
        record, { tag: 'Cancelled', reason: 'Cancelled', nowMs: this.clock.nowMs() },
      ),
      onEarlyRequest: (request) => this.early.answerAsCallee(record, request),
    });
    this.events.publish({ type: 'IncomingCall', sessionId: record.id, from: fromUri, to: toUri });
    if (this.replaces(record, invite)) return;
    void this.decide(record, invite);
  }

  /** RFC 3891: an INVITE with Replaces takes over one of our confirmed dialogs; no application decision. */
  private replaces(record: SessionRecord, invite: IncomingInvite): boolean {
    const replaces = getReplaces(invite.request);
    if (E.isLeft(replaces) || replaces.right === undefined) return false;
    const r = replaces.right;
    const old = this.table.liveRecords().find((s) => s.dialog !== undefined && s.dialog.dialog.id.callId === r.callId
      && s.dialog.dialog.id.localTag === r.toTag && s.dialog.dialog.id.remoteTag === r.fromTag);
    if (old === undefined || (old.call.tag !== 'Connected' && old.call.tag !== 'OnHold')) {
      this.answering.reject(record, 481, 'Call/Transaction Does Not Exist', 'Replaces matched no call');
      return true;
    }
    void this.answering.accept(record, undefined).then((accepted) => {
      if (E.isLeft(accepted)) return this.logger?.warn(
        'the replacing call could not be accepted', { session: record.id, error: accepted.left.message },
      );
      const ended = this.termination.end(old, 'Replaced');
      if (E.isLeft(ended)) this.logger?.debug('the replaced call had already ended', { session: old.id });
    });
    return true;
  }

  private async decide(record: SessionRecord, invite: IncomingInvite): Promise<void> {
    // 180 Ringing only when the answer is not immediate (§13.3.1.1 makes progress optional): a handler
    // deciding at once saves the caller a message, and an auto-answering server a send per call.
    let ringing = false;
    const ring = (): void => {
      if (ringing || record.call.tag !== 'Ringing') return;
      ringing = true;
      invite.provisional(180);
    };
    const asked = this.userCode.ask('onIncomingCall', record.id,
      () => this.handler.onIncomingCall(callInfo(record), this.handles.handle(record.id)), HANDLER_FAILED);
    let decision: CallDecision;
    if ('now' in asked) decision = asked.now;
    else {
      ring();
      decision = await asked.later;
    }
    if (record.call.tag !== 'Ringing' || record.incoming === undefined) return;
    if (!isDecision(decision)) {
      this.userCode.call('onIncomingCall', record.id, () => {
        throw new TypeError(`onIncomingCall returned ${JSON.stringify(decision)}, not a CallDecision`);
      });
      decision = HANDLER_FAILED;
    }
    switch (decision.kind) {
      case 'Accept': {
        const accepted = await this.answering.accept(record, decision.sdp);
        if (E.isLeft(accepted)) this.logger?.warn(
          'accept failed', { session: record.id, error: accepted.left.message },
        );
        return;
      }
      case 'Reject':
      case 'Forward': {
        const refused = decision.kind === 'Forward' ? this.answering.forward(record, decision.target)
          : this.answering.reject(record, decision.status, decision.reason, `Rejected ${decision.status}`);
        // A status that is no rejection (a 200, a 1xx) or a target that is no address is the handler's mistake:
        // the caller still gets an answer.
        if (E.isLeft(refused) && refused.left.kind === 'InvalidArgument') {
          this.logger?.warn(
            `onIncomingCall's ${decision.kind} was invalid; answering 500`,
            { session: record.id, error: refused.left.message },
          );
          return this.report(this.answering.reject(record, 500, HANDLER_FAILED.reason, 'Handler failed'), record);
        }
        return this.report(refused, record);
      }
      case 'Defer':
        // Keeps ringing until accepted or rejected; after the defer timeout, 480.
        ring();
        record.timers.push(this.clock.schedule(this.config.deferTimeoutMs, () => {
          if (record.call.tag === 'Ringing') this.report(
            this.answering.reject(record, 480, 'Temporarily Unavailable', 'Defer timeout'), record,
          );
        }));
        return;
    }
  }

  private report(result: E.Either<{ readonly message: string }, void>, record: SessionRecord): void {
    if (E.isLeft(result)) this.logger?.warn(
      'the decision could not be carried out', { session: record.id, error: result.left.message },
    );
  }
}
