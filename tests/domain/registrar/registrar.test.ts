import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import {
  aorOf, bindingContacts, processRegister, type Binding, type RegisterOutcome, type RegistrarPolicy,
} from '../../../domain/registrar/registrar.js';
import type { SipRequest } from '../../../domain/sip/message.js';
import { parseMessage } from '../../../domain/sip/parse-message.js';
import { parseUri } from '../../../domain/sip/parse-uri.js';
import { endpoint } from '../../../domain/transport/endpoint.js';

const policy: RegistrarPolicy = { minExpiresSec: 60, maxExpiresSec: 7200, defaultExpiresSec: 3600, maxContacts: 3 };
const source = { endpoint: endpoint('udp', '198.51.100.7', 40000), connectionId: undefined };
const AOR = 'sip:alice@example.com';

const register = (
  contacts: ReadonlyArray<string>, opts: { callId?: string; cseq?: number; expires?: number; extra?: string[] } = {},
): SipRequest => {
  const text = [
    'REGISTER sip:example.com SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKr1', 'Max-Forwards: 70',
    'From: <sip:alice@example.com>;tag=f1', 'To: <sip:alice@example.com>', `Call-ID: ${opts.callId ?? 'reg-1'}`,
    `CSeq: ${opts.cseq ?? 1} REGISTER`, ...contacts.map((c) => `Contact: ${c}`),
    ...(opts.expires === undefined ? [] : [`Expires: ${opts.expires}`]), ...(opts.extra ?? []),
    'Content-Length: 0', '', '',
  ].join('\r\n');
  const parsed = parseMessage(text);
  if (E.isLeft(parsed) || parsed.right.kind !== 'request') throw new Error(text);
  return parsed.right;
};

const accepted = (t: { fail(m: string): void }, outcome: RegisterOutcome) => {
  if (outcome.kind !== 'Accepted') {
    t.fail(`refused ${outcome.status} ${outcome.reason}`);
    throw new Error('refused');
  }
  return outcome;
};

test('registrar: the AOR is scheme, user and lower-case host of the To URI', (t) => {
  const uri = (s: string) => E.getOrElseW(() => { throw new Error(s); })(parseUri(s));
  t.is(aorOf(uri('sip:alice@Example.COM:5080;transport=tcp')), 'sip:alice@example.com');
  t.is(aorOf(uri('sips:bob@example.com')), 'sip:bob@example.com');
  t.is(aorOf(uri('tel:+1555')), undefined);
});

test('registrar: add, refresh with a later CSeq, remove with expires 0; the 200 lists every binding with what it has left', (t) => {
  const first = accepted(t, processRegister(
    register(['<sip:alice@10.0.0.5:5060>;expires=600', '<sip:alice@10.0.0.6>;q=0.5'], { expires: 1200 }),
    AOR, [], 0, policy, source,
  ));
  t.is(first.added.length, 2);
  t.deepEqual(first.bindings.map((b) => [b.uri, b.expiresAtMs, b.q]), [
    ['sip:alice@10.0.0.5:5060', 600_000, undefined], ['sip:alice@10.0.0.6', 1_200_000, 0.5],
  ]);
  t.deepEqual(first.bindings[0]?.source, source.endpoint, 'the source is kept for NAT traversal');
  t.deepEqual(bindingContacts(first.bindings, 100_000).map((h) => h.value), [
    '<sip:alice@10.0.0.5:5060>;expires=500', '<sip:alice@10.0.0.6>;expires=1100;q=0.5',
  ]);
  const refresh = accepted(t, processRegister(
    register(['<sip:alice@10.0.0.5:5060>'], { cseq: 2, expires: 900 }), AOR, first.bindings, 100_000, policy, source,
  ));
  t.is(refresh.refreshed.length, 1);
  t.is(refresh.bindings.find((b) => b.uri === 'sip:alice@10.0.0.5:5060')?.expiresAtMs, 1_000_000);
  const removal = accepted(t, processRegister(
    register(['<sip:alice@10.0.0.6>;expires=0'], { cseq: 3 }), AOR, refresh.bindings, 200_000, policy, source,
  ));
  t.deepEqual(removal.removed.map((b) => b.uri), ['sip:alice@10.0.0.6']);
  t.deepEqual(removal.bindings.map((b) => b.uri), ['sip:alice@10.0.0.5:5060']);
});

