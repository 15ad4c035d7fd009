/**
 * RFC 4475 torture messages, read in place from ../shared/testdata/rfc4475.
 * Each message's verdict comes from its RFC section: valid ones parse, validate
 * and round-trip; invalid ones yield a specific error and the response the RFC
 * asks for (or are dropped, for responses).
 */
import * as E from 'fp-ts/lib/Either.js';
import { badRequestResponse } from '../../../domain/sip/bad-request-response.js';
import { getCallId, getContacts, getCSeq, getFrom, getTo, getVias } from '../../../domain/sip/core-headers.js';
import { responseForProblem } from '../../../domain/sip/error-response.js';
import type { SipMessage, SipRequest } from '../../../domain/sip/message.js';
import { paramValue } from '../../../domain/sip/params.js';
import { parseMessage } from '../../../domain/sip/parse-message.js';
import { serializeMessage } from '../../../domain/sip/serialize-message.js';
import { decodeUtf8 } from '../../../domain/sip/text-codec.js';
import { getCredentials, getContentType } from '../../../domain/sip/typed-headers.js';
import { validateRequest, type ValidationPolicy } from '../../../domain/sip/validate-request.js';
import { viaBranch } from '../../../domain/sip/via.js';
import { right } from '../../support/either.js';
import { corpusTest, readTestdata } from '../../support/testdata.js';

const maybe = corpusTest('rfc4475');

const read = (name: string): Uint8Array => new Uint8Array(readTestdata(`rfc4475/${name}.dat`));
const POLICY: ValidationPolicy = {
  acceptedContentTypes: new Set(['application/sdp', 'multipart/mixed', 'text/plain']),
};

/** The status a UAS answers with, or 'accept' / 'drop'. */
const verdictOf = (bytes: Uint8Array): { verdict: number | 'accept' | 'drop'; message?: SipMessage; reason?: string } => {
  const parsed = parseMessage(bytes);
  if (E.isLeft(parsed)) {
    const bad = badRequestResponse(bytes, parsed.left);
    return { verdict: bad === undefined ? 'drop' : bad.response.status, reason: parsed.left.reason };
  }
  if (parsed.right.kind === 'response') return { verdict: 'accept', message: parsed.right };
  const [first] = validateRequest(parsed.right, POLICY);
  return first === undefined
    ? { verdict: 'accept', message: parsed.right }
    : { verdict: responseForProblem(first).status, message: parsed.right, reason: first.kind };
};

// §3.1.1 valid, §3.2, §3.4 and the §3.3 cases a UA accepts.
const ACCEPTED = ['wsinv', 'esc01', 'escnull', 'lwsdisp', 'longreq', 'dblreq', 'semiuri', 'transports', 'mpart01',
  'unreason', 'noreason', 'badbranch', 'inv2543', 'unksm2', 'regaut01', 'bcast', 'zeromf', 'cparam01', 'cparam02', 'regescrt', 'sdp01'];

// [file, expected verdict, expected error reason or problem kind]
const REJECTED: ReadonlyArray<readonly [string, number | 'drop', string]> = [
  ['intmeth', 501, 'UnknownMethod'], // §3.1.1.2: well-formed, but an unknown method
  ['esc02', 501, 'UnknownMethod'], // §3.1.1.5: RE%47IST%45R is not REGISTER
  ['badinv01', 400, 'BadHeaderValue'],
  ['clerr', 400, 'BodyTooShort'],
  ['ncl', 400, 'BadContentLength'],
  ['scalar02', 400, 'BadHeaderValue'],
  ['scalarlg', 'drop', 'BadHeaderValue'],
  ['quotbal', 400, 'BadHeaderValue'],
  ['ltgtruri', 400, 'BadRequestUri'],
  ['lwsruri', 400, 'BadStartLine'],
  ['lwsstart', 400, 'BadStartLine'],
  ['trws', 400, 'BadStartLine'],
  ['escruri', 400, 'HeadersInRequestUri'],
  ['baddate', 400, 'BadHeaderValue'],
  ['regbadct', 400, 'BadHeaderValue'],
  ['badaspec', 400, 'BadHeaderValue'],
  ['baddn', 400, 'BadHeaderValue'],
  ['badvers', 505, 'UnsupportedVersion'],
  ['mismatch01', 400, 'CSeqMethodMismatch'],
  ['mismatch02', 501, 'UnknownMethod'],
  ['bigcode', 'drop', 'BadStatusCode'],
  ['insuf', 400, 'MissingHeader'],
  ['unkscm', 416, 'UnsupportedUriScheme'],
  ['novelsc', 416, 'UnsupportedUriScheme'],
  ['bext01', 420, 'UnsupportedExtension'],
  ['invut', 415, 'UnsupportedMediaType'],
  ['multi01', 400, 'DuplicateHeader'],
  ['mcl01', 400, 'DuplicateHeader'],
];

for (const name of ACCEPTED) {
  maybe(`RFC 4475 ${name}: parses, is accepted, and round-trips`, (t) => {
    const { verdict, message, reason } = verdictOf(read(name));
    t.is(verdict, 'accept', reason);
    const again = right(t, parseMessage(serializeMessage(message!)));
    t.deepEqual(again, message);
  });
}

