import test from 'ava';
import { HEADER } from '../../../domain/sip/header-names.js';
import {
  appendHeader, EMPTY_BODY, prependHeader, withHeader, withoutHeader, type SipRequest,
} from '../../../domain/sip/message.js';
import {
  formatReplaces, getContentDisposition, getCredentials, getExpires, getMinExpires, getMinSE, getRAck, getReplaces,
  getRetryAfter, getRSeq, getServer, getSessionExpires, getTokenList, getUserAgent, parseReplaces, formatMediaType, getContentType,
} from '../../../domain/sip/typed-headers.js';
import { sipUri } from '../../../domain/sip/uri.js';
import { left, right } from '../../support/either.js';

const withHeaders = (headers: Record<string, string>): SipRequest => ({
  kind: 'request', method: 'INVITE', uri: sipUri('h'), version: 'SIP/2.0', body: EMPTY_BODY,
  headers: Object.entries(headers).map(([name, value]) => ({ name, value })),
});

test('typed headers: Expires and Min-Expires clamp overlarge values to 2^32-1 (§20.19)', (t) => {
  t.is(right(t, getExpires(withHeaders({ Expires: '3600' }))), 3600);
  t.is(right(t, getExpires(withHeaders({ Expires: '1'.repeat(40) }))), 2 ** 32 - 1);
  t.is(right(t, getMinExpires(withHeaders({}))), undefined);
  t.is(left(t, getExpires(withHeaders({ Expires: 'soon' }))).header, 'Expires');
});

test('typed headers: Retry-After with comment and duration (§20.33)', (t) => {
  t.deepEqual(right(t, getRetryAfter(withHeaders({ 'Retry-After': '120 (I am in a meeting);duration=3600' }))),
    { seconds: 120, comment: 'I am in a meeting', params: [{ name: 'duration', value: '3600' }] });
  t.deepEqual(right(t, getRetryAfter(withHeaders({ 'Retry-After': '5' }))), { seconds: 5, params: [] });
});

test('typed headers: RSeq, RAck (RFC 3262), Session-Expires and Min-SE (RFC 4028)', (t) => {
  t.is(right(t, getRSeq(withHeaders({ RSeq: '988789' }))), 988789);
  t.deepEqual(right(t, getRAck(withHeaders({ RAck: '776656 1 INVITE' }))), { rseq: 776656, cseq: 1, method: 'INVITE' });
  t.is(left(t, getRAck(withHeaders({ RAck: '776656 INVITE' }))).header, 'RAck');
  t.deepEqual(
    right(t, getSessionExpires(withHeaders({ 'Session-Expires': '4000;refresher=UAS' }))),
    { seconds: 4000, refresher: 'uas' },
  );
  t.is(left(t, getSessionExpires(withHeaders({ 'Session-Expires': '4000;refresher=me' }))).detail, 'bad refresher');
  t.is(right(t, getMinSE(withHeaders({ 'Min-SE': '90' }))), 90);
});

test('typed headers: Replaces (RFC 3891) parses, requires both tags, and formats back', (t) => {
  const replaces = right(t, parseReplaces('425928@bobster.example.org;to-tag=7743;from-tag=6472;early-only'));
  t.deepEqual(replaces, { callId: '425928@bobster.example.org', toTag: '7743', fromTag: '6472', earlyOnly: true });
  t.deepEqual(right(t, parseReplaces(formatReplaces(replaces))), replaces);
  t.is(left(t, parseReplaces('abc;to-tag=1')).detail, 'to-tag and from-tag are required');
  t.is(right(t, getReplaces(withHeaders({ Replaces: 'x;from-tag=1;to-tag=2' })))?.toTag, '2');
});

test('typed headers: token lists across several lines; bad tokens are errors', (t) => {
  t.deepEqual(
    right(t, getTokenList(withHeaders({ Supported: '100rel, timer', supported: 'replaces' }), HEADER.Supported)),
    ['100rel', 'timer', 'replaces'], 'names match case-insensitively',
  );
  const twoLines = appendHeader(withHeaders({ Supported: '100rel, timer' }), 'k', 'replaces');
  t.deepEqual(right(t, getTokenList(twoLines, HEADER.Supported)), ['100rel', 'timer', 'replaces']);
  t.is(left(t, getTokenList(withHeaders({ Require: 'a b' }), HEADER.Require)).header, 'Require');
});

test('typed headers: WWW-Authenticate challenge with quoted commas', (t) => {
  const [challenge] = right(
    t,
    getCredentials(
      withHeaders({ 'WWW-Authenticate': 'Digest realm="a, b", nonce="n", qop="auth,auth-int", stale=FALSE' }),
      HEADER.WwwAuthenticate,
    ),
  );
  t.is(challenge?.params.get('realm'), 'a, b');
  t.is(challenge?.params.get('qop'), 'auth,auth-int');
  t.is(challenge?.params.get('stale'), 'FALSE');
  t.is(left(t, getCredentials(withHeaders({ Authorization: '' }), HEADER.Authorization)).detail, 'missing auth scheme');
});

test('typed headers: Content-Type and Content-Disposition with parameters', (t) => {
  const type = right(t, getContentType(withHeaders({ 'Content-Type': 'Multipart/Mixed; boundary=xyz' })));
  t.is(formatMediaType(type!), 'multipart/mixed;boundary=xyz');
  t.like(
    right(t, getContentDisposition(withHeaders({ 'Content-Disposition': 'session;handling=optional' }))),
    { value: 'session' },
  );
  t.is(getUserAgent(withHeaders({ 'User-Agent': 'x/1' })), 'x/1');
  t.is(getServer(withHeaders({})), undefined);
});

test('message helpers: withHeader replaces in place, prependHeader goes before its kind, withoutHeader removes all', (
  t,
) => {
  const m = withHeaders({ Via: 'v1', To: 't', Subject: 's' });
  t.deepEqual(withHeader(m, 'subject', 'new').headers.map((h) => h.value), ['v1', 't', 'new']);
  t.deepEqual(withHeader(m, 'Organization', 'o').headers.map((h) => h.name), ['Via', 'To', 'Subject', 'Organization']);
  t.deepEqual(prependHeader(m, 'v', 'v0').headers.map((h) => h.value), ['v0', 'v1', 't', 's']);
  t.deepEqual(withoutHeader(m, 'TO').headers.map((h) => h.name), ['Via', 'Subject']);
});
