import { canonicalHeaderName } from './header-names.js';
import type { Uri } from './uri.js';

/**
 * A header line as received or built: canonical name for known headers, the
 * value unfolded and trimmed. Content-Length is never stored: it is derived from
 * the body when serializing.
 */
export interface SipHeader {
  readonly name: string;
  readonly value: string;
}

export interface SipRequest {
  readonly kind: 'request';
  readonly method: string;
  readonly uri: Uri;
  readonly version: string;
  readonly headers: ReadonlyArray<SipHeader>;
  readonly body: Uint8Array;
}

export interface SipResponse {
  readonly kind: 'response';
  readonly version: string;
  readonly status: number;
  readonly reason: string;
  readonly headers: ReadonlyArray<SipHeader>;
  readonly body: Uint8Array;
}

export type SipMessage = SipRequest | SipResponse;

export const SIP_VERSION = 'SIP/2.0';
export const EMPTY_BODY: Uint8Array = new Uint8Array(0);

const sameName = (header: SipHeader, canonical: string, lower: string): boolean =>
  header.name === canonical || header.name.toLowerCase() === lower;

/** The first value of a header, or undefined. */
export const headerValue = (message: SipMessage, name: string): string | undefined => {
  const canonical = canonicalHeaderName(name);
  const lower = canonical.toLowerCase();
  for (const header of message.headers) if (sameName(header, canonical, lower)) return header.value;
  return undefined;
};

/** Every line's value of a header, in order (comma lists are not split here). */
export const headerValues = (message: SipMessage, name: string): string[] => {
  const canonical = canonicalHeaderName(name);
  const lower = canonical.toLowerCase();
  const values: string[] = [];
  for (const header of message.headers) if (sameName(header, canonical, lower)) values.push(header.value);
  return values;
};

export const hasHeader = (message: SipMessage, name: string): boolean => headerValue(message, name) !== undefined;

/** Replaces every line of `name` with one line holding `value` (at the first one's place, or at the end). */
export const withHeader = <M extends SipMessage>(message: M, name: string, value: string): M => {
  const canonical = canonicalHeaderName(name);
  const lower = canonical.toLowerCase();
  const headers: SipHeader[] = [];
  let placed = false;
  for (const header of message.headers) {
    if (!sameName(header, canonical, lower)) headers.push(header);
    else if (!placed) {
      headers.push({ name: canonical, value });
      placed = true;
    }
  }
  if (!placed) headers.push({ name: canonical, value });
  return { ...message, headers };
};

export const withoutHeader = <M extends SipMessage>(message: M, name: string): M => {
  const canonical = canonicalHeaderName(name);
  const lower = canonical.toLowerCase();
  return { ...message, headers: message.headers.filter((h) => !sameName(h, canonical, lower)) };
};

export const appendHeader = <M extends SipMessage>(message: M, name: string, value: string): M => ({
  ...message,
  headers: [...message.headers, { name: canonicalHeaderName(name), value }],
});

/** Puts a header line before all others of the same name (e.g. a new top Via). */
export const prependHeader = <M extends SipMessage>(message: M, name: string, value: string): M => {
  const canonical = canonicalHeaderName(name);
  const lower = canonical.toLowerCase();
  const index = message.headers.findIndex((h) => sameName(h, canonical, lower));
  const headers = [...message.headers];
  headers.splice(index === -1 ? 0 : index, 0, { name: canonical, value });
  return { ...message, headers };
};

export const withBody = <M extends SipMessage>(message: M, body: Uint8Array, contentType?: string): M => {
  const next = { ...message, body };
  return contentType === undefined ? next : withHeader(next, 'Content-Type', contentType);
};
