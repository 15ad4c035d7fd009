import test from 'ava';
import { buildAckForFailure, buildCancel } from '../../../domain/sip/build-ack-cancel.js';
import { buildRequest } from '../../../domain/sip/build-request.js';
import { buildResponse } from '../../../domain/sip/build-response.js';
import { getCSeq, getTo, getVias } from '../../../domain/sip/core-headers.js';
import { headerValue, headerValues, type SipRequest } from '../../../domain/sip/message.js';
import { paramValue } from '../../../domain/sip/params.js';
import { parseMessage } from '../../../domain/sip/parse-message.js';
import { reasonPhrase } from '../../../domain/sip/reason-phrases.js';
import { serializeMessage } from '../../../domain/sip/serialize-message.js';
import { sipUri } from '../../../domain/sip/uri.js';
import { OK_THROUGH_PROXIES } from '../../fixtures/sip/messages.js';
import { right } from '../../support/either.js';

const invite = (): SipRequest => buildRequest({
  method: 'INVITE',
  uri: sipUri('example.com', { user: 'bob' }),
  from: { displayName: 'Alice', uri: sipUri('example.com', { user: 'alice' }), params: [{ name: 'tag', value: 'a1' }] },
  to: { uri: sipUri('example.com', { user: 'bob' }), params: [] },
  callId: 'c1@host',
  cseq: 7,
  vias: [
    {
      protocolName: 'SIP', protocolVersion: '2.0', transport: 'UDP', host: '192.0.2.1', port: 5060,
      params: [{ name: 'branch', value: 'z9hG4bKabc' }, { name: 'rport' }],
    },
  ],
  contact: { uri: sipUri('192.0.2.1', { user: 'alice', port: 5060 }), params: [] },
  routes: [{ uri: sipUri('proxy.example.com', { params: [{ name: 'lr' }] }), params: [] }],
  headers: [{ name: 'Subject', value: 'hi' }],
  body: new TextEncoder().encode('v=0\r\n'),
  contentType: 'application/sdp',
});

test('buildRequest: serializes to a message that parses back to the same value', (t) => {
  const request = invite();
  const text = new TextDecoder().decode(serializeMessage(request));
  t.true(
    text.startsWith(
      'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport\r\nMax-Forwards: 70\r\nRoute: <sip:proxy.example.com;lr>\r\n',
    ),
  );
  t.true(text.endsWith('Content-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n'));
  t.deepEqual(right(t, parseMessage(text)), request);
});

test('buildResponse: copies Via, From, To, Call-ID, CSeq and adds the To tag (§8.2.6.2)', (t) => {
  const response = buildResponse(invite(), 180, { toTag: 'b2' });
  t.is(response.reason, 'Ringing');
  t.is(paramValue(right(t, getTo(response)).params, 'tag'), 'b2');
  t.deepEqual(right(t, getCSeq(response)), { seq: 7, method: 'INVITE' });
  t.is(headerValue(response, 'Call-ID'), 'c1@host');
  t.is(headerValue(response, 'Route'), undefined, 'Route is not copied');
  t.is(headerValue(response, 'Subject'), undefined);
  t.is(headerValue(buildResponse(invite(), 100, { toTag: 'b2' }), 'To'), '<sip:bob@example.com>', '100 carries no tag');
});

test('buildResponse: keeps every Via in order and Record-Route only on 1xx–2xx', (t) => {
  const through = right(t, parseMessage(OK_THROUGH_PROXIES.replace('SIP/2.0 200 OK', 'INVITE sip:bob@example.net SIP/2.0'))) as SipRequest;
  const ok = buildResponse(through, 200, { toTag: 'x' });
  t.is(right(t, getVias(ok)).length, 3);
  t.is(headerValues(ok, 'Record-Route').length, 2);
  t.is(headerValues(buildResponse(through, 486), 'Record-Route').length, 0);
  t.is(paramValue(right(t, getTo(ok)).params, 'tag'), 'a6c85cf', 'an existing To tag is kept');
});

test('buildAckForFailure: To from the response, top Via only, same CSeq number, Route kept (§17.1.1.3)', (t) => {
  const request = invite();
  const busy = buildResponse(request, 486, { toTag: 'zz' });
  const ack = right(t, buildAckForFailure(request, busy));
  t.is(ack.method, 'ACK');
  t.deepEqual(ack.uri, request.uri);
  t.deepEqual(right(t, getCSeq(ack)), { seq: 7, method: 'ACK' });
  t.is(paramValue(right(t, getTo(ack)).params, 'tag'), 'zz');
  t.deepEqual(headerValues(ack, 'Via'), ['SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport']);
  t.deepEqual(headerValues(ack, 'Route'), ['<sip:proxy.example.com;lr>']);
  t.is(ack.body.length, 0);
});

test('buildCancel: same Request-URI, To, From, Call-ID, CSeq number and branch (§9.1)', (t) => {
  const request = invite();
  const cancel = right(t, buildCancel(request));
  t.is(cancel.method, 'CANCEL');
  t.deepEqual(right(t, getCSeq(cancel)), { seq: 7, method: 'CANCEL' });
  t.is(headerValue(cancel, 'To'), headerValue(request, 'To'));
  t.is(headerValue(cancel, 'From'), headerValue(request, 'From'));
  t.deepEqual(headerValues(cancel, 'Via'), headerValues(request, 'Via'));
});

test('reasonPhrase: known codes, class fallback', (t) => {
  t.is(reasonPhrase(487), 'Request Terminated');
  t.is(reasonPhrase(499), 'Bad Request');
  t.is(reasonPhrase(799), 'Unknown');
});
