import type { Hasher } from '../domain/sip/digest.js';

export type { HashName } from '../domain/sip/digest.js';

/**
 * Hashing as a port: the core computes Digest credentials (RFC 7616) but may
 * not reach a crypto library itself. Pure and deterministic, so the same
 * adapter serves real sockets and simulations.
 */
export type Hash = Hasher;
