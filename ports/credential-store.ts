import type { DigestAlgorithm } from '../domain/sip/digest-server.js';

export type { DigestAlgorithm } from '../domain/sip/digest-server.js';

/**
 * Users' Digest secrets (RFC 7616): HA1 = H(username:realm:password) per
 * algorithm, so the password itself need not be kept anywhere.
 */
export interface CredentialStore {
  /** HA1 of `username` in `realm` under `algorithm` (lower-case hex), or undefined for a user not known. */
  ha1(username: string, realm: string, algorithm: DigestAlgorithm): Promise<string | undefined>;
}
