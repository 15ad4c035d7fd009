/** Written so the character read below is a side effect no compiler may drop. */
let lastCode = 0;

/**
 * Returns `text` as a string that owns its characters. A string built by
 * concatenation is a tree over its pieces, and a piece cut from a received
 * message keeps that message's whole text alive. Reading a character makes
 * V8 copy the tree into one fresh string (and drop the pieces), so a map key
 * kept for 32 s (Timers J and L) holds its own few dozen bytes, not the
 * request it came from.
 */
export const ownString = (text: string): string => {
  lastCode = text.charCodeAt(0) | lastCode;
  return text;
};

/**
 * A copy of `text` in storage of its own, also when `text` is a slice of a
 * larger string (a header value cut from a received message): joining a
 * character flattens the pair into a fresh string, and dropping the character
 * again leaves nothing pointing at the original. Short slices are copied by
 * the engine anyway.
 */
export const detachedString = (text: string): string => (text.length < 13 ? text : ownString(` ${text}`).slice(1));
