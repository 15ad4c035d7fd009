import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import {
  getCallId, getContacts, getCSeq, getFrom, getMaxForwards, getTo, getTopVia, getVias,
} from '../../../domain/sip/core-headers.js';
import { HEADER } from '../../../domain/sip/header-names.js';
import {
  headerValue, headerValues, withHeader, type SipMessage, type SipRequest, type SipResponse,
} from '../../../domain/sip/message.js';
import { paramValue } from '../../../domain/sip/params.js';
import { parseMessage } from '../../../domain/sip/parse-message.js';
import type { SipParseErrorReason } from '../../../domain/sip/parse-error.js';
import { serializeMessage } from '../../../domain/sip/serialize-message.js';
import { decodeUtf8 } from '../../../domain/sip/text-codec.js';
import { viaBranch, viaReceived, viaRport } from '../../../domain/sip/via.js';
import {
  getContentType, getCredentials, getEvent, getRSeq, getSessionExpires, getSubscriptionState, getTokenList, getReferTo,
  getReferredBy, getRecordRoutes,
} from '../../../domain/sip/typed-headers.js';
import {
  ASTERISK_SDP, crlf, INVITE_ASTERISK, INVITE_COMPACT, INVITE_FREESWITCH, NOTIFY_SIPFRAG, OK_THROUGH_PROXIES,
  REGISTER_AUTH, RINGING_CISCO, SIPFRAG,
} from '../../fixtures/sip/messages.js';
import { left, right } from '../../support/either.js';

const request = (t: Parameters<typeof right>[0], text: string | Uint8Array): SipRequest => {
  const m = right(t, parseMessage(text));
  if (m.kind !== 'request') t.fail('not a request');
  return m as SipRequest;
};

const response = (t: Parameters<typeof right>[0], text: string): SipResponse => {
  const m = right(t, parseMessage(text));
  if (m.kind !== 'response') t.fail('not a response');
  return m as SipResponse;
};

test('parseMessage: Asterisk INVITE with SDP → every core field and the body', (t) => {
  const m = request(t, INVITE_ASTERISK);
  t.is(m.method, 'INVITE');
  t.deepEqual(
    m.uri, { kind: 'sip', scheme: 'sip', user: '1001', host: '192.0.2.20', port: 5060, params: [], headers: [] },
  );
  const via = right(t, getTopVia(m));
  t.is(via.transport, 'UDP');
  t.is(via.host, '192.0.2.10');
  t.is(via.port, 5060);
  t.is(viaBranch(via), 'z9hG4bKPj5c8f3b2e-1d2a-4b8e-9c71-0f3e2d1c4b5a');
  t.is(viaRport(via), true);
  const from = right(t, getFrom(m));
  t.is(from.displayName, 'Alice Example');
  t.is(paramValue(from.params, 'tag'), '8a3c2f1e-77b4-4c1d-9e2a-5b6c7d8e9f01');
  t.is(paramValue(right(t, getTo(m)).params, 'tag'), undefined);
  t.is(right(t, getCallId(m)), '2f1e8a3c-4c1d-77b4-9e2a-5b6c7d8e9f01');
  t.deepEqual(right(t, getCSeq(m)), { seq: 25044, method: 'INVITE' });
  t.is(right(t, getMaxForwards(m)), 70);
  t.deepEqual(right(t, getTokenList(m, HEADER.Supported)), ['100rel', 'timer', 'replaces', 'norefersub']);
  t.is(right(t, getTokenList(m, HEADER.Allow)).length, 13);
  t.deepEqual(right(t, getSessionExpires(m)), { seconds: 1800 });
  t.is(decodeUtf8(m.body), ASTERISK_SDP);
  t.like(right(t, getContentType(m)), { type: 'application', subtype: 'sdp' });
  t.is(headerValue(m, 'content-length'), undefined, 'Content-Length is derived, not stored');
});

test('parseMessage: FreeSWITCH INVITE keeps unknown headers verbatim and in order', (t) => {
  const m = request(t, INVITE_FREESWITCH);
  const names = m.headers.map((h) => h.name);
  t.true(names.indexOf('X-FS-Support') < names.indexOf('Remote-Party-ID'));
  t.is(headerValue(m, 'x-fs-support'), 'update_display,send_info');
  t.is(
    headerValue(m, 'Remote-Party-ID'), '"Extension 1000" <sip:1000@198.51.100.7>;party=calling;screen=yes;privacy=off',
  );
  t.is(m.uri.kind === 'sip' ? paramValue(m.uri.params, 'transport') : '', 'udp');
});

