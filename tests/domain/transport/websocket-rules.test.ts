import test from 'ava';
import { parseMessage } from '../../../domain/sip/parse-message.js';
import { parseUri } from '../../../domain/sip/parse-uri.js';
import { encodeUtf8 } from '../../../domain/sip/text-codec.js';
import { parseVia } from '../../../domain/sip/via.js';
import { defaultPortOf, endpoint, isFlowHost, protocolOfVia } from '../../../domain/transport/endpoint.js';
import { flowHostsOf } from '../../../domain/transport/flow-hosts.js';
import { stampSentBy, targetForUri } from '../../../domain/transport/outbound.js';
import { responseTarget } from '../../../domain/transport/response-target.js';
import { planLocation } from '../../../domain/transport/server-location.js';
import { left, right } from '../../support/either.js';
import { optionsRequest } from '../../support/sip-text.js';

test('RFC 7118 §5: transport=ws and wss in URIs, sips with ws means WSS, the HTTP ports by default', (t) => {
  const target = (text: string) => targetForUri(right(t, parseUri(text)));
  t.deepEqual(right(t, target('sip:bob@192.0.2.4;transport=ws')), endpoint('ws', '192.0.2.4', 80));
  t.deepEqual(right(t, target('sip:bob@h:8443;transport=WSS')), endpoint('wss', 'h', 8443));
  t.deepEqual(right(t, target('sips:bob@h;transport=ws')), endpoint('wss', 'h', 443));
  t.is(left(t, target('sips:bob@h;transport=udp')).reason, 'UnsupportedTransport');
  t.is(defaultPortOf('ws'), 80);
  t.is(defaultPortOf('wss'), 443);
});

test('a .invalid host over WS names a flow: never planned for DNS', (t) => {
  t.true(isFlowHost('df7jal23ls0d.invalid'));
  t.true(isFlowHost('DF7JAL23LS0D.INVALID'));
  t.false(isFlowHost('invalid'));
  t.false(isFlowHost('example.com'));
  const plan = planLocation(right(t, parseUri('sip:u@df7jal23ls0d.invalid;transport=ws')), ['udp', 'ws']);
  t.deepEqual(right(t, plan), { kind: 'Numeric', target: endpoint('ws', 'df7jal23ls0d.invalid', 80) });
  t.is(right(t, planLocation(right(t, parseUri('sip:u@a.invalid')), ['udp', 'ws'])).kind, 'Naptr',
    'over UDP a .invalid host is only a name, and RFC 6761 makes it fail in DNS');
  t.is(left(t, planLocation(right(t, parseUri('sip:u@a.invalid;transport=ws')), ['udp'])).reason,
    'UnsupportedTransport', 'ws asked of an element without it');
});

test('Via WS/WSS: our sent-by is stamped with the WebSocket transport; responses go back over WS', (t) => {
  const message = right(t, parseMessage(encodeUtf8(optionsRequest({ via: 'SIP/2.0/UDP x;branch=z9hG4bKa' }))));
  const stamped = stampSentBy(message, 'wss', endpoint('wss', '192.0.2.9', 8443));
  const via = right(t, parseVia(stamped.headers.find((h) => h.name === 'Via')!.value));
  t.is(via.transport, 'WSS');
  t.is(via.port, 8443);
  t.is(protocolOfVia('ws'), 'ws');
  t.is(protocolOfVia('SCTP'), undefined);
  const browser = right(t, parseVia('SIP/2.0/WSS abc.invalid;branch=z9hG4bKb;received=192.0.2.7'));
  t.is(responseTarget(browser).protocol, 'wss');
});

test('flowHostsOf: the top Via and Contact hosts a WebSocket client names itself by, each once', (t) => {
  const text = optionsRequest({ via: 'SIP/2.0/WSS Abc123.invalid;branch=z9hG4bKc' }).replace(
    'Max-Forwards: 70',
    'Max-Forwards: 70\r\nContact: <sip:u@abc123.invalid;transport=ws>;expires=600, <sip:v@other.invalid>\r\n'
      + 'Contact: "x" <sip:w@192.0.2.1>',
  );
  const request = right(t, parseMessage(encodeUtf8(text)));
  t.deepEqual(flowHostsOf(request), ['abc123.invalid', 'other.invalid']);
  const phone = right(t, parseMessage(encodeUtf8(optionsRequest())));
  t.deepEqual(flowHostsOf(phone), []);
});
