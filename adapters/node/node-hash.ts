import { createHash } from 'node:crypto';
import type { Hash, HashName } from '../../ports/hash.js';

/** OpenSSL names; SHA-512-256 is SHA-512/256 of FIPS 180-4, not a truncated SHA-512. */
const OPENSSL: Readonly<Record<HashName, string>> = { 'MD5': 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

export class NodeHash implements Hash {
  hex(name: HashName, data: Uint8Array): string {
    return createHash(OPENSSL[name]).update(data).digest('hex');
  }
}