for (const [name, expected, reason] of REJECTED) {
  maybe(`RFC 4475 ${name}: → ${expected} (${reason})`, (t) => {
    const result = verdictOf(read(name));
    t.is(result.verdict, expected);
    t.is(result.reason, reason);
  });
}

maybe('RFC 4475 wsinv: whitespace, folding and escapes resolve to the right values (§3.1.1.1)', (t) => {
  const m = right(t, parseMessage(read('wsinv')));
  t.is(right(t, getTo(m)).params.find((p) => p.name === 'tag')?.value, '1918181833n');
  const from = right(t, getFrom(m));
  t.is(from.displayName, 'J Rosenberg \\"');
  t.is(paramValue(from.params, 'tag'), '98asjd8');
  t.deepEqual(right(t, getCSeq(m)), { seq: 9, method: 'INVITE' });
  const vias = right(t, getVias(m));
  t.deepEqual(vias.map((v) => [v.transport, v.host, viaBranch(v)]), [
    ['UDP', '192.0.2.2', '390skdjuw'], ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'], ['UDP', '192.168.255.111', 'z9hG4bK30239'],
  ]);
  const contacts = right(t, getContacts(m));
  t.not(contacts, '*');
  const [contact] = contacts as ReadonlyArray<NonNullable<Exclude<typeof contacts, '*'>[number]>>;
  t.is(contact?.displayName, 'Quoted string ""');
  t.is(paramValue(contact?.params ?? [], 'q'), '0.33');
  t.is(paramValue(contact?.params ?? [], 'newparam'), 'newvalue');
});

maybe('RFC 4475 esc01 and escnull: %-escapes decode in URIs, NUL included (§3.1.1.3–4)', (t) => {
  const esc01 = right(t, parseMessage(read('esc01'))) as SipRequest;
  t.is(esc01.uri.kind === 'sip' ? esc01.uri.user : '', 'sips:user@example.com');
  const to = right(t, getTo(esc01));
  t.is(to.uri.kind === 'sip' ? to.uri.user : '', 'user');
  const contacts = right(t, getContacts(esc01));
  const uri = contacts === '*' ? undefined : contacts[0]?.uri;
  t.deepEqual(uri?.kind === 'sip' ? uri.params : [], [{ name: 'lr' }, { name: 'name', value: 'value%41' }]);
  const escnull = right(t, parseMessage(read('escnull')));
  const user = right(t, getTo(escnull)).uri;
  t.is(user.kind === 'sip' ? user.user : '', 'null-\u0000-null');
});

maybe('RFC 4475 intmeth: unusual method, URI, Call-ID and UTF-8 header survive (§3.1.1.2)', (t) => {
  const m = right(t, parseMessage(read('intmeth'))) as SipRequest;
  t.is(m.method, "!interesting-Method0123456789_*+`.%indeed'~");
  t.like(
    m.uri,
    {
      kind: 'sip', user: "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*",
      password: "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", host: 'example.com',
    },
  );
  t.is(right(t, getCallId(m)), "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
  t.is(right(t, getTo(m)).displayName, 'BEL:\u0007 NUL:\u0000 DEL:\u007f');
  t.is(m.headers.find((h) => h.name === "extensionHeader-!.%*+_`'~")?.value, '\uFEFF大停電');
});

maybe('RFC 4475 mpart01: a binary multipart body is framed by Content-Length (§3.1.1.11)', (t) => {
  const bytes = read('mpart01');
  const m = right(t, parseMessage(bytes));
  const type = right(t, getContentType(m));
  t.is(type?.type, 'multipart');
  t.is(paramValue(type?.params ?? [], 'boundary'), '7a9cbec02ceef655');
  t.true(m.body.includes(0));
  t.is(decodeUtf8(m.body.subarray(0, 18)), '--7a9cbec02ceef655');
});

maybe('RFC 4475 dblreq: the second request after the body is ignored on a datagram (§3.1.1.8)', (t) => {
  const m = right(t, parseMessage(read('dblreq')));
  t.is(m.body.length, 0);
});

maybe('RFC 4475 regaut01: an unknown Authorization scheme still parses (§3.3.7)', (t) => {
  const [credentials] = right(t, getCredentials(right(t, parseMessage(read('regaut01'))), 'Authorization'));
  t.is(credentials?.scheme, 'NoOneKnowsThisScheme');
});

maybe('RFC 4475 400 responses echo the request headers so the sender can match them', (t) => {
  const bytes = read('badinv01');
  const parsed = parseMessage(bytes);
  if (E.isRight(parsed)) return t.fail();
  const bad = badRequestResponse(bytes, parsed.left);
  t.truthy(bad);
  t.regex(bad!.response.reason, /^Bad Request \(Via: empty parameter/);
  t.deepEqual(bad!.response.headers.map((h) => h.name), ['To', 'From', 'Call-ID', 'CSeq', 'Via']);
  t.is(bad!.topVia.host, '192.0.2.15');
  // The 400 itself must be a well-formed message.
  t.true(E.isRight(parseMessage(serializeMessage(bad!.response))));
});
