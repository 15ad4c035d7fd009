/** `session-core/media`: RTP/RTCP, G.711, DTMF, statistics and audio helpers as pure functions. */
export * from './g711.js';
export * from './rtp-packet.js';
export * from './rtcp.js';
export * from './receiver-stats.js';
export * from './mos.js';
export * from './dtmf.js';
export * from './goertzel.js';
export * from './tone.js';
export * from './jitter-buffer.js';
export * from './wav.js';
