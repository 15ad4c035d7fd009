/**
 * Why bytes are not a SIP message, and where. `offsetBytes` counts from the
 * first byte of the input; `header` names the offending header when there is one.
 */
export type SipParseErrorReason =
  | 'Empty'
  | 'TooLarge'
  | 'TooManyHeaders'
  | 'BadStartLine'
  | 'BadRequestUri'
  | 'BadStatusCode'
  | 'BadHeaderLine'
  | 'BadHeaderValue'
  | 'DuplicateHeader'
  | 'BadContentLength'
  | 'BodyTooShort';

export interface SipParseError {
  readonly kind: 'SipParseError';
  readonly reason: SipParseErrorReason;
  readonly detail: string;
  readonly offsetBytes: number;
  readonly header?: string;
}

export const parseError = (
  reason: SipParseErrorReason,
  detail: string,
  offsetBytes: number,
  header?: string,
): SipParseError => (header === undefined
  ? { kind: 'SipParseError', reason, detail, offsetBytes }
  : { kind: 'SipParseError', reason, detail, offsetBytes, header });

/** A one-line description, suitable for logs and for a 400 reason phrase. */
export const describeParseError = (error: SipParseError): string =>
  `${error.header === undefined ? '' : `${error.header}: `}${error.detail} (byte ${error.offsetBytes})`;