test('parseMessage: every compact header form maps to its full name (§7.3.3)', (t) => {
  const m = request(t, INVITE_COMPACT);
  const names = new Set(m.headers.map((h) => h.name));
  for (const full of [
    'Via', 'From', 'To', 'Call-ID', 'Contact', 'Supported', 'Event', 'Allow-Events', 'Refer-To', 'Referred-By',
    'Session-Expires', 'Subject', 'Content-Encoding', 'Content-Type',
  ]) {
    t.true(names.has(full), full);
  }
  t.is(right(t, getTopVia(m)).transport, 'TCP');
  t.is(right(t, getCallId(m)), '1a2b3c4d5e6f@10.0.0.55');
  const contacts = right(t, getContacts(m));
  if (contacts === '*') return t.fail();
  t.is(paramValue(contacts[0]?.params ?? [], '+sip.instance'), '<urn:uuid:00000000-0000-1000-8000-001122334455>');
  t.like(right(t, getEvent(m)), { value: 'refer' });
  t.deepEqual(right(t, getSessionExpires(m)), { seconds: 900, refresher: 'uac' });
  t.is(right(t, getReferTo(m))?.uri.kind, 'sip');
  t.truthy(right(t, getReferredBy(m)));
  t.is(decodeUtf8(m.body).split('\r\n')[0], 'v=0');
});

test('parseMessage: header names in any case map to the canonical spelling; a bare CR in a name is not a hyphen', (
  t,
) => {
  const base = ['OPTIONS sip:a@b SIP/2.0', 'VIA: SIP/2.0/UDP h;branch=z9hG4bK1', 'from: <sip:x@y>;tag=1', 'tO: <sip:a@b>',
    'cAll-Id: c1', 'cseq: 1 OPTIONS', 'MAX-forwards: 70', 'x-CUSTOM: kept', 'content-length: 0', '', ''];
  const m = request(t, base.join('\r\n'));
  t.deepEqual(m.headers.map((h) => h.name), ['Via', 'From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards', 'x-CUSTOM']);
  t.is(right(t, getCallId(m)), 'c1');
  t.is(right(t, getMaxForwards(m)), 70);
  const withCr = [...base.slice(0, 4), 'Call\rID: c1', ...base.slice(5)].join('\r\n');
  t.is(left(t, parseMessage(withCr)).reason, 'BadHeaderLine');
});

test('parseMessage: REGISTER with Digest Authorization and a two-element Contact list', (t) => {
  const m = request(t, REGISTER_AUTH);
  const contacts = right(t, getContacts(m));
  if (contacts === '*') return t.fail();
  t.is(contacts.length, 2);
  t.is(paramValue(contacts[0]?.params ?? [], 'expires'), '3600');
  t.is(paramValue(contacts[0]?.params ?? [], 'q'), '0.7');
  t.deepEqual(contacts[1]?.uri, { kind: 'absolute', scheme: 'mailto', value: 'bob@example.com' });
  const [credentials] = right(t, getCredentials(m, HEADER.Authorization));
  t.is(credentials?.scheme, 'Digest');
  t.is(credentials?.params.get('username'), 'bob');
  t.is(credentials?.params.get('uri'), 'sip:registrar.example.com');
  t.is(credentials?.params.get('qop'), 'auth');
  t.is(credentials?.params.get('nc'), '00000001');
  t.is(right(t, getFrom(m)).displayName, 'Bob');
});

test('parseMessage: NOTIFY with a message/sipfrag body (RFC 3515)', (t) => {
  const m = request(t, NOTIFY_SIPFRAG);
  t.like(right(t, getEvent(m)), { value: 'refer' });
  t.is(paramValue(right(t, getEvent(m))?.params ?? [], 'id'), '93809824');
  t.like(right(t, getSubscriptionState(m)), { value: 'terminated' });
  const type = right(t, getContentType(m));
  t.is(`${type?.type}/${type?.subtype}`, 'message/sipfrag');
  t.is(decodeUtf8(m.body), SIPFRAG);
});

test('parseMessage: a response through two proxies keeps three Vias and two Record-Routes in order', (t) => {
  const m = response(t, OK_THROUGH_PROXIES);
  t.is(m.status, 200);
  t.is(m.reason, 'OK');
  const vias = right(t, getVias(m));
  t.deepEqual(vias.map((v) => v.host), ['proxy2.example.net', 'proxy1.example.com', '192.0.2.4']);
  t.is(viaReceived(vias[2]!), '198.51.100.3');
  t.is(viaRport(vias[2]!), 60123);
  t.deepEqual(
    right(t, getRecordRoutes(m)).map((r) => (r.uri.kind === 'sip' ? r.uri.host : '')),
    ['proxy2.example.net', 'proxy1.example.com'],
  );
});

