/** Digest vectors (RFC 2617, RFC 7616 with its errata, RFC 2069, JsSIP) read in place from ../shared/testdata. */
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { NodeHash } from '../../../adapters/node/node-hash.js';
import {
  computeDigest, digestAuthorization, parseDigestChallenge, preferredChallenge, type DigestChallenge,
} from '../../../domain/sip/digest.js';
import { parseCredentials } from '../../../domain/sip/typed-headers.js';
import { left, right } from '../../support/either.js';
import { hasTestdata, readTestdata, reportAbsentCorpus } from '../../support/testdata.js';

const hash = new NodeHash();

interface Vector {
  readonly id: string;
  readonly algorithm: string;
  readonly username: string;
  readonly realm: string;
  readonly password: string;
  readonly method: string;
  readonly uri: string;
  readonly nonce: string;
  readonly cnonce: string | null;
  readonly nc: string | null;
  readonly qop: string | null;
  readonly opaque: string | null;
  readonly userhash?: boolean;
  readonly entity_body?: string;
  readonly challenge?: Readonly<Record<string, string>>;
  readonly expected: { readonly ha1: string; readonly ha2: string; readonly response: string; readonly username_hash?: string };
}

/** The challenge as a server would send it: the vector's own, or one built from its fields. */
const challengeHeader = (v: Vector): string => {
  const fields: Record<string, string> = v.challenge !== undefined ? { ...v.challenge } : {
    realm: v.realm, nonce: v.nonce, ...(v.qop === null ? {} : { qop: v.qop }), ...(v.opaque === null ? {} : { opaque: v.opaque }),
  };
  if (v.challenge === undefined || fields['algorithm'] === undefined) fields['algorithm'] = v.algorithm;
  const tokens = new Set(['algorithm', 'userhash', 'charset']);
  return `Digest ${Object.entries(fields).map(([k, value]) => (tokens.has(k) ? `${k}=${value}` : `${k}="${value}"`)).join(', ')}`;
};

const available = hasTestdata('digest');
reportAbsentCorpus('digest', 'digest vectors: HA1, HA2 and response of every vector');
const vectors: ReadonlyArray<Vector> = available
  ? (JSON.parse(readTestdata('digest/vectors.json').toString('utf8')) as { vectors: Vector[] }).vectors
  : [];

for (const v of vectors) {
  test(`digest vector ${v.id}: HA1, HA2 and response from the parsed challenge`, (t) => {
    const challenge = right(
      t, parseDigestChallenge(right(t, parseCredentials('WWW-Authenticate', challengeHeader(v)))),
    );
    const request = {
      username: v.username, password: v.password, method: v.method, uri: v.uri,
      body: new TextEncoder().encode(v.entity_body ?? ''), cnonce: v.cnonce ?? '', nonceCount: v.nc === null
        ? 1
        : parseInt(v.nc, 16),
    };
    const digest = right(t, computeDigest(challenge, request, hash));
    t.is(digest.ha1, v.expected.ha1);
    t.is(digest.ha2, v.expected.ha2);
    t.is(digest.response, v.expected.response);
    t.is(digest.qop as string | undefined, v.qop ?? undefined);
    if (v.expected.username_hash !== undefined) t.is(digest.usernameHash, v.expected.username_hash);
    // The Authorization value carries what the server needs to check it (RFC 7616 §3.4).
    const sent = right(t, parseCredentials('Authorization', right(t, digestAuthorization(challenge, request, hash)))).params;
    t.is(sent.get('response'), v.expected.response);
    t.is(sent.get('username'), v.expected.username_hash ?? v.username);
    t.is(sent.get('uri'), v.uri);
    t.is(sent.get('opaque'), challenge.opaque);
    t.is(sent.get('nc'), v.qop === null ? undefined : v.nc ?? undefined);
  });
}

