import test from 'ava';
import { responseForParseError, responseForProblem } from '../../../domain/sip/error-response.js';
import type { SipRequest } from '../../../domain/sip/message.js';
import { parseError } from '../../../domain/sip/parse-error.js';
import { parseMessage } from '../../../domain/sip/parse-message.js';
import type { RequestProblemKind } from '../../../domain/sip/request-problem.js';
import { validateRequest } from '../../../domain/sip/validate-request.js';
import { right } from '../../support/either.js';

const base = (
  overrides: Record<string, string | null> = {}, startLine = 'INVITE sip:bob@example.com SIP/2.0', body = '',
): string => {
  const headers: Record<string, string | null> = {
    Via: 'SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds',
    'Max-Forwards': '70',
    To: 'Bob <sip:bob@example.com>',
    From: 'Alice <sip:alice@example.com>;tag=1928301774',
    'Call-ID': 'a84b4c76e66710@pc33.example.com',
    CSeq: '314159 INVITE',
    ...overrides,
  };
  const lines = Object.entries(headers).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${v}`);
  return `${startLine}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
};

const kinds = (t: Parameters<typeof right>[0], text: string, policy = {}): RequestProblemKind[] =>
  validateRequest(right(t, parseMessage(text)) as SipRequest, policy).map((p) => p.kind);

test('validateRequest: a well-formed INVITE has no problems', (t) => {
  t.deepEqual(kinds(t, base()), []);
});

const rows: ReadonlyArray<[string, string, object, RequestProblemKind, number]> = [
  ['SIP/3.0', base({}, 'INVITE sip:bob@example.com SIP/3.0'), {}, 'UnsupportedVersion', 505],
  ['no Call-ID', base({ 'Call-ID': null }), {}, 'MissingHeader', 400],
  ['no Via', base({ Via: null }), {}, 'MissingHeader', 400],
  ['CSeq method BYE on an INVITE', base({ CSeq: '1 BYE' }), {}, 'CSeqMethodMismatch', 400],
  ['an unknown method', base({ CSeq: '1 FROB' }, 'FROB sip:bob@example.com SIP/2.0'), {}, 'UnknownMethod', 501],
  [
    'a known method not allowed', base({ CSeq: '1 PUBLISH' }, 'PUBLISH sip:bob@example.com SIP/2.0'),
    { allowedMethods: new Set(['INVITE']) }, 'MethodNotAllowed', 405,
  ],
  ['an http Request-URI', base({}, 'INVITE http://example.com SIP/2.0'), {}, 'UnsupportedUriScheme', 416],
  [
    'headers in the Request-URI', base({}, 'INVITE sip:bob@example.com?Subject=x SIP/2.0'), {}, 'HeadersInRequestUri',
    400,
  ],
  [
    'Require: foo', base({ Require: 'foo, 100rel' }), { supportedExtensions: new Set(['100rel']) },
    'UnsupportedExtension', 420,
  ],
  [
    'a body of an unaccepted type', base({ 'Content-Type': 'text/html' }, undefined, '<b/>'),
    { acceptedContentTypes: new Set(['application/sdp']) }, 'UnsupportedMediaType', 415,
  ],
  ['a body without Content-Type', base({}, undefined, 'v=0'), {}, 'MissingHeader', 400],
  ['a Date in EST', base({ Date: 'Sat, 13 Nov 2010 23:29:00 EST' }), {}, 'BadHeaderValue', 400],
  ['a malformed Content-Type', base({ 'Content-Type': 'sdp' }), {}, 'BadHeaderValue', 400],
];

for (const [situation, text, policy, kind, status] of rows) {
  test(`validateRequest: ${situation} → ${kind} → ${status} (RFC 3261 §8.2)`, (t) => {
    const [first] = validateRequest(right(t, parseMessage(text)) as SipRequest, policy);
    t.is(first?.kind, kind);
    t.is(responseForProblem(first!).status, status);
  });
}

test('validateRequest: Require is not checked on ACK and CANCEL (§8.2.2.3)', (t) => {
  t.deepEqual(kinds(t, base({ CSeq: '314159 ACK', Require: 'foo' }, 'ACK sip:bob@example.com SIP/2.0')), []);
  t.deepEqual(kinds(t, base({ CSeq: '314159 CANCEL', Require: 'foo' }, 'CANCEL sip:bob@example.com SIP/2.0')), []);
});

test('validateRequest: problems come most important first (505 before 400)', (t) => {
  t.deepEqual(
    kinds(t, base({ 'Call-ID': null }, 'INVITE sip:bob@example.com SIP/2.1')), ['UnsupportedVersion', 'MissingHeader'],
  );
});

test('responseForProblem: 420 lists Unsupported, 405 carries Allow, 415 carries Accept', (t) => {
  const [p420] = validateRequest(right(t, parseMessage(base({ Require: 'foo, bar' }))) as SipRequest);
  t.deepEqual(responseForProblem(p420!).headers, [{ name: 'Unsupported', value: 'foo, bar' }]);
  t.deepEqual(responseForProblem({ kind: 'MethodNotAllowed', detail: '' }, { allow: ['INVITE', 'BYE'] }),
    { status: 405, reason: 'Method Not Allowed', headers: [{ name: 'Allow', value: 'INVITE, BYE' }] });
  t.deepEqual(responseForProblem({ kind: 'UnsupportedMediaType', detail: '' }, { accept: ['application/sdp'] }).headers,
    [{ name: 'Accept', value: 'application/sdp' }]);
  t.is(
    responseForProblem({ kind: 'MissingHeader', detail: 'missing To\r\nheader' }).reason,
    'Bad Request (missing To header)',
  );
});

test('responseForParseError: 400 with the error and its position in the reason phrase (§21.4.1)', (t) => {
  t.deepEqual(responseForParseError(parseError('BadHeaderValue', 'bad method', 42, 'CSeq')),
    { status: 400, reason: 'Bad Request (CSeq: bad method (byte 42))', headers: [] });
});