test('parseMessage: a 180 with RSeq and Require 100rel (RFC 3262)', (t) => {
  const m = response(t, RINGING_CISCO);
  t.is(right(t, getRSeq(m)), 4711);
  t.deepEqual(right(t, getTokenList(m, HEADER.Require)), ['100rel']);
  t.is(headerValue(m, 'p-asserted-identity'), '<sip:5551234@192.0.2.50>');
});

test('parseMessage: LF-only line ends, folding and LWS around colons are accepted', (t) => {
  const m = request(
    t,
    'OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nTo:\n  <sip:a@b>\nFrom  :  <sip:c@d>;tag=1\nCall-ID: x\nCSeq: 1\n OPTIONS\nMax-Forwards: 70\n\n',
  );
  t.deepEqual(right(t, getCSeq(m)), { seq: 1, method: 'OPTIONS' });
  t.is(headerValue(m, 'To'), '<sip:a@b>');
  t.is(headerValue(m, 'From'), '<sip:c@d>;tag=1');
});

test('parseMessage: the first empty line ends the head, whether LF-only or CRLF, ASCII or not', (t) => {
  const body = 'a\r\n\r\nb\n\nc';
  for (const from of ['<sip:c@d>;tag=1', '"Jörg" <sip:c@d>;tag=1']) {
    for (const eol of ['\n', '\r\n']) {
      const head = ['MESSAGE sip:a@b SIP/2.0', `From: ${from}`, 'Content-Type: text/plain', ''].join(eol);
      const m = request(t, `${head}${eol}${body}`);
      t.is(decodeUtf8(m.body), body, JSON.stringify({ from, eol }));
      t.is(headerValue(m, 'From'), from);
    }
  }
  const short = left(t, parseMessage('MESSAGE sip:a@b SIP/2.0\nContent-Length: 9\n\nabc\r\n\r\n'));
  t.is(short.reason, 'BodyTooShort');
});

test('parseMessage: a binary body is measured in bytes, and extra datagram bytes are ignored (§18.3)', (t) => {
  const head = 'MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nContent-Type: application/octet-stream\r\nContent-Length: 4\r\n\r\n';
  const bytes = new Uint8Array([...new TextEncoder().encode(head), 0x00, 0xff, 0x0d, 0x0a, 0x99, 0x98]);
  const m = request(t, bytes);
  t.deepEqual([...m.body], [0x00, 0xff, 0x0d, 0x0a]);
  const utf8 = 'MESSAGE sip:a@b SIP/2.0\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nçé☺';
  t.is(decodeUtf8(request(t, utf8).body), 'çé');
});

test('parseMessage: a datagram without Content-Length takes the rest as body', (t) => {
  const m = request(t, 'MESSAGE sip:a@b SIP/2.0\r\nContent-Type: text/plain\r\n\r\nhello');
  t.is(decodeUtf8(m.body), 'hello');
});

test('parseMessage: Content-Length is 1*DIGIT with any leading zeros and at most 9 significant digits, LWS and folding allowed', (t) => {
  const withLength = (value: string) => parseMessage(`MESSAGE sip:a@b SIP/2.0\r\nContent-Length:${value}\r\n\r\nhello`);
  for (const [value, length] of [[' 5', 5], ['5', 5], [' 0005 ', 5], [' 3', 3], ['\t0', 0], [' 000000000000', 0], [' 0000000000005', 5], ['\r\n  5', 5]] as const) {
    const parsed = withLength(value);
    t.true(E.isRight(parsed), JSON.stringify(value));
    if (E.isRight(parsed)) t.is(parsed.right.body.length, length, JSON.stringify(value));
  }
  for (const value of ['', ' ', ' -1', ' +5', ' 5 5', ' 5a', ' 0x5', ' 1e1', ' 5.0', ' 1000000000', ' ٥']) {
    const parsed = withLength(value);
    t.true(E.isLeft(parsed) && parsed.left.reason === 'BadContentLength', JSON.stringify(value));
  }
  const tooLong = withLength(' 999999999');
  t.true(E.isLeft(tooLong) && tooLong.left.reason === 'BodyTooShort');
});

