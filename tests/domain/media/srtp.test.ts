import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { nodeSrtpPrimitives } from '../../../adapters/node/node-srtp-primitives.js';
import {
  deriveKey, deriveSrtpKeys, type SrtpMasterKey, type SrtpSuite,
} from '../../../domain/media/srtp/srtp-keys.js';
import {
  NEW_SENDER, NEW_SRTCP_SENDER, protectRtcp, protectRtp, unprotectRtcp, unprotectRtp,
  type SrtpReceiver, type SrtpSender,
} from '../../../domain/media/srtp/srtp.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();

// RFC 3711 Appendix B.3: one master key and salt, the session keys it yields.
const MASTER = { key: hex('E1F97A0D3E018BE0D64FA32C06DE4139'), salt: hex('0EC675AD498AFEEBB6960B3AABE6') };
const master = (suite: SrtpSuite): SrtpMasterKey => ({ suite, ...MASTER });

test('SRTP key derivation: RFC 3711 B.3 cipher key, salt and authentication key (key derivation rate 0)', (t) => {
  const prf = nodeSrtpPrimitives.aesCounterMode(MASTER.key);
  t.is(toHex(deriveKey(prf, MASTER.salt, 0, 16)), 'C61E7A93744F39EE10734AFE3FF7A087');
  t.is(toHex(deriveKey(prf, MASTER.salt, 2, 14)), '30CBBC08863D8C85D49DB34A9AE1');
  t.is(toHex(deriveKey(prf, MASTER.salt, 1, 20)), 'CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4');
});

