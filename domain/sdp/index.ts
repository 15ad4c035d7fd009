/** `session-core/sdp`: SDP parse/serialize and offer/answer as pure functions. */
export * from './session-description.js';
export { parseSdp, type SdpError } from './parse-sdp.js';
export { serializeSdp } from './serialize-sdp.js';
export * from './offer-answer.js';
