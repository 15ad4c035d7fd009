import type { NegotiatedAudio } from '../../domain/sdp/offer-answer.js';
import type { SessionDescription } from '../../domain/sdp/session-description.js';
import type { CallState } from '../../domain/session/call-state.js';
import type { TimerHandle } from '../../ports/clock.js';
import type { MediaSession } from '../media/media-session.js';
import type { IncomingInvite } from '../ua/incoming-invite.js';
import type { InviteSession } from '../ua/invite-session.js';
import type { OutgoingInvite } from '../ua/outgoing-invite.js';
import type { CallInfo } from './call-handler.js';

/** Everything the coordinator keeps for one call; never leaves the application layer. */
export interface SessionRecord {
  readonly id: string;
  readonly direction: 'incoming' | 'outgoing';
  readonly from: string;
  readonly to: string;
  readonly users: ReadonlyArray<string>;
  readonly startedAtMs: number;
  state: CallState;
  connectedAtMs?: number;
  endReason?: string;
  /** Why we are ending the call ourselves, reported when the dialog ends. */
  endingReason?: string;
  incoming?: IncomingInvite | undefined;
  outgoing?: OutgoingInvite | undefined;
  dialog?: InviteSession;
  media?: MediaSession;
  localSdp?: SessionDescription;
  remoteSdp?: SessionDescription;
  negotiated?: NegotiatedAudio;
  /** Caller: the To tag of the early dialog whose 1xx answer we play (RFC 3960). */
  earlyTag?: string;
  /** Callee: our answer went out in a 183; the 2xx repeats it exactly (§13.2.1). */
  earlyAnswerSent?: boolean;
  /** Our last 2xx carried the offer (the INVITE had none): the ACK brings the answer. */
  answerInAck?: boolean;
  timers: TimerHandle[];
  /** Our pending blind/attended transfer of this call (RFC 3515). */
  transfer?: { readonly resolve: (status: number) => void; readonly reject: (error: unknown) => void; readonly target: string } | undefined;
  /** Settled when the call is answered or fails: waitForAnswer awaits it. */
  answered: Promise<void>;
  settleAnswered: (error?: unknown) => void;
}

export const callInfo = (r: SessionRecord): CallInfo => ({
  id: r.id, from: r.from, to: r.to, direction: r.direction, state: r.state, startedAtMs: r.startedAtMs,
});

/** The user part of a SIP URI, for per-user limits and event filters. */
export const userOf = (uri: string): string => /^sips?:([^@;>]+)@/.exec(uri.replace(/^.*</, ''))?.[1] ?? uri;
