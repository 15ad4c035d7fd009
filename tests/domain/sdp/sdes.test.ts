import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { createAnswer, createOffer, DEFAULT_CODECS, processAnswer, type LocalMedia } from '../../../domain/sdp/offer-answer.js';
import { parseSdp } from '../../../domain/sdp/parse-sdp.js';
import {
  answerCrypto, decodeBase64, encodeBase64, parseCrypto, readCryptoAnswer, type CryptoOffer, type SrtpPolicy,
} from '../../../domain/sdp/sdes.js';
import { serializeSdp } from '../../../domain/sdp/serialize-sdp.js';
import type { MediaDescription } from '../../../domain/sdp/session-description.js';

const key = (fill: number): Uint8Array => new Uint8Array(30).fill(fill);
const inline = (fill: number): string => encodeBase64(key(fill));
const keys = (fill: number): CryptoOffer[] => [
  { tag: 1, suite: 'AES_CM_128_HMAC_SHA1_80', material: key(fill) },
  { tag: 2, suite: 'AES_CM_128_HMAC_SHA1_32', material: key(fill + 1) },
];
const policy = (p: 'optional' | 'required', fill: number): SrtpPolicy => ({ policy: p, keys: keys(fill) });

const media = (proto: string, ...crypto: string[]): MediaDescription => ({
  media: 'audio', port: 4000, proto, formats: ['0'],
  lines: [{ type: 'a', value: 'rtpmap:0 PCMU/8000' }, ...crypto.map((v) => ({ type: 'a', value: `crypto:${v}` }))],
});

test('base64: round trips every length, with or without padding; anything else is refused', (t) => {
  for (let n = 0; n < 40; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
    const text = encodeBase64(bytes);
    t.is(text, Buffer.from(bytes).toString('base64'));
    t.deepEqual(decodeBase64(text), bytes);
    t.deepEqual(decodeBase64(text.replace(/=+$/, '')), bytes);
  }
  t.is(decodeBase64('ab*d'), undefined);
  t.is(decodeBase64('abcde'), undefined);
});

test('a=crypto: one inline key of either suite is read (a lifetime too); MKI, several keys, session parameters, other suites and bad keys are not', (t) => {
  t.like(parseCrypto(`1 AES_CM_128_HMAC_SHA1_80 inline:${inline(7)}`), { tag: 1, suite: 'AES_CM_128_HMAC_SHA1_80' });
  t.deepEqual(parseCrypto(`3 AES_CM_128_HMAC_SHA1_32 inline:${inline(9)}|2^31`)?.material, key(9));
  t.like(parseCrypto(`2 aes_cm_128_hmac_sha1_80 inline:${inline(7)}|1048576`), { tag: 2 });
  for (const refused of [
    `1 AES_CM_128_HMAC_SHA1_80 inline:${inline(7)}|2^20|1:4`,
    `1 AES_CM_128_HMAC_SHA1_80 inline:${inline(7)}|1:4`,
    `1 AES_CM_128_HMAC_SHA1_80 inline:${inline(7)};inline:${inline(8)}`,
    `1 AES_CM_128_HMAC_SHA1_80 inline:${inline(7)} UNENCRYPTED_SRTP`,
    `1 AES_256_CM_HMAC_SHA1_80 inline:${encodeBase64(new Uint8Array(46))}`,
    `1 AES_CM_128_HMAC_SHA1_80 inline:${encodeBase64(new Uint8Array(16))}`,
    `1 AES_CM_128_HMAC_SHA1_80 inline:not*base64`,
    'x AES_CM_128_HMAC_SHA1_80 inline:AAAA',
    `1 AES_CM_128_HMAC_SHA1_80 uri:${inline(7)}`,
  ]) t.is(parseCrypto(refused), undefined, refused);
});

