import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { getTopVia } from '../../../domain/sip/core-headers.js';
import { headerValues } from '../../../domain/sip/message.js';
import { parseMessage } from '../../../domain/sip/parse-message.js';
import { DEFAULT_PARSE_OPTIONS } from '../../../domain/sip/parse-message.js';
import { parseUri } from '../../../domain/sip/parse-uri.js';
import { encodeUtf8 } from '../../../domain/sip/text-codec.js';
import { parseVia } from '../../../domain/sip/via.js';
import { endpoint, formatEndpoint, hostForSip, stripBrackets } from '../../../domain/transport/endpoint.js';
import { receiveBytes, stampReceived } from '../../../domain/transport/inbound.js';
import { stampSentBy, targetForUri } from '../../../domain/transport/outbound.js';
import { responseTarget } from '../../../domain/transport/response-target.js';
import { left, right } from '../../support/either.js';
import { optionsRequest } from '../../support/sip-text.js';

const via = (t: Parameters<typeof right>[0], text: string) => right(t, parseVia(text));
const source = endpoint('udp', '198.51.100.7', 40000);

test('stampReceived: same host, no rport → unchanged (§18.2.1)', (t) => {
  const v = via(t, 'SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK1');
  t.is(stampReceived(v, source), v);
});

test('stampReceived: a different host adds received (§18.2.1)', (t) => {
  t.deepEqual(stampReceived(via(t, 'SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1'), source).params,
    [{ name: 'branch', value: 'z9hG4bK1' }, { name: 'received', value: '198.51.100.7' }]);
});

test('stampReceived: an empty rport is filled and received always added (RFC 3581 §4)', (t) => {
  t.deepEqual(stampReceived(via(t, 'SIP/2.0/UDP 198.51.100.7:5060;rport;branch=z9hG4bK1'), source).params,
    [
      { name: 'rport', value: '40000' }, { name: 'branch', value: 'z9hG4bK1' },
      { name: 'received', value: '198.51.100.7' },
    ]);
});

const targets: ReadonlyArray<[string, string]> = [
  ['SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1', 'udp:pc33.example.com:5060'],
  ['SIP/2.0/UDP pc33.example.com:5070;received=192.0.2.1', 'udp:192.0.2.1:5070'],
  ['SIP/2.0/UDP pc33.example.com:5070;received=192.0.2.1;rport=6000', 'udp:192.0.2.1:6000'],
  ['SIP/2.0/UDP pc33.example.com;maddr=239.1.1.1;ttl=1', 'udp:239.1.1.1:5060'],
  ['SIP/2.0/TCP [2001:db8::1]:5080', 'tcp:[2001:db8::1]:5080'],
  ['SIP/2.0/TLS example.com', 'tls:example.com:5061'],
  ['SIP/2.0/TLS 192.0.2.9:5063;received=198.51.100.1;rport=40001', 'tls:198.51.100.1:40001'],
];
for (const [text, expected] of targets) {
  test(
    `responseTarget: ${text} → ${expected} (§18.2.2)`,
    (t) => t.is(formatEndpoint(responseTarget(via(t, text))), expected),
  );
}

test('stampSentBy: the top Via names the transport used and the bound address; other Vias untouched', (t) => {
  const request = right(
    t,
    parseMessage(
      optionsRequest({ via: 'SIP/2.0/UDP old.invalid:1;branch=z9hG4bKa, SIP/2.0/UDP proxy;branch=z9hG4bKb' }),
    ),
  );
  const stamped = stampSentBy(request, 'tcp', endpoint('tcp', '::1', 5062));
  t.deepEqual(
    headerValues(stamped, 'Via'), ['SIP/2.0/TCP [::1]:5062;branch=z9hG4bKa, SIP/2.0/UDP proxy;branch=z9hG4bKb'],
  );
  t.is(stampSentBy(stamped, 'tcp', endpoint('tcp', '::1', 5062)), stamped, 'nothing to change → same object');
});

