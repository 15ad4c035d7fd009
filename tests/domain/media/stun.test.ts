import test from 'ava';
import { nodeSrtpPrimitives } from '../../../adapters/node/node-srtp-primitives.js';
import {
  ATTRIBUTE, attributeOf, bindingRequest, bindingSuccess, crc32, looksLikeStun, parseStun, usernameOf, verifyStun,
} from '../../../domain/media/stun.js';
import { encodeUtf8 } from '../../../domain/sip/text-codec.js';

const hex = (text: string): Uint8Array => Uint8Array.from(text.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));
const mac = (password: string) => nodeSrtpPrimitives.hmacSha1(encodeUtf8(password));

// RFC 5769 §2.1: a Binding request with short-term credentials.
const RFC5769_REQUEST = hex(`
  000100582112a442b7e7a701bc34d686fa87dfae802200105354554e20746573742063
  6c69656e74002400046e0001ff80290008932ff9b151263b36000600096576746a3a68
  367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e5
  7a3bcf`);

test('STUN: the RFC 5769 request parses, its integrity and fingerprint verify with the right password only', (t) => {
  t.true(looksLikeStun(RFC5769_REQUEST));
  const message = parseStun(RFC5769_REQUEST)!;
  t.is(message.type, 0x0001);
  t.is(usernameOf(message), 'evtj:h6vY');
  t.truthy(attributeOf(message, ATTRIBUTE.IceControlled));
  t.true(verifyStun(message, mac('VOkJxbRl1RmTxUk/WvJxBt')));
  t.false(verifyStun(message, mac('wrong password')));
  const damaged = RFC5769_REQUEST.slice();
  damaged[30] = damaged[30]! ^ 1;
  t.false(verifyStun(parseStun(damaged)!, mac('VOkJxbRl1RmTxUk/WvJxBt')));
});

test('STUN: not STUN (RTP, DTLS, truncated) is told apart (RFC 7983)', (t) => {
  t.false(looksLikeStun(new Uint8Array([0x80, 0, 0, 1, 0x21, 0x12, 0xa4, 0x42, ...new Array(12).fill(0)])));
  t.false(looksLikeStun(new Uint8Array([22, 0xfe, 0xfd])));
  t.is(parseStun(RFC5769_REQUEST.subarray(0, 60)), undefined);
  t.is(crc32(encodeUtf8('123456789')), 0xcbf43926);
});

test('STUN: a check we build verifies; our answer maps the source address, IPv4 and IPv6', (t) => {
  const id = new Uint8Array(12).fill(7);
  const request = parseStun(bindingRequest(id, 'ours:theirs', { useCandidate: true, priority: 2130706431 },
    mac('a-password-of-22-chars')))!;
  t.true(verifyStun(request, mac('a-password-of-22-chars')));
  t.truthy(attributeOf(request, ATTRIBUTE.UseCandidate));
  const answer = parseStun(bindingSuccess(request, { host: '192.0.2.1', port: 32853 }, mac('p'))!)!;
  t.is(answer.type, 0x0101);
  t.true(verifyStun(answer, mac('p')));
  // RFC 5769 §2.2's mapped address: 192.0.2.1:32853 XORed with the cookie.
  t.deepEqual([...attributeOf(answer, ATTRIBUTE.XorMappedAddress)!.value], [0, 1, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43]);
  const v6 = parseStun(bindingSuccess(request, { host: '2001:db8::1', port: 5000 }, mac('p'))!)!;
  t.is(attributeOf(v6, ATTRIBUTE.XorMappedAddress)!.value.length, 20);
  t.is(bindingSuccess(request, { host: 'not-an-address', port: 1 }, mac('p')), undefined);
});