test('parseMessage: a body shorter than Content-Length → BodyTooShort at the header (§18.3)', (t) => {
  const error = left(t, parseMessage('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 10\r\n\r\nhello'));
  t.is(error.reason, 'BodyTooShort');
  t.is(error.header, 'Content-Length');
});

test('parseMessage: SIP-Version 3.0 is parsed so the caller can answer 505', (t) => {
  t.is(request(t, 'OPTIONS sip:a@b SIP/3.0\r\n\r\n').version, 'SIP/3.0');
});

test('parseMessage: extension methods and leading CRLFs are accepted', (t) => {
  t.is(request(t, '\r\n\r\nFOO-BAR sip:a@b SIP/2.0\r\nCSeq: 1 FOO-BAR\r\n\r\n').method, 'FOO-BAR');
  t.is(
    request(t, 'SUBSCRIBER sip:a@b SIP/2.0\r\n\r\n').method, 'SUBSCRIBER',
    'a known method as a prefix is not that method',
  );
  t.is(request(t, 'invite sip:a@b SIP/2.0\r\n\r\n').method, 'invite', 'methods are case-sensitive (§7.1)');
});

test('parseMessage: start-line forms — version case, status lines of any version, one SP only', (t) => {
  t.like(request(t, 'REGISTER sip:a@b sip/2.0\r\n\r\n'), { method: 'REGISTER', version: 'SIP/2.0' });
  t.like(response(t, 'sip/2.0 180 Ringing\r\n\r\n'), { version: 'SIP/2.0', status: 180, reason: 'Ringing' });
  t.like(response(t, 'SIP/2.0 200\r\n\r\n'), { status: 200, reason: '' });
  for (const line of [
    'INVITE  sip:a@b SIP/2.0', 'INVITE sip:a@b SIP/2.0 ', 'INVITE sip:a@b', 'INV<TE sip:a@b SIP/2.0',
    'INVITE sip:a@b SIP/2',
  ]) {
    t.is(left(t, parseMessage(`${line}\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n`)).reason, 'BadStartLine', line);
  }
  t.like(
    left(t, parseMessage('INVITE sip:a@b:70000 SIP/2.0\r\n\r\n')), { reason: 'BadRequestUri', offsetBytes: 15 },
    'at the port digits',
  );
});

const errors: ReadonlyArray<[string, string | Uint8Array, SipParseErrorReason, string | undefined]> = [
  ['empty input', '', 'Empty', undefined],
  ['only CRLFs', '\r\n\r\n', 'Empty', undefined],
  ['a start line without spaces', 'GARBAGE\r\n\r\n', 'BadStartLine', undefined],
  ['a status code of four digits', 'SIP/2.0 2000 OK\r\n\r\n', 'BadStatusCode', undefined],
  ['a status code below 100', 'SIP/2.0 099 Odd\r\n\r\n', 'BadStatusCode', undefined],
  ['a header line without a colon', 'OPTIONS sip:a@b SIP/2.0\r\nNoColonHere\r\n\r\n', 'BadHeaderLine', undefined],
  ['a folded line before any header', 'OPTIONS sip:a@b SIP/2.0\r\n continued\r\n\r\n', 'BadHeaderLine', undefined],
  ['a Max-Forwards of 256', 'OPTIONS sip:a@b SIP/2.0\r\nMax-Forwards: 256\r\n\r\n', 'BadHeaderValue', 'Max-Forwards'],
  ['a CSeq without method', 'OPTIONS sip:a@b SIP/2.0\r\nCSeq: 5\r\n\r\n', 'BadHeaderValue', 'CSeq'],
  ['a Call-ID with a space', 'OPTIONS sip:a@b SIP/2.0\r\nCall-ID: a b\r\n\r\n', 'BadHeaderValue', 'Call-ID'],
  [
    'two CSeq headers', 'OPTIONS sip:a@b SIP/2.0\r\nCSeq: 1 OPTIONS\r\nCSeq: 2 OPTIONS\r\n\r\n', 'DuplicateHeader',
    'CSeq',
  ],
  ['a Via without sent-by', 'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP\r\n\r\n', 'BadHeaderValue', 'Via'],
];

for (const [situation, input, reason, header] of errors) {
  test(`parseMessage: ${situation} → ${reason}`, (t) => {
    const error = left(t, parseMessage(input));
    t.is(error.reason, reason);
    t.is(error.header, header);
  });
}

