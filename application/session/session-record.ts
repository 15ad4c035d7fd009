import { initialCall, isFinalCall, type Call } from '../../domain/session/call-machine.js';
import type { CallState } from '../../domain/session/call-state.js';
import type { SessionError } from '../../domain/session/session-error.js';
import { idleNegotiation, type Negotiation } from '../../domain/session/negotiation.js';
import type { CryptoOffer } from '../../domain/sdp/sdes.js';
import type { TimerHandle } from '../../ports/clock.js';
import type { MediaSession } from '../media/media-session.js';
import type { WebRtcSocket } from '../media/webrtc-socket.js';
import type { IncomingInvite } from '../ua/incoming-invite.js';
import type { InviteSession } from '../ua/invite-session.js';
import type { OutgoingInvite } from '../ua/outgoing-invite.js';

/** What the application sees of a call. */
export interface CallInfo {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly direction: 'incoming' | 'outgoing';
  readonly state: CallState;
  readonly startedAtMs: number;
  /** The SIP Call-ID, once the INVITE exists: joins the call to its messages in a SIP trace. */
  readonly callId?: string;
  /** Why the call ended (the CallEnded reason), once it has. */
  readonly endReason?: string;
  /** The final status of a rejected call (ours or the peer's), once it has one. */
  readonly status?: number;
}

/** Our blind or attended transfer of this call, waiting for its final NOTIFY (RFC 3515). */
export interface PendingTransfer {
  readonly target: string;
  readonly resolve: (status: number) => void;
  readonly reject: (error: SessionError) => void;
}

/**
 * Everything kept for one call. Its lifecycle and its offer/answer state are
 * the domain machines' values; the rest are handles on the protocol and media
 * objects that carry the call, released when it ends. A fixed shape: every
 * field is present from the start.
 */
export interface SessionRecord {
  readonly id: string;
  readonly direction: 'incoming' | 'outgoing';
  readonly from: string;
  readonly to: string;
  readonly users: ReadonlyArray<string>;
  readonly startedAtMs: number;
  /** Set with the INVITE (sent or received). */
  callId: string | undefined;
  call: Call;
  negotiation: Negotiation;
  incoming: IncomingInvite | undefined;
  outgoing: OutgoingInvite | undefined;
  dialog: InviteSession | undefined;
  media: MediaSession | undefined;
  timers: TimerHandle[];
  transfer: PendingTransfer | undefined;
  /** The call's own SRTP policy, when its placing asked for one; otherwise the configuration's applies. */
  encryption: 'off' | 'optional' | 'required' | undefined;
  /** Our SDES keys for this call, made on first use and kept for its re-offers (RFC 4568 §7.1.4). */
  srtpKeys: ReadonlyArray<CryptoOffer> | undefined;
  /** The SDP the peer sent with the INVITE exchange (its offer, or its answer in the 2xx), as received. */
  peerSdp: string | undefined;
  /** The other leg of a B2BUA call (linkSessions), by session id: stored with the call, recovered with it. */
  partner: string | undefined;
  /** The call's media is WebRTC (a browser's leg): asked for when placed, or seen in the peer's offer. */
  wantsWebRtc: boolean;
  /** Its ICE-lite / DTLS-SRTP transport, once the media is open. */
  webrtc: WebRtcSocket | undefined;
}

export const newRecord = (
  id: string, direction: 'incoming' | 'outgoing', from: string, to: string, startedAtMs: number,
): SessionRecord => ({
  id, direction, from, to, users: [userOf(from), userOf(to)], startedAtMs, callId: undefined,
  call: initialCall, negotiation: idleNegotiation,
  incoming: undefined, outgoing: undefined, dialog: undefined, media: undefined, timers: [], transfer: undefined,
  encryption: undefined, srtpKeys: undefined, peerSdp: undefined, partner: undefined, wantsWebRtc: false,
  webrtc: undefined,
});

export const callInfo = (r: SessionRecord): CallInfo => {
  const base = {
    id: r.id, from: r.from, to: r.to, direction: r.direction, state: r.call.tag, startedAtMs: r.startedAtMs,
    ...(r.callId === undefined ? {} : { callId: r.callId }),
  };
  if (!isFinalCall(r.call)) return base;
  const error = r.call.outcome.error;
  return error?.kind === 'Rejected'
    ? { ...base, endReason: r.call.outcome.reason, status: error.status }
    : { ...base, endReason: r.call.outcome.reason };
};

/**
 * The user part of a SIP URI (in angle brackets or bare), for per-user limits and event filters; the whole
 * text when it has none. Scanned by hand: it runs for every call, twice.
 */
export const userOf = (uri: string): string => {
  const bracket = uri.lastIndexOf('<');
  const text = bracket === -1 ? uri : uri.slice(bracket + 1);
  const start = text.startsWith('sip:') ? 4 : text.startsWith('sips:') ? 5 : -1;
  if (start === -1) return uri;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // '@' ends the user part; ';' or '>' first means there is none.
    if (c === 64) return i > start ? text.slice(start, i) : uri;
    if (c === 59 || c === 62) return uri;
  }
  return uri;
};