/** A challenge the test itself writes: any parse failure is a broken test. */
const challenge = (text: string): DigestChallenge => {
  const credentials = parseCredentials('WWW-Authenticate', text);
  if (E.isLeft(credentials)) throw new Error(credentials.left.detail);
  const parsed = parseDigestChallenge(credentials.right);
  if (E.isLeft(parsed)) throw new Error(parsed.left.detail);
  return parsed.right;
};

test('parseDigestChallenge: defaults, stale, and what it refuses', (t) => {
  t.like(
    challenge('Digest realm="asterisk", nonce="abc"'),
    { realm: 'asterisk', nonce: 'abc', algorithm: 'MD5', qop: [], stale: false, userhash: false },
  );
  t.like(
    challenge('digest realm="r", nonce="n", qop="auth-int, auth", stale=TRUE'),
    { qop: ['auth-int', 'auth'], stale: true },
  );
  t.regex(
    left(t, parseDigestChallenge(right(t, parseCredentials('WWW-Authenticate', 'Basic realm="r"')))).detail, /scheme/,
  );
  t.regex(
    left(t, parseDigestChallenge(right(t, parseCredentials('WWW-Authenticate', 'Digest nonce="n"')))).detail, /realm/,
  );
  t.regex(
    left(t, parseDigestChallenge(right(t, parseCredentials('WWW-Authenticate', 'Digest realm="r", nonce="n", algorithm=SHA-1')))).detail,
    /algorithm/,
  );
  const request = {
    username: 'u', password: 'p', method: 'INVITE', uri: 'sip:b@h', body: new Uint8Array(), cnonce: 'c', nonceCount: 1,
  };
  t.regex(
    left(t, computeDigest(challenge('Digest realm="r", nonce="n", qop="auth-conf"'), request, hash)).detail, /qop/,
  );
});

test('preferredChallenge: the strongest algorithm offered (RFC 7616 §3.7), -sess variants answered too', (t) => {
  const offered = ['MD5', 'SHA-256', 'SHA-512-256-sess'].map(
    (a) => challenge(`Digest realm="r", nonce="n", qop="auth", algorithm=${a}`),
  );
  t.is(preferredChallenge(offered)?.algorithm, 'SHA-512-256-sess');
  t.is(preferredChallenge(offered.slice(0, 2))?.algorithm, 'SHA-256');
  const request = {
    username: 'u', password: 'p', method: 'INVITE', uri: 'sip:b@h', body: new Uint8Array(), cnonce: 'c', nonceCount: 1,
  };
  const sess = right(
    t, computeDigest(challenge('Digest realm="r", nonce="n", qop="auth", algorithm=MD5-sess'), request, hash),
  );
  const plain = right(
    t, computeDigest(challenge('Digest realm="r", nonce="n", qop="auth", algorithm=MD5'), request, hash),
  );
  t.is(
    sess.ha1, hash.hex('MD5', new TextEncoder().encode(`${plain.ha1}:n:c`)), 'HA1 = H(H(user:realm:pass):nonce:cnonce)',
  );
});

test('session-core/sip exports the Digest helpers, usable with any hasher', async (t) => {
  const sip = await import('../../../domain/sip/index.js');
  const { createHash } = await import('node:crypto');
  const hasher = {
    hex: (name: 'MD5' | 'SHA-256' | 'SHA-512-256', data: Uint8Array) =>
      createHash(name === 'MD5' ? 'md5' : name === 'SHA-256' ? 'sha256' : 'sha512-256').update(data).digest('hex'),
  };
  const challenge = right(
    t,
    sip.parseDigestChallenge(
      right(
        t,
        sip.parseCredentials(
          'WWW-Authenticate',
          'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
        ),
      ),
    ),
  );
  const value = right(t, sip.digestAuthorization(challenge, {
    username: 'Mufasa', password: 'Circle Of Life', method: 'GET', uri: '/dir/index.html', body: new Uint8Array(), cnonce: '0a4f113b', nonceCount: 1,
  }, hasher));
  t.regex(value, /response="6629fae49393a05397450978507c4ef1"/, 'RFC 2617 §3.5');
});
