import * as E from 'fp-ts/lib/Either.js';
import { coreHeaders } from './core-headers.js';
import { problemRank } from './error-response.js';
import { HEADER } from './header-names.js';
import { headerValue, SIP_VERSION, type SipRequest } from './message.js';
import { KNOWN_METHOD_NAMES } from './methods.js';
import type { RequestProblem } from './request-problem.js';
import { getContentType, getTokenList } from './typed-headers.js';
import { uriScheme } from './uri.js';
import { isValidSipDate } from './sip-date.js';

/** Methods defined by RFC 3261 and its extensions; anything else is "unknown" (501). */
export const KNOWN_METHODS: ReadonlySet<string> = new Set(KNOWN_METHOD_NAMES);

export interface ValidationPolicy {
  /** Methods this element implements; a known method outside it gets 405. */
  readonly allowedMethods?: ReadonlySet<string>;
  /** Request-URI schemes accepted (default sip, sips, tel). */
  readonly uriSchemes?: ReadonlySet<string>;
  /** Option tags this element supports; others in Require get 420. */
  readonly supportedExtensions?: ReadonlySet<string>;
  /** Body types accepted (type/subtype, lowercase); others get 415. Omitted: any. */
  readonly acceptedContentTypes?: ReadonlySet<string>;
}

const DEFAULT_SCHEMES: ReadonlySet<string> = new Set(['sip', 'sips', 'tel']);

/**
 * Checks a parsed request the way a UAS must before processing it (§8.2.1–
 * §8.2.3): version, mandatory headers, CSeq method, method, URI scheme,
 * Require, body type. Returns every problem, most important first; an empty
 * list means the request may be processed.
 */
export const validateRequest = (request: SipRequest, policy: ValidationPolicy = {}): ReadonlyArray<RequestProblem> => {
  const problems: RequestProblem[] = [];
  if (request.version !== SIP_VERSION) problems.push({
    kind: 'UnsupportedVersion', detail: `${request.version} is not supported`,
  });
  const core = coreHeaders(request);
  if (E.isLeft(core)) {
    problems.push({
      kind: 'BadHeaderValue', detail: `${core.left.header}: ${core.left.detail}`, header: core.left.header,
    });
    return sortProblems(problems);
  }
  const c = core.right;
  // Max-Forwards is mandatory for a UAC, but RFC 2543 peers omit it: accept (RFC 4475 §3.4).
  const missing = [
    [HEADER.To, c.to], [HEADER.From, c.from], [HEADER.CallId, c.callId], [HEADER.CSeq, c.cseq], [HEADER.Via, c.vias[0]],
  ].filter(([, value]) => value === undefined).map(([name]) => name as string);
  for (const name of missing) problems.push({ kind: 'MissingHeader', detail: `missing ${name} header`, header: name });
  if (c.cseq !== undefined && c.cseq.method !== request.method) {
    problems.push({
      kind: 'CSeqMethodMismatch', detail: 'CSeq method does not match the request method', header: HEADER.CSeq,
    });
  }
  if (!KNOWN_METHODS.has(request.method)) problems.push({
    kind: 'UnknownMethod', detail: `unknown method ${request.method}`,
  });
  else if (policy.allowedMethods !== undefined && !policy.allowedMethods.has(request.method)) {
    problems.push({ kind: 'MethodNotAllowed', detail: `${request.method} not allowed` });
  }
  const scheme = uriScheme(request.uri).toLowerCase();
  if (!(policy.uriSchemes ?? DEFAULT_SCHEMES).has(scheme)) problems.push({
    kind: 'UnsupportedUriScheme', detail: `scheme ${scheme}`,
  });
  if (request.uri.kind === 'sip' && request.uri.headers.length > 0) {
    problems.push({ kind: 'HeadersInRequestUri', detail: 'the Request-URI must not contain headers (§19.1.1)' });
  }
  problems.push(...headerSyntaxProblems(request));
  problems.push(...extensionProblems(request, policy));
  return sortProblems(problems);
};

const sortProblems = (problems: RequestProblem[]): ReadonlyArray<RequestProblem> =>
  problems.sort((a, b) => problemRank(a) - problemRank(b));

/** Lazily parsed headers whose value is checked when present. */
const headerSyntaxProblems = (request: SipRequest): RequestProblem[] => {
  const problems: RequestProblem[] = [];
  const date = headerValue(request, HEADER.Date);
  if (date !== undefined && !isValidSipDate(date)) problems.push({
    kind: 'BadHeaderValue', detail: 'Date must be an RFC 1123 date in GMT', header: HEADER.Date,
  });
  const contentType = getContentType(request);
  if (E.isLeft(contentType)) problems.push({
    kind: 'BadHeaderValue', detail: contentType.left.detail, header: HEADER.ContentType,
  });
  if (request.body.length > 0 && E.isRight(contentType) && contentType.right === undefined) {
    problems.push({ kind: 'MissingHeader', detail: 'a body needs a Content-Type', header: HEADER.ContentType });
  }
  return problems;
};

const extensionProblems = (request: SipRequest, policy: ValidationPolicy): RequestProblem[] => {
  const problems: RequestProblem[] = [];
  // §8.2.2.3: Require is not checked on ACK and CANCEL.
  if (request.method !== 'ACK' && request.method !== 'CANCEL') {
    const required = getTokenList(request, HEADER.Require);
    if (E.isLeft(required)) problems.push({
      kind: 'BadHeaderValue', detail: required.left.detail, header: HEADER.Require,
    });
    else {
      const supported = policy.supportedExtensions ?? new Set<string>();
      const unsupported = required.right.filter((tag) => !supported.has(tag.toLowerCase()) && !supported.has(tag));
      if (unsupported.length > 0) problems.push({
        kind: 'UnsupportedExtension', detail: 'unsupported Require', unsupported,
      });
    }
  }
  if (policy.acceptedContentTypes !== undefined && request.body.length > 0) {
    const type = getContentType(request);
    if (E.isRight(type) && type.right !== undefined && !policy.acceptedContentTypes.has(
      `${type.right.type}/${type.right.subtype}`,
    )) {
      problems.push({ kind: 'UnsupportedMediaType', detail: `${type.right.type}/${type.right.subtype}` });
    }
  }
  return problems;
};
