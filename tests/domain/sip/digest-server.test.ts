import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { NodeHash } from '../../../adapters/node/node-hash.js';
import { digestAuthorization, parseDigestChallenge } from '../../../domain/sip/digest.js';
import {
  challengeValue, checkNonce, digestUriMatches, expectedResponse, ha1Of, makeNonce, readCredentials, sameHex,
} from '../../../domain/sip/digest-server.js';
import { parseCredentials } from '../../../domain/sip/typed-headers.js';
import { parseUri } from '../../../domain/sip/parse-uri.js';

const hasher = new NodeHash();
const SECRET = 'k3y';

test('digest server: a nonce is valid while young, stale when old, forged when its MAC or time is wrong', (t) => {
  const nonce = makeNonce(1_000_000, 'abc123', SECRET, hasher);
  t.is(checkNonce(nonce, 1_000_500, 300_000, SECRET, hasher), 'Valid');
  t.is(checkNonce(nonce, 1_000_000 + 300_001, 300_000, SECRET, hasher), 'Stale');
  t.is(checkNonce(nonce, 1_000_500, 300_000, 'other secret', hasher), 'Forged');
  t.is(checkNonce(nonce.replace('abc123', 'abc124'), 1_000_500, 300_000, SECRET, hasher), 'Forged');
  t.is(checkNonce('plain', 1_000_500, 300_000, SECRET, hasher), 'Forged');
  const future = makeNonce(9_000_000, 'x', SECRET, hasher);
  t.is(checkNonce(future, 1_000_500, 300_000, SECRET, hasher), 'Forged', 'issued in the future');
});

for (const algorithm of ['SHA-256', 'MD5', 'SHA-512-256'] as const) {
  test(`digest server: a client's ${algorithm} answer (qop auth and auth-int) verifies against the stored HA1; a wrong password does not`, (t) => {
    const nonce = makeNonce(5_000, 'r', SECRET, hasher);
    const challenge = E.getOrElseW(() => { throw new Error('challenge'); })(parseDigestChallenge(
      E.getOrElseW(() => { throw new Error('parse'); })(parseCredentials(
        'WWW-Authenticate', challengeValue('example.com', nonce, 'op', algorithm, false),
      )),
    ));
    const ha1 = ha1Of('alice', 'example.com', 's3cret', algorithm, hasher);
    for (const qop of [['auth'], ['auth-int']]) {
      for (const [password, matches] of [['s3cret', true], ['guess', false]] as const) {
        const body = new TextEncoder().encode('v=0\r\n');
        const value = digestAuthorization({ ...challenge, qop }, {
          username: 'alice', password, method: 'INVITE', uri: 'sip:bob@example.com', body, cnonce: 'c1', nonceCount: 3,
        }, hasher);
        const sent = E.getOrElseW(() => { throw new Error('auth'); })(value);
        const read = readCredentials(E.getOrElseW(() => { throw new Error('read'); })(parseCredentials('Authorization', sent)));
        if (E.isLeft(read)) return t.fail(read.left.detail);
        t.like(read.right, { username: 'alice', nonce, nc: 3, qop: qop[0], opaque: 'op' });
        const expected = expectedResponse(read.right, ha1, 'INVITE', body, hasher);
        t.is(sameHex(expected ?? '', read.right.response), matches, `${qop[0]} with ${password}`);
      }
    }
  });
}

test('digest server: credentials without the parameters a response needs are refused as values', (t) => {
  const read = (text: string) => readCredentials(E.getOrElseW(() => { throw new Error('parse'); })(parseCredentials('Authorization', text)));
  t.true(E.isLeft(read('Bearer realm="x"')));
  t.true(E.isLeft(read('Digest username="a", realm="r", nonce="n", uri="sip:x"')));
  t.true(E.isLeft(read('Digest username="a", realm="r", nonce="n", uri="sip:x", response="zz"')));
  t.true(E.isLeft(read('Digest username="a", realm="r", nonce="n", uri="sip:x", response="ab", qop=auth')));
  t.true(E.isRight(read('Digest username="a", realm="r", nonce="n", uri="sip:x", response="ab"')));
});

test('digest server: the digest-uri must name the Request-URI\'s server (exactly, or as SIPp writes it)', (t) => {
  const target = parseUri('sip:bob@pbx.example.com:5070;transport=udp');
  if (E.isLeft(target)) return t.fail();
  t.true(digestUriMatches('sip:bob@pbx.example.com:5070;transport=udp', target.right));
  t.true(digestUriMatches('sip:pbx.example.com:5070', target.right), 'SIPp: host and port');
  t.true(digestUriMatches('sip:bob@PBX.example.com:5070', target.right));
  t.false(digestUriMatches('sip:pbx.example.com', target.right), 'another port');
  t.false(digestUriMatches('sip:other.example.com:5070', target.right), 'another server');
  t.false(digestUriMatches('sip:alice@pbx.example.com:5070', target.right), 'another user');
  t.false(digestUriMatches('sips:pbx.example.com:5070', target.right), 'another scheme');
  t.false(digestUriMatches('not a uri', target.right));
});
