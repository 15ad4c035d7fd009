/**
 * SDP Security Descriptions for media streams (RFC 4568): `a=crypto` lines
 * carrying SRTP master keys inline. We speak the two AES-CM + HMAC-SHA1
 * suites with one inline key each, no MKI and no session parameters; a line
 * asking for more is not an error, just not one we can take (§6.1: the
 * answerer picks a line it supports).
 */
import { MASTER_KEY_BYTES, MASTER_SALT_BYTES, SRTP_SUITES, type SrtpSuite } from '../media/srtp/srtp-keys.js';
import type { MediaDescription, SdpLine } from './session-description.js';
import { attributeValues } from './session-description.js';

/** An `a=crypto` line we can use: its tag, suite and the sender's master key and salt. */
export interface CryptoOffer {
  readonly tag: number;
  readonly suite: SrtpSuite;
  /** Master key followed by master salt (30 bytes). */
  readonly material: Uint8Array;
}

const MATERIAL_BYTES = MASTER_KEY_BYTES + MASTER_SALT_BYTES;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE: ReadonlyMap<string, number> = new Map([...ALPHABET].map((c, i) => [c, i]));

export const encodeBase64 = (bytes: Uint8Array): string => {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]!
      + (b === undefined ? '=' : ALPHABET[(n >>> 6) & 63]!) + (c === undefined ? '=' : ALPHABET[n & 63]!);
  }
  return out;
};

/** Standard base64 with padding optional; undefined for anything else. */
export const decodeBase64 = (text: string): Uint8Array | undefined => {
  const body = text.replace(/=+$/, '');
  if (body.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (const char of body) {
    const v = VALUE.get(char);
    if (v === undefined) return undefined;
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (value >>> bits) & 0xff;
    }
  }
  return out;
};

/** The `a=crypto` value for one of our keys. */
export const formatCrypto = (offer: CryptoOffer): string =>
  `${offer.tag} ${offer.suite} inline:${encodeBase64(offer.material)}`;

export const cryptoLine = (offer: CryptoOffer): SdpLine => ({ type: 'a', value: `crypto:${formatCrypto(offer)}` });

/**
 * Reads one `a=crypto` value (§9.1): `tag suite inline:key[|lifetime][|MKI:len] [session-params]`.
 * Undefined when it is malformed or needs something we do not do: another suite, a key that is not 30
 * bytes, several keys, an MKI, session parameters (UNENCRYPTED_SRTP, KDR, …). A lifetime is accepted: a
 * call sends far fewer than 2^31 packets, and we never re-key on our own.
 */
export const parseCrypto = (value: string): CryptoOffer | undefined => {
  const fields = value.trim().split(/\s+/);
  if (fields.length !== 3) return undefined;
  const [tagText, suiteText, keyParams] = fields as [string, string, string];
  if (!/^\d{1,9}$/.test(tagText)) return undefined;
  const suite = SRTP_SUITES.find((s) => s === suiteText.toUpperCase());
  const inline = keyParams.toLowerCase().startsWith('inline:');
  if (suite === undefined || keyParams.includes(';') || !inline) return undefined;
  const [keyText, ...rest] = keyParams.slice('inline:'.length).split('|');
  const material = keyText === undefined ? undefined : decodeBase64(keyText);
  if (material?.length !== MATERIAL_BYTES) return undefined;
  if (rest.length > 2 || rest.some((p) => p.includes(':'))) return undefined;
  const lifetime = rest[0];
  if (lifetime !== undefined && !/^(\d+|2\^\d+)$/.test(lifetime)) return undefined;
  return { tag: Number(tagText), suite, material };
};

/** The crypto lines of a media description we could use, in the offerer's order of preference. */
export const usableCrypto = (media: MediaDescription): CryptoOffer[] =>
  attributeValues(media.lines, 'crypto').flatMap((v) => {
    const parsed = parseCrypto(v);
    return parsed === undefined ? [] : [parsed];
  });

/** Whether a media description carries any `a=crypto` line (usable or not). */
export const hasCrypto = (media: MediaDescription): boolean => attributeValues(media.lines, 'crypto').length > 0;

/**
 * Our side of SRTP in offers and answers: our keys, one per suite in order of preference. 'required'
 * offers RTP/SAVP and takes only encrypted answers and offers; 'optional' offers RTP/AVP with the keys
 * (taken up by peers that can) and accepts either.
 */
export interface SrtpPolicy {
  readonly policy: 'optional' | 'required';
  readonly keys: ReadonlyArray<CryptoOffer>;
}

/** SRTP as agreed: the suite, our master key and salt (to send) and the peer's (to receive). */
export interface NegotiatedSrtp {
  readonly suite: SrtpSuite;
  readonly send: Uint8Array;
  readonly receive: Uint8Array;
}

export type CryptoAnswer =
  | { readonly kind: 'plain' }
  | { readonly kind: 'secure'; readonly line: SdpLine; readonly srtp: NegotiatedSrtp }
  | { readonly kind: 'refused'; readonly detail: string };

/**
 * How we answer one offered audio stream's security (RFC 4568 §6.1, §7.1.2): the first offered line whose
 * suite we have, answered with our key for that suite under the offer's tag. An RTP/SAVP offer with no
 * such line, or any offer without one while we require SRTP, cannot be accepted.
 */
export const answerCrypto = (offered: MediaDescription, ours: SrtpPolicy | undefined): CryptoAnswer => {
  const secure = offered.proto === 'RTP/SAVP';
  for (const theirs of ours === undefined ? [] : usableCrypto(offered)) {
    const mine = ours?.keys.find((k) => k.suite === theirs.suite);
    if (mine === undefined) continue;
    return {
      kind: 'secure', line: cryptoLine({ ...mine, tag: theirs.tag }),
      srtp: { suite: theirs.suite, send: mine.material, receive: theirs.material },
    };
  }
  if (secure) return {
    kind: 'refused', detail: ours === undefined
      ? 'the offer is RTP/SAVP and media encryption is off here'
      : 'the offer is RTP/SAVP with no a=crypto line we can use (AES_CM_128_HMAC_SHA1_80/32, inline key, no MKI)',
  };
  if (ours?.policy === 'required') return {
    kind: 'refused', detail: 'media encryption is required here and the offer has no usable a=crypto line',
  };
  return { kind: 'plain' };
};

/**
 * The security the answerer chose for a stream we offered, seen from our side: the answer's line must
 * name one of our tags with its suite (§7.1.3). An RTP/SAVP offer answered without one fails, as does an
 * answer line we never offered; an RTP/AVP offer answered in the clear stays plain.
 */
export const readCryptoAnswer = (
  offered: MediaDescription, answered: MediaDescription,
): { readonly ok: NegotiatedSrtp | undefined } | { readonly detail: string } => {
  const theirs = usableCrypto(answered)[0];
  const mine = theirs === undefined ? undefined : usableCrypto(offered).find(
    (k) => k.tag === theirs.tag && k.suite === theirs.suite,
  );
  if (theirs !== undefined && mine !== undefined) {
    return { ok: { suite: theirs.suite, send: mine.material, receive: theirs.material } };
  }
  if (hasCrypto(answered)) return { detail: 'the answer\'s a=crypto matches no line we offered' };
  if (offered.proto === 'RTP/SAVP') return { detail: 'the answer does not encrypt the audio we offered as RTP/SAVP' };
  return { ok: undefined };
};
