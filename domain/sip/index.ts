/**
 * `session-core/sip`: SIP messages as pure values — parse, validate, build,
 * serialize and frame. This file is the package's public entry for the codec;
 * modules inside domain/ import from the defining files, never from here.
 */
export type { SipHeader, SipMessage, SipRequest, SipResponse } from './message.js';
export {
  SIP_VERSION, EMPTY_BODY, headerValue, headerValues, hasHeader, withHeader, withoutHeader, appendHeader, prependHeader,
  withBody,
} from './message.js';
export type { SipUri, TelUri, AbsoluteUri, Uri } from './uri.js';
export { sipUri, uriScheme } from './uri.js';
export { parseUri, parseSipUri, type UriError } from './parse-uri.js';
export { formatUri } from './format-uri.js';
export { parseNameAddr, formatNameAddr, type NameAddr } from './name-addr.js';
export {
  parseVia, formatVia, viaBranch, viaReceived, viaRport, viaMaddr, viaTtl, viaSentBy, defaultPort, type Via,
} from './via.js';
export { findParam, hasParam, paramValue, setParam, removeParam, formatParams, type Param } from './params.js';
export { HEADER, canonicalHeaderName } from './header-names.js';
export { parseMessage, DEFAULT_PARSE_OPTIONS, type ParseOptions } from './parse-message.js';
export { serializeMessage, formatHead, messageSize, writeMessage } from './serialize-message.js';
export { describeParseError, type SipParseError, type SipParseErrorReason } from './parse-error.js';
export type { HeaderError } from './header-error.js';
export {
  coreHeaders, getVias, getTopVia, getFrom, getTo, getCallId, getCSeq, getMaxForwards, getContacts,
  parseCSeq, MAX_CSEQ, type CSeq, type ContactValue, type CoreHeaders,
} from './core-headers.js';
export * from './typed-headers.js';
export { validateRequest, KNOWN_METHODS, type ValidationPolicy } from './validate-request.js';
export type { RequestProblem, RequestProblemKind } from './request-problem.js';
export { responseForProblem, responseForParseError, type ErrorResponse } from './error-response.js';
export { badRequestResponse } from './bad-request-response.js';
export { buildRequest, type RequestParts } from './build-request.js';
export { buildResponse, type ResponseOptions } from './build-response.js';
export { buildAckForFailure, buildCancel } from './build-ack-cancel.js';
export { reasonPhrase } from './reason-phrases.js';
export {
  parseDigestChallenge, preferredChallenge, computeDigest, digestAuthorization, resubmitWith,
  type DigestChallenge, type DigestRequest, type DigestComputation, type DigestError, type HashName, type Hasher,
} from './digest.js';
export {
  pushChunk, readContentLength, INITIAL_FRAMER_STATE, DEFAULT_FRAMER_LIMITS,
  type FramerState, type FramerLimits, type FrameResult, type FramingError,
} from './stream-framer.js';
