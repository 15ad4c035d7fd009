import test from 'ava';
import { formatUri } from '../../../domain/sip/format-uri.js';
import { parseUri, parseUriIn } from '../../../domain/sip/parse-uri.js';
import { left, right } from '../../support/either.js';

const cases: ReadonlyArray<[string, object]> = [
  [
    'sip:alice@atlanta.com',
    { kind: 'sip', scheme: 'sip', user: 'alice', host: 'atlanta.com', params: [], headers: [] },
  ],
  [
    'sips:alice:secretword@atlanta.com;transport=tcp',
    { scheme: 'sips', user: 'alice', password: 'secretword', params: [{ name: 'transport', value: 'tcp' }] },
  ],
  [
    'sip:+1-212-555-1212:1234@gateway.com;user=phone',
    { user: '+1-212-555-1212', password: '1234', params: [{ name: 'user', value: 'phone' }] },
  ],
  ['sip:alice@192.0.2.4:5070', { host: '192.0.2.4', port: 5070 }],
  [
    'sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com',
    { host: 'atlanta.com', headers: [{ name: 'to', value: 'alice@atlanta.com' }] },
  ],
  ['sip:alice;day=tuesday@atlanta.com', { user: 'alice;day=tuesday' }],
  ['sip:[2001:db8::1]:5060;lr', { host: '[2001:db8::1]', port: 5060, params: [{ name: 'lr' }] }],
  ['SIP:Bob@Example.COM', { scheme: 'sip', user: 'Bob', host: 'Example.COM' }],
  [
    'tel:+1-201-555-0123;phone-context=example.com',
    { kind: 'tel', number: '+1-201-555-0123', params: [{ name: 'phone-context', value: 'example.com' }] },
  ],
  ['mailto:bob@example.com', { kind: 'absolute', scheme: 'mailto', value: 'bob@example.com' }],
  ['urn:service:sos', { kind: 'absolute', scheme: 'urn', value: 'service:sos' }],
];

for (const [text, expected] of cases) {
  test(`parseUri: ${text} → fields (RFC 3261 §19.1.1)`, (t) => {
    const uri = right(t, parseUri(text));
    t.like(uri, expected);
    t.deepEqual(right(t, parseUri(formatUri(uri))), uri, 'format → parse is stable');
  });
}

const bad: ReadonlyArray<[string, RegExp]> = [
  ['alice@atlanta.com', /missing URI scheme/],
  ['<sip:alice@atlanta.com>', /missing URI scheme/],
  ['sip:alice@', /bad host/],
  ['sip:alice@atlanta.com:99999', /bad port/],
  ['sip:alice@atlanta.com:', /bad port/],
  ['sip:al ice@atlanta.com', /bad user part/],
  ['sip:alice%zz@atlanta.com', /bad user part/],
  ['sip:@atlanta.com', /bad user part/],
  ['sip:atlanta.com;;lr', /bad URI parameter/],
  ['sip:[2001:db8::1', /bad host/],
  ['sip:host!name', /unexpected/],
  ['foo:has space', /bad character/],
  ['sip:alice@atlanta.com;lr;', /bad URI parameter/],
  ['sip:alice@atlanta.com;x=', /bad URI parameter/],
  ['sip:alice@atlanta.com?', /bad URI header/],
  ['sip:alice@atlanta.com?subject', /bad URI header/],
  ['sip:alice@atlanta.com?a=1&', /bad URI header/],
  ['sip:alice:pass:word@atlanta.com', /bad password/],
  ['sip:alice@atlanta.com:5%30', /unexpected/],
];

for (const [text, detail] of bad) {
  test(`parseUri: ${text} → UriError`, (t) => {
    t.regex(left(t, parseUri(text)).detail, detail);
  });
}

test('formatUri: escapes only what each component forbids, and decodes UTF-8 escapes', (t) => {
  const uri = right(t, parseUri('sip:J%C3%B6rg%20M@example.com;x=a%20b'));
  t.like(uri, { user: 'Jörg M', params: [{ name: 'x', value: 'a b' }] });
  t.is(formatUri(uri), 'sip:J%C3%B6rg%20M@example.com;x=a%20b');
  t.is(formatUri(right(t, parseUri('sip:%61lice@example.com'))), 'sip:alice@example.com');
});

test('parseUri: odd but legal forms (empty header value, leading zeros in the port, a lone ;)', (t) => {
  t.like(
    right(t, parseUri('sip:a@b?subject=&priority=urgent')),
    { headers: [{ name: 'subject', value: '' }, { name: 'priority', value: 'urgent' }] },
  );
  t.like(right(t, parseUri('sip:a@b:0005060')), { port: 5060 });
  t.like(right(t, parseUri('sip:a@b;')), { params: [] });
});

test('parseUriIn: reads a URI inside a longer text without running past its end; offsets relative to it', (t) => {
  const text = 'INVITE sip:bob@example.com:5070;transport=tcp?x=1 SIP/2.0\r\nVia: a;b\r\n';
  const uri = right(t, parseUriIn(text, 7, 49));
  t.deepEqual(uri, right(t, parseUri('sip:bob@example.com:5070;transport=tcp?x=1')));
  t.like(
    right(t, parseUriIn(text, 7, 26)), { host: 'example.com', params: [], headers: [] },
    'the host stops at the range end',
  );
  t.like(right(t, parseUriIn(text, 7, 31)), { port: 5070, params: [] }, 'the port stops at the range end');
  t.like(left(t, parseUriIn('xx sip:a@b:99999 yy', 3, 16)), { detail: 'bad port', at: 8 });
  t.like(right(t, parseUriIn('  tel:+1-555 ', 2, 12)), { kind: 'tel', number: '+1-555' }, 'other schemes too');
});