test('parseMessage: input above maxMessageBytes is refused before parsing', (t) => {
  t.is(left(t, parseMessage('x'.repeat(70_000))).reason, 'TooLarge');
  t.is(left(t, parseMessage(INVITE_ASTERISK, { maxMessageBytes: 100, maxHeaders: 10 })).reason, 'TooLarge');
  t.is(left(t, parseMessage(INVITE_ASTERISK, { maxMessageBytes: 65_535, maxHeaders: 3 })).reason, 'TooManyHeaders');
});

test('parseMessage: error offsets point at the offending line in bytes', (t) => {
  const text = 'OPTIONS sip:a@b SIP/2.0\r\nFrom: "Jörg" <sip:j@b>\r\nCSeq: x\r\n\r\n';
  const error = left(t, parseMessage(text));
  t.is(error.reason, 'BadHeaderValue');
  t.is(error.offsetBytes, new TextEncoder().encode('OPTIONS sip:a@b SIP/2.0\r\nFrom: "Jörg" <sip:j@b>\r\n').length);
  const ascii = 'OPTIONS sip:a@b SIP/2.0\nTo: <sip:a@b>\nl: 0\n  \nmax-forwards : 999\n\nbody';
  const late = left(t, parseMessage(ascii));
  t.like(late, { reason: 'BadHeaderValue', header: 'Max-Forwards' });
  t.is(late.offsetBytes, ascii.indexOf('max-forwards'), 'any spelling, after a folded Content-Length');
});

test('serializeMessage: parse → serialize → parse is stable for every fixture', (t) => {
  for (const text of [
    INVITE_ASTERISK, INVITE_FREESWITCH, INVITE_COMPACT, REGISTER_AUTH, NOTIFY_SIPFRAG, OK_THROUGH_PROXIES,
    RINGING_CISCO,
  ]) {
    const first: SipMessage = right(t, parseMessage(text));
    const bytes = serializeMessage(first);
    const second = right(t, parseMessage(bytes));
    t.deepEqual(second, first);
    t.deepEqual(serializeMessage(second), bytes);
  }
});

test('serializeMessage: canonical names, recomputed Content-Length, CRLF line ends', (t) => {
  const m = right(t, parseMessage(crlf('MESSAGE sip:a@b SIP/2.0\ni: abc\nl: 999\nc: text/plain\n\nhi')
    .replace('l: 999', 'l: 2')));
  const text = decodeUtf8(serializeMessage(m));
  t.is(text, 'MESSAGE sip:a@b SIP/2.0\r\nCall-ID: abc\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi');
  t.true(E.isRight(parseMessage(text)));
  t.deepEqual(headerValues(m, 'call-id'), ['abc']);
});

test('serializeMessage: a non-ASCII head is sized in UTF-8 bytes and the body lands right after it', (t) => {
  const text = 'MESSAGE sip:j%C3%B6rg@b SIP/2.0\r\nFrom: "Jörg ☺" <sip:j@b>;tag=1\r\nSubject: 日本\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nxyz';
  const bytes = serializeMessage(request(t, text));
  t.is(bytes.length, new TextEncoder().encode(text).length);
  t.is(decodeUtf8(bytes), text);
});

test('parseMessage: From, To and Contact are parsed on first use, and their errors surface there', (t) => {
  const m = right(
    t, parseMessage('OPTIONS sip:a@b SIP/2.0\r\nTo: <sip:a@b>\r\nTo: <sip:c@d>\r\nFrom: <sip:x@y\r\n\r\n'),
  );
  t.is(left(t, getFrom(m)).header, 'From');
  t.is(left(t, getTo(m)).header, 'From', 'the first broken address header is reported');
});

test('header memo: invisible to keys and deep equality, never carried into a changed copy', (t) => {
  const parsed = request(t, INVITE_ASTERISK);
  const keys = Object.keys(parsed);
  right(t, getFrom(parsed));
  right(t, getTopVia(parsed));
  t.deepEqual(Object.keys(parsed), keys, 'no visible property added by the memo');
  t.deepEqual(parsed, request(t, INVITE_ASTERISK), 'equal to a fresh parse after memoized reads');
  const rewritten = withHeader(
    withHeader(parsed, 'Via', 'SIP/2.0/TCP 192.0.2.99:5070;branch=z9hG4bKnew'), 'From', '<sip:eve@example.com>;tag=e1',
  );
  t.like(right(t, getTopVia(rewritten)), { transport: 'TCP', host: '192.0.2.99', port: 5070 });
  t.like(right(t, getFrom(rewritten)).uri, { user: 'eve', host: 'example.com' });
  t.deepEqual(
    right(t, getTopVia(parsed)), right(t, getTopVia(request(t, INVITE_ASTERISK))), 'the original keeps its own memo',
  );
});
