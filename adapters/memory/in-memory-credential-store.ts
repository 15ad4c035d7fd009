import { ha1Of, type DigestAlgorithm } from '../../domain/sip/digest-server.js';
import type { CredentialStore } from '../../ports/credential-store.js';
import type { Hash } from '../../ports/hash.js';

const ALGORITHMS: ReadonlyArray<DigestAlgorithm> = ['SHA-512-256', 'SHA-256', 'MD5'];

/**
 * Users and their HA1 per algorithm, in memory. Built from passwords, which
 * are hashed at once and not kept; or from HA1 values prepared elsewhere.
 */
export class InMemoryCredentialStore implements CredentialStore {
  private readonly entries = new Map<string, Partial<Record<DigestAlgorithm, string>>>();

  /** A store for `realm` from `users` (name → password): only the HA1 of each algorithm is kept. */
  static fromPasswords(realm: string, users: Readonly<Record<string, string>>, hash: Hash): InMemoryCredentialStore {
    const store = new InMemoryCredentialStore();
    for (const [username, password] of Object.entries(users)) {
      const ha1 = Object.fromEntries(ALGORITHMS.map((a) => [a, ha1Of(username, realm, password, a, hash)]));
      store.set(username, realm, ha1);
    }
    return store;
  }

  /** Sets (or replaces) a user's HA1 values in `realm`. */
  set(username: string, realm: string, ha1: Partial<Record<DigestAlgorithm, string>>): void {
    this.entries.set(`${realm}\u0000${username}`, { ...ha1 });
  }

  delete(username: string, realm: string): void {
    this.entries.delete(`${realm}\u0000${username}`);
  }

  ha1(username: string, realm: string, algorithm: DigestAlgorithm): Promise<string | undefined> {
    return Promise.resolve(this.entries.get(`${realm}\u0000${username}`)?.[algorithm]);
  }
}