test('registrar: the same Call-ID with a CSeq not higher is out of order (500); another Call-ID replaces the binding', (t) => {
  const first = accepted(t, processRegister(register(['<sip:alice@10.0.0.5>'], { cseq: 5 }), AOR, [], 0, policy, source));
  const stale = processRegister(register(['<sip:alice@10.0.0.5>'], { cseq: 5 }), AOR, first.bindings, 1, policy, source);
  t.like(stale, { kind: 'Refused', status: 500 });
  const reboot = accepted(t, processRegister(
    register(['<sip:alice@10.0.0.5>'], { callId: 'reg-2', cseq: 1 }), AOR, first.bindings, 1, policy, source,
  ));
  t.is(reboot.bindings[0]?.callId, 'reg-2');
});

test('registrar: a too-brief interval is 423 with Min-Expires; a long one is cut to the maximum; * removes all; a query lists', (t) => {
  t.like(processRegister(register(['<sip:alice@h>'], { expires: 30 }), AOR, [], 0, policy, source), {
    kind: 'Refused', status: 423, headers: [{ name: 'Min-Expires', value: '60' }],
  });
  const long = accepted(t, processRegister(register(['<sip:alice@h>'], { expires: 999_999 }), AOR, [], 0, policy, source));
  t.is(long.bindings[0]?.expiresAtMs, 7_200_000);
  const query = accepted(t, processRegister(register([]), AOR, long.bindings, 1, policy, source));
  t.is(query.bindings.length, 1);
  t.deepEqual(query.added, []);
  t.like(processRegister(register(['*'], { cseq: 2, expires: 10 }), AOR, long.bindings, 1, policy, source), {
    kind: 'Refused', status: 400,
  });
  const all = accepted(t, processRegister(register(['*'], { cseq: 2, expires: 0 }), AOR, long.bindings, 1, policy, source));
  t.deepEqual(all.bindings, []);
  t.is(all.removed.length, 1);
});

test('registrar: more contacts than allowed is 403; bad expires values are 400; expired bindings do not count', (t) => {
  const many = Array.from({ length: 1000 }, (_, i) => `<sip:alice@10.1.${i >> 8}.${i & 255}>`);
  t.like(processRegister(register([many.join(', ')]), AOR, [], 0, policy, source), { kind: 'Refused', status: 403 });
  t.like(processRegister(register(many.slice(0, 4)), AOR, [], 0, policy, source), { kind: 'Refused', status: 403 });
  t.like(processRegister(register(['<sip:alice@h>;expires=soon']), AOR, [], 0, policy, source), {
    kind: 'Refused', status: 400,
  });
  t.like(processRegister(register(['<sip:alice@h>'], { extra: ['Expires: -1'] }), AOR, [], 0, policy, source), {
    kind: 'Refused', status: 400,
  });
  const old: Binding[] = [1, 2, 3].map((i) => ({
    aor: AOR, contact: `<sip:alice@10.9.9.${i}>`, uri: `sip:alice@10.9.9.${i}`, expiresAtMs: 500, q: undefined,
    callId: 'x', cseq: 1, source: source.endpoint, connectionId: undefined, path: [], instance: undefined,
    regId: undefined, userAgent: undefined,
  }));
  const fresh = accepted(t, processRegister(register(['<sip:alice@h>']), AOR, old, 1_000, policy, source));
  t.deepEqual(fresh.bindings.map((b) => b.uri), ['sip:alice@h'], 'the expired three made room');
});

test('registrar: Path, User-Agent, +sip.instance and reg-id are kept with the binding (RFC 3327, RFC 5626)', (t) => {
  const out = accepted(t, processRegister(register(
    ['<sip:alice@10.0.0.5;transport=tcp>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000a95a0e128>";reg-id=1'],
    { extra: ['Path: <sip:edge.example.com;lr>', 'User-Agent: phone/1.0'] },
  ), AOR, [], 0, policy, { endpoint: endpoint('tcp', '198.51.100.7', 40001), connectionId: 7 }));
  t.like(out.bindings[0], {
    path: ['<sip:edge.example.com;lr>'], userAgent: 'phone/1.0', regId: 1, connectionId: 7,
    instance: '<urn:uuid:00000000-0000-1000-8000-000a95a0e128>',
  });
});

test('registrar: a Path of several proxies in one header keeps each; a malformed Path is refused 400', (t) => {
  const out = accepted(t, processRegister(register(['<sip:alice@10.0.0.5>'], {
    extra: ['Path: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>', 'Path: <sip:p3.example.com;lr>'],
  }), AOR, [], 0, policy, source));
  t.deepEqual(out.bindings[0]?.path, ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>', '<sip:p3.example.com;lr>']);
  t.like(processRegister(register(['<sip:alice@10.0.0.5>'], { extra: ['Path: <not a uri'] }), AOR, [], 0, policy, source), {
    kind: 'Refused', status: 400,
  });
});
