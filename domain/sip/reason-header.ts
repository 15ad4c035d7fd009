import type { SipHeader } from './message.js';

/** Why a request ends a call (RFC 3326): a SIP status or an ISDN (Q.850) cause, with optional text. */
export interface EndReason {
  readonly protocol: 'SIP' | 'Q.850';
  readonly cause: number;
  readonly text?: string;
}

/** RFC 3326's answered-elsewhere Reason (a forked call's other branches, RFC 3261 §9.1 usage). */
export const ANSWERED_ELSEWHERE: EndReason = { protocol: 'SIP', cause: 200, text: 'Call completed elsewhere' };

/**
 * The Reason header for `reason`, or undefined for a cause that is not a
 * 3-digit SIP status / a Q.850 cause (1–127). The text is a quoted-string:
 * backslashes and quotes escaped, control characters dropped.
 */
export const reasonHeader = (reason: EndReason): SipHeader | undefined => {
  const valid = Number.isInteger(reason.cause) && (reason.protocol === 'SIP'
    ? reason.cause >= 100 && reason.cause <= 699
    : reason.cause >= 1 && reason.cause <= 127);
  if (!valid) return undefined;
  const text = reason.text === undefined ? '' : `;text="${quoted(reason.text)}"`;
  return { name: 'Reason', value: `${reason.protocol};cause=${reason.cause}${text}` };
};

// eslint-disable-next-line no-control-regex
const quoted = (text: string): string => text.replace(/[\u0000-\u001f\u007f]/g, '').replace(/(["\\])/g, '\\$1');
