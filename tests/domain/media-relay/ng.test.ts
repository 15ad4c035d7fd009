import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { bdecode, bencode } from '../../../domain/media-relay/bencode.js';
import { decodeNg, encodeNg, ngDictionary } from '../../../domain/media-relay/ng.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

test('bencode: strings by byte length, integers, lists, dictionaries with sorted keys; decoding gives them back', (t) => {
  const value = { sdp: 'v=0\r\nö', command: 'offer', n: -42, flags: ['trust-address', 'x'], nested: { a: 1 } };
  const text = bencode(value);
  t.is(text, 'd7:command5:offer5:flagsl13:trust-address1:xe1:ni-42e6:nestedd1:ai1ee3:sdp7:v=0\r\nöe');
  t.deepEqual(bdecode(bytes(text)), E.right(value));
});

test('bencode: malformed input is a Left, never a throw (truncated, bad length, bad integer, trailing bytes, too deep)', (t) => {
  for (const bad of ['5:abc', 'i12', 'ie', 'i1x2e', 'd3:keye', 'd1:a', 'l', 'x', '3:abcX', 'di1ei2ee', '99999999999:a',
    `${'l'.repeat(40)}${'e'.repeat(40)}`]) {
    t.true(E.isLeft(bdecode(bytes(bad))), bad);
  }
});

test('ng: offer carries the call\'s tags, the SDP and our options; delete only the tags; replies are read by result', (t) => {
  const call = { callId: 'c1', fromTag: 'a', toTag: 'b' };
  t.like(ngDictionary({ command: 'answer', call, sdp: 'v=0' }), {
    command: 'answer', 'call-id': 'c1', 'from-tag': 'a', 'to-tag': 'b', sdp: 'v=0', ICE: 'remove',
  });
  t.deepEqual(ngDictionary({ command: 'delete', call: { callId: 'c1', fromTag: 'a' } }), {
    command: 'delete', 'call-id': 'c1', 'from-tag': 'a',
  });
  t.is(encodeNg('k1', { command: 'ping' }), 'k1 d7:command4:pinge');
  t.deepEqual(decodeNg(bytes('k1 d6:result4:ponge')), E.right({ cookie: 'k1', reply: { result: 'pong' } }));
  t.deepEqual(
    decodeNg(bytes('k2 d3:sdp3:v=06:result2:oke')), E.right({ cookie: 'k2', reply: { result: 'ok', sdp: 'v=0' } }),
  );
  t.deepEqual(
    decodeNg(bytes('k3 d12:error-reason12:Unknown call6:result5:errore')),
    E.right({ cookie: 'k3', reply: { result: 'error', reason: 'Unknown call' } }),
  );
  for (const bad of ['nocookie', ' d6:result2:oke', 'k4 le', 'k5 d6:result3:hmme', 'k6 d6:result']) {
    t.true(E.isLeft(decodeNg(bytes(bad))), bad);
  }
});