test('answering (RFC 4568 §7.1.2): the first offered line of a suite we have, under its tag, with our key; refusals by policy', (t) => {
  const offered = media('RTP/SAVP', `5 AES_CM_128_HMAC_SHA1_32 inline:${inline(40)}`, `6 AES_CM_128_HMAC_SHA1_80 inline:${inline(50)}`);
  const secure = answerCrypto(offered, policy('optional', 1));
  t.is(secure.kind, 'secure');
  if (secure.kind === 'secure') {
    t.is(secure.line.value, `crypto:5 AES_CM_128_HMAC_SHA1_32 inline:${inline(2)}`);
    t.deepEqual(secure.srtp, { suite: 'AES_CM_128_HMAC_SHA1_32', send: key(2), receive: key(40) });
  }
  t.is(answerCrypto(offered, undefined).kind, 'refused', 'RTP/SAVP while encryption is off');
  t.is(answerCrypto(media('RTP/SAVP', `1 AES_CM_128_HMAC_SHA1_80 inline:${inline(4)}|1:4`), policy('optional', 1)).kind, 'refused');
  t.is(answerCrypto(media('RTP/AVP'), policy('required', 1)).kind, 'refused', 'plain offer while required');
  t.is(answerCrypto(media('RTP/AVP'), policy('optional', 1)).kind, 'plain');
  t.is(answerCrypto(media('RTP/AVP', `1 AES_CM_128_HMAC_SHA1_80 inline:${inline(4)}`), undefined).kind, 'plain', 'best-effort SRTP ignored when off');
  t.is(answerCrypto(media('RTP/AVP', `1 AES_CM_128_HMAC_SHA1_80 inline:${inline(4)}`), policy('optional', 1)).kind, 'secure');
});

test('reading the answer (§7.1.3): its line must be one of our tags with that suite; RTP/SAVP answered in the clear fails; RTP/AVP may stay plain', (t) => {
  const ours = media('RTP/SAVP', `1 AES_CM_128_HMAC_SHA1_80 inline:${inline(1)}`, `2 AES_CM_128_HMAC_SHA1_32 inline:${inline(2)}`);
  t.deepEqual(readCryptoAnswer(ours, media('RTP/SAVP', `2 AES_CM_128_HMAC_SHA1_32 inline:${inline(9)}`)), {
    ok: { suite: 'AES_CM_128_HMAC_SHA1_32', send: key(2), receive: key(9) },
  });
  t.true('detail' in readCryptoAnswer(ours, media('RTP/SAVP', `2 AES_CM_128_HMAC_SHA1_80 inline:${inline(9)}`)));
  t.true('detail' in readCryptoAnswer(ours, media('RTP/SAVP', `7 AES_CM_128_HMAC_SHA1_80 inline:${inline(9)}`)));
  t.true('detail' in readCryptoAnswer(ours, media('RTP/AVP')));
  const optional = { ...ours, proto: 'RTP/AVP' };
  t.deepEqual(readCryptoAnswer(optional, media('RTP/AVP')), { ok: undefined });
});

const local = (srtp?: SrtpPolicy): LocalMedia => ({
  address: '192.0.2.1', port: 30000, codecs: DEFAULT_CODECS, telephoneEventPayloadType: 101, direction: 'sendrecv',
  ptimeMs: 20, ...(srtp === undefined ? {} : { srtp }),
});
const id = { username: '-', sessionId: '1', sessionVersion: '1' };

test('offer → answer → processAnswer with SRTP required: each side sends with its own key and receives with the other\'s', (t) => {
  const offer = createOffer(local(policy('required', 10)), id);
  const text = serializeSdp(offer);
  t.regex(text, /^m=audio 30000 RTP\/SAVP 0 8 101$/m);
  t.regex(text, new RegExp(`^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${inline(10).replace(/\+/g, '\\+')}$`, 'm'));
  const answer = createAnswer(E.getOrElseW(() => { throw new Error('offer'); })(parseSdp(text)), local(policy('optional', 20)), id);
  if (E.isLeft(answer)) return t.fail(answer.left.detail);
  const answerText = serializeSdp(answer.right.answer);
  t.regex(answerText, /^m=audio 30000 RTP\/SAVP 0 8 101$/m);
  t.deepEqual(answer.right.negotiated.srtp, { suite: 'AES_CM_128_HMAC_SHA1_80', send: key(20), receive: key(10) });
  const read = processAnswer(offer, E.getOrElseW(() => { throw new Error('answer'); })(parseSdp(answerText)));
  if (E.isLeft(read)) return t.fail(read.left.detail);
  t.deepEqual(read.right.srtp, { suite: 'AES_CM_128_HMAC_SHA1_80', send: key(10), receive: key(20) });
});
