import type { SipHeader } from './message.js';
import { HEADER } from './header-names.js';
import { describeParseError, type SipParseError } from './parse-error.js';
import type { RequestProblem, RequestProblemKind } from './request-problem.js';

export interface ErrorResponse {
  readonly status: number;
  readonly reason: string;
  readonly headers: ReadonlyArray<SipHeader>;
}

/** The response §8.2 and §21 ask for, per problem kind; lower rank is reported first. */
type Row = { readonly status: number; readonly reason: string; readonly rank: number };

const TABLE: Readonly<Record<RequestProblemKind, Row>> = {
  UnsupportedVersion: { status: 505, reason: 'Version Not Supported', rank: 0 },
  MissingHeader: { status: 400, reason: 'Bad Request', rank: 1 },
  BadHeaderValue: { status: 400, reason: 'Bad Request', rank: 2 },
  UnknownMethod: { status: 501, reason: 'Not Implemented', rank: 3 },
  CSeqMethodMismatch: { status: 400, reason: 'Bad Request', rank: 4 },
  HeadersInRequestUri: { status: 400, reason: 'Bad Request', rank: 5 },
  UnsupportedUriScheme: { status: 416, reason: 'Unsupported URI Scheme', rank: 6 },
  MethodNotAllowed: { status: 405, reason: 'Method Not Allowed', rank: 7 },
  UnsupportedExtension: { status: 420, reason: 'Bad Extension', rank: 8 },
  UnsupportedMediaType: { status: 415, reason: 'Unsupported Media Type', rank: 9 },
};

export const problemRank = (problem: RequestProblem): number => TABLE[problem.kind].rank;

/**
 * The status, reason phrase and extra headers for one problem. 400s carry the
 * detail in the reason phrase (§21.4.1 suggests it); 420 lists Unsupported.
 * 405 and 415 need Allow / Accept, which only the UA knows: `context` brings them.
 */
export const responseForProblem = (
  problem: RequestProblem,
  context: { readonly allow?: ReadonlyArray<string>; readonly accept?: ReadonlyArray<string> } = {},
): ErrorResponse => {
  const row = TABLE[problem.kind];
  const reason = row.status === 400 ? `Bad Request (${sanitizeReason(problem.detail)})` : row.reason;
  const headers: SipHeader[] = [];
  if (problem.kind === 'UnsupportedExtension' && problem.unsupported !== undefined) {
    headers.push({ name: HEADER.Unsupported, value: problem.unsupported.join(', ') });
  }
  if (problem.kind === 'MethodNotAllowed' && context.allow !== undefined) headers.push({
    name: HEADER.Allow, value: context.allow.join(', '),
  });
  if (problem.kind === 'UnsupportedMediaType' && context.accept !== undefined) headers.push({
    name: HEADER.Accept, value: context.accept.join(', '),
  });
  return { status: row.status, reason, headers };
};

/** Every parse error of a request is answered 400 with the error in the reason phrase (§21.4.1). */
export const responseForParseError = (error: SipParseError): ErrorResponse => (error.reason === 'TooLarge'
  // §21.5.14: the request is larger than we accept.
  ? { status: 513, reason: 'Message Too Large', headers: [] }
  : { status: 400, reason: `Bad Request (${sanitizeReason(describeParseError(error))})`, headers: [] });

/** Reason-Phrase may hold any UTF-8 but CR and LF; keep it short too. */
const sanitizeReason = (text: string): string => text.replace(/[\r\n]+/g, ' ').slice(0, 120);