test('AES-CM keystream: RFC 3711 B.2 blocks 0, 1, 2 and 0xFEFF–0xFF01 (the 16-bit block counter)', (t) => {
  const cipher = nodeSrtpPrimitives.aesCounterMode(hex('2B7E151628AED2A6ABF7158809CF4F3C'));
  const keystream = new Uint8Array(16 * 0xff02);
  cipher.xor(hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000'), keystream, 0, keystream.length);
  const block = (n: number): string => toHex(keystream.subarray(16 * n, 16 * n + 16));
  t.is(block(0), 'E03EAD0935C95E80E166B16DD92B4EB4');
  t.is(block(1), 'D23513162B02D0F72A43A2FE4A5F97AB');
  t.is(block(2), '41E95B3BB0A2E8DD477901E4FCA894C0');
  t.is(block(0xfeff), 'EC8CDF7398607CB0F2D21675EA9EA1E4');
  t.is(block(0xff00), '362B7C3C6773516318A077D7FC5073AE');
  t.is(block(0xff01), '6A2CC3787889374FBEB4C81B17BA6C44');
});

// The widely used reference packets for this key (SSRC 0xCAFEBABE, sequence 0x1234, ROC 0).
const RTP_PLAIN = hex('800F1234DECAFBADCAFEBABE' + 'AB'.repeat(16));
const SRTP_80 = '800F1234DECAFBADCAFEBABE4E55DC4CE79978D88CA4D215949D2402B78D6ACC99EA179B8DBB';
const RTCP_PLAIN = hex('81C8000BCAFEBABE' + 'AB'.repeat(16));
const SRTCP = '81C8000BCAFEBABE7128035BE487B9BDBEF89041F977A5A880000001993E08CD54D6C1230798';

test('SRTP protect: the reference packet encrypts and authenticates to the known bytes, 80- and 32-bit tags', (t) => {
  const keys80 = deriveSrtpKeys(nodeSrtpPrimitives, master('AES_CM_128_HMAC_SHA1_80'));
  t.is(toHex(protectRtp(keys80, NEW_SENDER, RTP_PLAIN)!.bytes), SRTP_80);
  const keys32 = deriveSrtpKeys(nodeSrtpPrimitives, master('AES_CM_128_HMAC_SHA1_32'));
  t.is(toHex(protectRtp(keys32, NEW_SENDER, RTP_PLAIN)!.bytes), SRTP_80.slice(0, SRTP_80.length - 12));
});

test('SRTCP protect: the reference compound packet gets E flag, index 1 and its tag; unprotect gives it back', (t) => {
  const keys = deriveSrtpKeys(nodeSrtpPrimitives, master('AES_CM_128_HMAC_SHA1_80'));
  const protectedRtcp = protectRtcp(keys, NEW_SRTCP_SENDER, RTCP_PLAIN)!;
  t.is(toHex(protectedRtcp.bytes), SRTCP);
  const back = unprotectRtcp(keys, undefined, protectedRtcp.bytes);
  t.true(E.isRight(back));
  if (E.isRight(back)) t.is(toHex(back.right.packet), toHex(RTCP_PLAIN));
  t.deepEqual(unprotectRtcp(keys, E.isRight(back) ? back.right.receiver : undefined, protectedRtcp.bytes), E.left('Replayed'));
  const tampered = protectedRtcp.bytes.slice();
  tampered[10] = (tampered[10] as number) ^ 1;
  t.deepEqual(unprotectRtcp(keys, undefined, tampered), E.left('AuthFailed'));
});

const packet = (seq: number, payload = 0x11): Uint8Array => {
  const bytes = new Uint8Array(12 + 160).fill(payload);
  bytes.set([0x80, 0x00, seq >> 8, seq & 0xff, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78]);
  return bytes;
};

test('SRTP round trip over the sequence wrap: the rollover counter follows on both sides, payloads come back, the bytes on the wire are not the payload', (t) => {
  const keys = deriveSrtpKeys(nodeSrtpPrimitives, master('AES_CM_128_HMAC_SHA1_80'));
  let sender: SrtpSender = NEW_SENDER;
  let receiver: SrtpReceiver | undefined;
  for (let n = 0; n < 300; n++) {
    const seq = (65_400 + n) % 65_536;
    const plain = packet(seq, n & 0xff);
    const sent = protectRtp(keys, sender, plain)!;
    sender = sent.sender;
    t.notDeepEqual(sent.bytes.subarray(12, 172), plain.subarray(12), 'the payload is encrypted');
    const received = unprotectRtp(keys, receiver, sent.bytes);
    if (E.isLeft(received)) return t.fail(`packet ${n} refused: ${received.left}`);
    t.deepEqual(received.right.packet, plain);
    receiver = received.right.receiver;
  }
  t.is(sender.roc, 1);
  t.is(receiver?.roc, 1);
});

test('SRTP replay protection: a replay, a packet older than the window and a tampered tag are refused; late packets within the window pass once', (t) => {
  const keys = deriveSrtpKeys(nodeSrtpPrimitives, master('AES_CM_128_HMAC_SHA1_32'));
  let sender: SrtpSender = NEW_SENDER;
  const wire: Uint8Array[] = [];
  for (let seq = 1000; seq < 1100; seq++) {
    const sent = protectRtp(keys, sender, packet(seq))!;
    sender = sent.sender;
    wire.push(sent.bytes);
  }
  let receiver: SrtpReceiver | undefined;
  const take = (bytes: Uint8Array): string => {
    const result = unprotectRtp(keys, receiver, bytes);
    if (E.isLeft(result)) return result.left;
    receiver = result.right.receiver;
    return 'ok';
  };
  t.is(take(wire[0]!), 'ok');
  t.is(take(wire[99]!), 'ok');
  t.is(take(wire[99]!), 'Replayed');
  t.is(take(wire[50]!), 'ok', 'late but within 64 of the newest');
  t.is(take(wire[50]!), 'Replayed');
  t.is(take(wire[10]!), 'Replayed', 'more than 64 behind the newest');
  const tampered = wire[98]!.slice();
  tampered[20] = (tampered[20] as number) ^ 0x80;
  t.is(take(tampered), 'AuthFailed');
  t.is(take(wire[98]!), 'ok', 'a refused forgery does not burn the real packet');
  t.is(take(packet(1200)), 'AuthFailed', 'plaintext RTP has no valid tag');
  t.is(take(new Uint8Array(8)), 'TooShort');
});
