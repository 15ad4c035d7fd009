import * as E from 'fp-ts/lib/Either.js';
import { parseTarget } from '../../domain/session/call-target.js';
import { invalidArgument, invalidState, type SessionError } from '../../domain/session/session-error.js';
import type { SessionRecord } from './session-record.js';
import { coreHeaders } from '../../domain/sip/core-headers.js';
import { formatUri } from '../../domain/sip/format-uri.js';
import { headerValue, type SipRequest } from '../../domain/sip/message.js';
import { decodeUtf8, encodeUtf8 } from '../../domain/sip/text-codec.js';
import type { EventBus } from './event-bus.js';
import type { UserCredentials } from '../ua/challenge.js';
import type { Answer } from '../ua/invite-session.js';
import type { NameAddr } from '../../domain/sip/name-addr.js';
import type { RequestOptions } from '../ua/out-of-dialog-request.js';
import type { RequestOutcome } from '../ua/request-outcome.js';
import type { UserCode } from './user-code.js';
import { reachOf, type ReachOptions } from './reach.js';

/** A MESSAGE as the application sees it. */
export interface IncomingMessage {
  readonly from: string;
  readonly to: string;
  readonly contentType: string;
  readonly body: string;
  /** The call it came in, for a MESSAGE inside a dialog. */
  readonly sessionId?: string;
}

/** The application's say on a MESSAGE: a final status (200 when it says nothing). */
export type MessageReceiver = (message: IncomingMessage) => number | void | Promise<number | void>;

export interface MessageSettings {
  /** Bodies above this are refused 413 (RFC 3428 §7: MESSAGE is for short texts; a session carries the rest). */
  readonly maxBodyBytes: number;
  readonly credentials: UserCredentials | undefined;
  /** Every MESSAGE we send goes through it, as calls do. */
  readonly routes: ReadonlyArray<NameAddr> | undefined;
}

const uriOf = (address: NameAddr | undefined): string => (address === undefined ? '' : formatUri(address.uri));

/**
 * MESSAGE (RFC 3428), both ways: a received one (outside or inside a dialog)
 * is published as MessageReceived and handed to the application, whose
 * status (200 by default; a failing callback answers 500) is the answer;
 * `send` places one and resolves with the final status.
 */
export class MessageService {
  private receiver: MessageReceiver | undefined;

  constructor(
    private readonly settings: MessageSettings, private readonly events: EventBus, private readonly userCode: UserCode,
    private readonly sendRequest: (options: RequestOptions) => Promise<RequestOutcome>,
  ) {}

  /** Who decides what a received MESSAGE is answered (the application's handler). */
  onMessage(receiver: MessageReceiver | undefined): void {
    this.receiver = receiver;
  }

  received(request: SipRequest, sessionId?: string): Answer | Promise<Answer> {
    if (request.body.length > this.settings.maxBodyBytes) return {
      status: 413, reason: `Request Entity Too Large (over ${this.settings.maxBodyBytes} bytes)`,
    };
    const core = coreHeaders(request);
    const message: IncomingMessage = {
      from: E.isRight(core) ? uriOf(core.right.from) : '', to: E.isRight(core) ? uriOf(core.right.to) : '',
      contentType: headerValue(request, 'Content-Type') ?? 'text/plain', body: decodeUtf8(request.body),
      ...(sessionId === undefined ? {} : { sessionId }),
    };
    this.events.publish({ type: 'MessageReceived', ...message });
    const receiver = this.receiver;
    if (receiver === undefined) return { status: 200 };
    const asked = this.userCode.ask<number | void>('onMessage', sessionId, () => receiver(message), 500);
    return 'now' in asked ? answerOf(asked.now) : asked.later.then(answerOf);
  }

  /**
   * Sends a MESSAGE outside any dialog (to a registered contact with `reach`); resolves with the final
   * status (the peer's refusal included).
   */
  async send(
    from: string, to: string, body: string, contentType: string, reach: ReachOptions = {},
  ): Promise<E.Either<SessionError, number>> {
    const source = parseTarget(from);
    const target = parseTarget(to);
    if (E.isLeft(source)) return E.left(invalidArgument('from', source.left.message));
    if (E.isLeft(target)) return E.left(invalidArgument('to', target.left.message));
    const route = reachOf(reach, this.settings.routes ?? []);
    if (E.isLeft(route)) return route;
    const bytes = this.encoded(body);
    if (E.isLeft(bytes)) return bytes;
    return statusOf(await this.sendRequest({
      method: 'MESSAGE', from: source.right, to: target.right, body: bytes.right, contentType,
      ...(this.settings.credentials === undefined ? {} : { credentials: this.settings.credentials }),
      ...route.right,
    }));
  }

  /** Sends a MESSAGE inside a call's dialog (RFC 3428 §4 allows it); resolves with the final status. */
  async sendInCall(record: SessionRecord, body: string, contentType: string): Promise<E.Either<SessionError, number>> {
    const dialog = record.dialog;
    if (dialog === undefined) return E.left(
      invalidState(record.call.tag, 'send a MESSAGE in', 'the call has no dialog'),
    );
    const bytes = this.encoded(body);
    if (E.isLeft(bytes)) return bytes;
    return statusOf(await dialog.sendRequest('MESSAGE', { body: bytes.right, contentType }));
  }

  private encoded(body: string): E.Either<SessionError, Uint8Array> {
    const bytes = encodeUtf8(body);
    return bytes.length > this.settings.maxBodyBytes ? E.left(
      invalidArgument('body', `${bytes.length} bytes is over the ${this.settings.maxBodyBytes}-byte limit`),
    ) : E.right(bytes);
  }
}

/** The final status of a MESSAGE sent, or why there is none. */
const statusOf = (outcome: RequestOutcome): E.Either<SessionError, number> => {
  switch (outcome.kind) {
    case 'Response': return E.right(outcome.response.status);
    case 'Timeout': return E.left({ kind: 'Timeout', message: 'no response to the MESSAGE' });
    case 'TransportError': return E.left({ kind: 'TransportError', message: 'the MESSAGE could not be sent' });
    case 'NotSent': return E.left({
      kind: 'TransportError', message: `the MESSAGE could not be sent: ${outcome.detail}`,
    });
  }
};

/** The application's status, if it is a final one; 200 otherwise (it said nothing, or nonsense). */
const answerOf = (status: number | void): Answer => {
  const final = typeof status === 'number' && Number.isInteger(status) && status >= 200 && status <= 699;
  return final ? { status } : { status: 200 };
};
