import { serializeSdp } from '../../domain/sdp/serialize-sdp.js';
import type { SessionDescription } from '../../domain/sdp/session-description.js';

/** The content type of a session description. */
export const SDP = 'application/sdp';

/** Descriptions are immutable values: the text of each is written once, when first needed. */
const texts = new WeakMap<SessionDescription, string>();

/**
 * The SDP text of a description, remembered for as long as the description
 * lives: a call's answer is written for its 2xx and again for the
 * application's onCallEstablished, a held call's offer for each retransmission.
 */
export const sdpText = (description: SessionDescription): string => {
  let text = texts.get(description);
  if (text === undefined) {
    text = serializeSdp(description);
    texts.set(description, text);
  }
  return text;
};
