import test from 'ava';
import { formatNameAddr, parseNameAddr } from '../../../domain/sip/name-addr.js';
import { setParam } from '../../../domain/sip/params.js';
import { formatVia, parseVia, viaMaddr, viaRport, viaSentBy, viaTtl, defaultPort } from '../../../domain/sip/via.js';
import { left, right } from '../../support/either.js';

test('parseNameAddr: quoted display name with escapes, angle URI, params (§20.10)', (t) => {
  const value = right(t, parseNameAddr('"Mr. \\"Watson\\"" <sip:watson@bell.com>;tag=abc;expires=60'));
  t.is(value.displayName, 'Mr. "Watson"');
  t.deepEqual(value.params, [{ name: 'tag', value: 'abc' }, { name: 'expires', value: '60' }]);
  t.is(formatNameAddr(value), '"Mr. \\"Watson\\"" <sip:watson@bell.com>;tag=abc;expires=60');
});

test('parseNameAddr: token display names, bare addr-spec, and URI params inside <> stay with the URI', (t) => {
  t.is(right(t, parseNameAddr('Anonymous User <sip:a@b>')).displayName, 'Anonymous User');
  const spec = right(t, parseNameAddr('sip:a@b;tag=1'));
  t.deepEqual(spec.params, [{ name: 'tag', value: '1' }]);
  t.false('displayName' in spec);
  const angle = right(t, parseNameAddr('<sip:a@b;transport=tcp>;tag=1'));
  t.like(angle.uri, { params: [{ name: 'transport', value: 'tcp' }] });
  t.deepEqual(angle.params, [{ name: 'tag', value: '1' }]);
});

const badNameAddrs: ReadonlyArray<[string, RegExp]> = [
  ['"unterminated <sip:a@b>', /unterminated/],
  ['Bell, Alexander <sip:a@b>', /unexpected ','/],
  ['< sip:a@b >', /whitespace inside/],
  ['sip:a@b?x=y', /must be enclosed/],
  ['<sip:a@b', /missing '>'/],
  ['<sip:a@b>;;tag=1', /empty parameter/],
  ['display only', /missing '<'/],
  ['', /empty value/],
];
for (const [text, detail] of badNameAddrs) {
  test(`parseNameAddr: ${JSON.stringify(text)} → error`, (t) => t.regex(left(t, parseNameAddr(text)).detail, detail));
}

test('parseVia: fields, rport request, maddr and ttl (§20.42, RFC 3581)', (t) => {
  const via = right(t, parseVia('SIP/2.0/udp 224.2.0.1:5070;maddr=224.2.0.1;ttl=16;branch=z9hG4bKx;rport'));
  t.is(via.transport, 'UDP');
  t.is(viaMaddr(via), '224.2.0.1');
  t.is(viaTtl(via), 16);
  t.is(viaRport(via), true);
  t.is(viaSentBy(via), '224.2.0.1:5070');
  t.is(formatVia(via), 'SIP/2.0/UDP 224.2.0.1:5070;maddr=224.2.0.1;ttl=16;branch=z9hG4bKx;rport');
  t.is(viaSentBy(right(t, parseVia('SIP/2.0/TLS Host.Example'))), 'host.example:5061');
  t.is(defaultPort('UDP'), 5060);
  const filled = { ...via, params: setParam(via.params, 'rport', '6000') };
  t.is(viaRport(filled), 6000);
});

test('parseVia: the usual SIP/2.0/ prefix and the LWS-tolerant form give the same fields', (t) => {
  const usual = right(t, parseVia('SIP/2.0/TCP host:5060;branch=z9hG4bKa'));
  const spaced = right(t, parseVia('SIP / 2.0 / tcp host:5060;branch=z9hG4bKa'));
  t.deepEqual(spaced, usual);
  t.deepEqual(
    right(t, parseVia('sip/2.0/Udp h')),
    { protocolName: 'sip', protocolVersion: '2.0', transport: 'UDP', host: 'h', params: [] },
  );
  t.is(right(t, parseVia('SIP/2.0/UDP h:65535')).port, 65535);
  t.is(right(t, parseVia('SIP/2.0/UDP h:0005060')).port, 5060, 'leading zeros are digits');
  t.is(right(t, parseVia('SIP/2.0/UDP h : 5070')).port, 5070, 'LWS around the colon');
  t.is(right(t, parseVia('SIP/2.0/SCTP h')).transport, 'SCTP');
  t.is(right(t, parseVia('SIP/2.0/X-NEW h')).transport, 'X-NEW');
});

const badVias: ReadonlyArray<[string, RegExp]> = [
  ['SIP/2.0/UDP host:65536', /bad sent-by port/],
  ['SIP/2.0/UDP host:', /bad sent-by port/],
  ['SIP/2.0/ host', /missing sent-by|bad sent-by host/],
  ['SIP/2.0 host', /expected '\/'/],
  ['SIP/2.0/UDP', /missing sent-by/],
  ['SIP/2.0/UDP host:abc', /bad sent-by port/],
  ['SIP/2.0/UDP host;ttl=300', /bad ttl/],
  ['SIP/2.0/UDP host;;', /empty parameter/],
  ['/2.0/UDP host', /bad sent-protocol/],
];
for (const [text, detail] of badVias) {
  test(`parseVia: ${JSON.stringify(text)} → error`, (t) => t.regex(left(t, parseVia(text)).detail, detail));
}