test('targetForUri: transport, maddr and default port; sips and transport=tls go over TLS, on 5061 by default (§26.2, RFC 5630); tel and other transports are refused as values', (t) => {
  const target = (text: string) => targetForUri(right(t, parseUri(text)));
  t.deepEqual(right(t, target('sip:bob@192.0.2.4')), endpoint('udp', '192.0.2.4', 5060));
  t.deepEqual(right(t, target('sip:bob@[::1]:5080;transport=TCP')), endpoint('tcp', '::1', 5080));
  t.deepEqual(right(t, target('sip:bob@h;maddr=10.1.1.1')), endpoint('udp', '10.1.1.1', 5060));
  t.deepEqual(right(t, target('sips:bob@h')), endpoint('tls', 'h', 5061));
  t.deepEqual(right(t, target('sips:bob@h:5071;transport=tcp')), endpoint('tls', 'h', 5071));
  t.deepEqual(right(t, target('sip:bob@h;transport=TLS')), endpoint('tls', 'h', 5061));
  t.is(left(t, target('sips:bob@h;transport=udp')).reason, 'UnsupportedTransport');
  t.is(left(t, target('sip:bob@h;transport=sctp')).reason, 'UnsupportedTransport');
  t.is(left(t, target('tel:+123')).reason, 'NoRoute');
});

test('endpoint helpers: brackets off for sockets, on for SIP text', (t) => {
  t.is(stripBrackets('[::1]'), '::1');
  t.is(hostForSip('::1'), '[::1]');
  t.is(hostForSip('example.com'), 'example.com');
});

test('receiveBytes: an oversized request is answered 513 (§21.5.14), oversized garbage and requests without Via are dropped; responses pass untouched', (t) => {
  const options = { ...DEFAULT_PARSE_OPTIONS, maxMessageBytes: 100 };
  t.like(
    receiveBytes(encodeUtf8(optionsRequest()), source, options),
    { kind: 'reply', response: { status: 513, reason: 'Message Too Large' } },
  );
  t.like(receiveBytes(encodeUtf8('x'.repeat(200)), source, options), { kind: 'drop', reason: 'TooLarge' });
  const noVia = optionsRequest().replace(/Via: [^\r]*\r\n/, '');
  t.like(receiveBytes(encodeUtf8(noVia), source, DEFAULT_PARSE_OPTIONS), { kind: 'drop', reason: 'MissingVia' });
  const response = receiveBytes(
    encodeUtf8('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n'), source, DEFAULT_PARSE_OPTIONS,
  );
  t.is(response.kind, 'message');
  t.like(
    receiveBytes(encodeUtf8('SIP/2.0 2000 OK\r\n\r\n'), source, DEFAULT_PARSE_OPTIONS),
    { kind: 'drop', reason: 'Unparsable' },
  );
});

test('receiveBytes: the stamped request keeps its other Vias and its memoized headers agree with a fresh parse', (
  t,
) => {
  const bytes = encodeUtf8(
    optionsRequest({ via: 'SIP/2.0/UDP a.example;rport;branch=z9hG4bK1, SIP/2.0/UDP b.example;branch=z9hG4bK2' }),
  );
  const result = receiveBytes(bytes, source, DEFAULT_PARSE_OPTIONS);
  if (result.kind !== 'message') return t.fail();
  t.deepEqual(
    headerValues(result.message, 'Via'),
    ['SIP/2.0/UDP a.example;rport=40000;branch=z9hG4bK1;received=198.51.100.7, SIP/2.0/UDP b.example;branch=z9hG4bK2'],
  );
  const memo = right(t, getTopVia(result.message));
  const fresh = parseMessage(new TextEncoder().encode(optionsRequest()));
  t.true(E.isRight(fresh));
  t.is(memo.params.find((p) => p.name === 'received')?.value, '198.51.100.7');
});
