import type * as E from 'fp-ts/lib/Either.js';
import type { RelayCall } from '../domain/media-relay/ng.js';

export type { RelayCall };

/** Why a relay could not do what was asked: unreachable (no reply in time, socket error) or refused by it. */
export interface MediaRelayError {
  readonly kind: 'Unreachable' | 'Refused';
  readonly detail: string;
}

/**
 * A media relay outside this process that anchors a call's RTP (rtpengine): each side's SDP goes through it and
 * comes back rewritten to point at the relay's own ports; `delete` frees them. A B2BUA that uses one only
 * signals, so one process carries far more calls than its own sockets could.
 */
export interface MediaRelay {
  /** The offerer's SDP, rewritten for the answering side. */
  offer(call: RelayCall, sdp: string): Promise<E.Either<MediaRelayError, string>>;
  /** The answerer's SDP (the call's `toTag` set), rewritten for the offering side. */
  answer(call: RelayCall, sdp: string): Promise<E.Either<MediaRelayError, string>>;
  /** Frees the call's ports on the relay; a call it no longer knows is not an error. */
  delete(call: RelayCall): Promise<E.Either<MediaRelayError, void>>;
  /** Whether it answers at all (ping). */
  ping(): Promise<E.Either<MediaRelayError, void>>;
  /** Commands sent and awaiting a reply (bounded). */
  readonly pending: number;
  close(): Promise<void>;
}
