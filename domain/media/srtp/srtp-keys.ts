/**
 * SRTP crypto suites (RFC 4568 §6.2) and session key derivation (RFC 3711
 * §4.3, key derivation rate 0). The block cipher and MAC are primitives the
 * caller supplies (a port): the domain computes what to feed them, never
 * reaches a crypto library itself.
 */

/** AES in counter mode keyed once: XORs the keystream that starts at counter block `iv` into `data`. */
export interface AesCounterMode {
  xor(iv: Uint8Array, data: Uint8Array, offset: number, length: number): void;
}

/** HMAC-SHA1 keyed once: the 20-byte MAC of `data[offset, offset + length)` followed by `trailer`. */
export interface HmacSha1 {
  sign(data: Uint8Array, offset: number, length: number, trailer: Uint8Array | undefined, out: Uint8Array): void;
}

export interface SrtpPrimitives {
  aesCounterMode(key: Uint8Array): AesCounterMode;
  hmacSha1(key: Uint8Array): HmacSha1;
}

export type SrtpSuite = 'AES_CM_128_HMAC_SHA1_80' | 'AES_CM_128_HMAC_SHA1_32';

/** The suites we speak, in the order we offer them (RFC 4568 §6.2). */
export const SRTP_SUITES: ReadonlyArray<SrtpSuite> = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'];

export const MASTER_KEY_BYTES = 16;
export const MASTER_SALT_BYTES = 14;

/** SRTP's authentication tag length for a suite; SRTCP always uses 80 bits (RFC 4568 §6.2.2). */
export const rtpTagBytes = (suite: SrtpSuite): number => (suite === 'AES_CM_128_HMAC_SHA1_32' ? 4 : 10);
export const RTCP_TAG_BYTES = 10;

export interface SrtpMasterKey {
  readonly suite: SrtpSuite;
  readonly key: Uint8Array;
  readonly salt: Uint8Array;
}

/** What one direction of SRTP or SRTCP runs on: its cipher, its MAC and its salt. */
export interface SessionKeys {
  readonly cipher: AesCounterMode;
  readonly mac: HmacSha1;
  readonly salt: Uint8Array;
}

export interface SrtpKeys {
  readonly suite: SrtpSuite;
  readonly rtp: SessionKeys;
  readonly rtcp: SessionKeys;
}

/** Labels of RFC 3711 §4.3.2. */
const LABEL = { rtpCipher: 0, rtpAuth: 1, rtpSalt: 2, rtcpCipher: 3, rtcpAuth: 4, rtcpSalt: 5 } as const;

/**
 * The PRF of RFC 3711 §4.3.3: AES-CM under the master key, counter block
 * x·2^16 where x = (label << 48) XOR master salt (index DIV kdr is 0).
 */
export const deriveKey = (
  prf: AesCounterMode, masterSalt: Uint8Array, label: number, length: number,
): Uint8Array => {
  const iv = new Uint8Array(16);
  iv.set(masterSalt.subarray(0, MASTER_SALT_BYTES));
  // The label sits 48 bits above the low end of the 112-bit salt: byte 7 of the block.
  iv[7] = (iv[7] as number) ^ label;
  const out = new Uint8Array(length);
  prf.xor(iv, out, 0, length);
  return out;
};

/** Session keys for both SRTP and SRTCP from one master key and salt. */
export const deriveSrtpKeys = (primitives: SrtpPrimitives, master: SrtpMasterKey): SrtpKeys => {
  const prf = primitives.aesCounterMode(master.key);
  const keys = (cipher: number, auth: number, salt: number): SessionKeys => ({
    cipher: primitives.aesCounterMode(deriveKey(prf, master.salt, cipher, 16)),
    mac: primitives.hmacSha1(deriveKey(prf, master.salt, auth, 20)),
    salt: deriveKey(prf, master.salt, salt, MASTER_SALT_BYTES),
  });
  return {
    suite: master.suite,
    rtp: keys(LABEL.rtpCipher, LABEL.rtpAuth, LABEL.rtpSalt),
    rtcp: keys(LABEL.rtcpCipher, LABEL.rtcpAuth, LABEL.rtcpSalt),
  };
};
