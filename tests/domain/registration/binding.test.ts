import test from 'ava';
import {
  buildRegister, grantedExpires, minimumExpires, refreshDelaySec,
} from '../../../domain/registration/binding.js';
import { buildResponse } from '../../../domain/sip/build-response.js';
import { getCSeq, getFrom, getTo } from '../../../domain/sip/core-headers.js';
import { headerValue, type SipHeader } from '../../../domain/sip/message.js';
import { paramValue } from '../../../domain/sip/params.js';
import { sipUri } from '../../../domain/sip/uri.js';
import { right } from '../../support/either.js';

const contact = { uri: sipUri('192.0.2.5', { user: 'session-core', port: 5062 }), params: [] };
const register = buildRegister({
  registrar: sipUri('pbx.example.com'), aor: { uri: sipUri('pbx.example.com', { user: 'alice' }), params: [] }, fromTag: 'f1', callId: 'c1',
  cseq: 7, contact, expiresSec: 600, via: { protocolName: 'SIP', protocolVersion: '2.0', transport: 'UDP', host: '192.0.2.5', port: 5062, params: [{ name: 'branch', value: 'z9hG4bKx' }] },
  userAgent: 'test',
});
const ok = (headers: ReadonlyArray<SipHeader>) => buildResponse(register, 200, { toTag: 't', headers });

test('buildRegister: registrar as Request-URI, AOR in To and From (with our tag), Expires and Contact (§10.2)', (t) => {
  t.is(register.method, 'REGISTER');
  t.like(register.uri, { host: 'pbx.example.com' });
  t.is(register.uri.kind === 'sip' ? register.uri.user : 'x', undefined);
  t.like(right(t, getTo(register)).uri, { user: 'alice' });
  t.is(paramValue(right(t, getFrom(register)).params, 'tag'), 'f1');
  t.deepEqual(right(t, getCSeq(register)), { seq: 7, method: 'REGISTER' });
  t.is(headerValue(register, 'Expires'), '600');
  t.is(headerValue(register, 'Contact'), '<sip:session-core@192.0.2.5:5062>');
});

test('grantedExpires: our Contact\'s expires among all bindings, else the Expires header, else what we asked', (t) => {
  t.is(
    grantedExpires(
      ok([
        { name: 'Contact', value: '<sip:other@192.0.2.9>;expires=90, <sip:session-core@192.0.2.5:5062>;expires=300' },
      ]),
      contact.uri, 600,
    ),
    300,
  );
  t.is(
    grantedExpires(
      ok([
        { name: 'Contact', value: '<sip:SESSION-CORE@192.0.2.5:5062>;expires=300' }, { name: 'Expires', value: '120' },
      ]),
      contact.uri, 600,
    ),
    120, 'the user part must match exactly',
  );
  t.is(grantedExpires(ok([{ name: 'Expires', value: '120' }]), contact.uri, 600), 120);
  t.is(grantedExpires(ok([]), contact.uri, 600), 600);
});

test('minimumExpires: 423 with a Min-Expires above what we asked (§10.2.8); refreshDelaySec: early enough', (t) => {
  const tooBrief = (value: string) => buildResponse(
    register, 423, { toTag: 't', headers: [{ name: 'Min-Expires', value }] },
  );
  t.is(minimumExpires(tooBrief('1800'), 600), 1800);
  t.is(minimumExpires(tooBrief('300'), 600), undefined, 'a Min-Expires we already meet gives nothing to retry with');
  t.is(minimumExpires(buildResponse(register, 423, { toTag: 't' }), 600), undefined);
  t.is(refreshDelaySec(3600), 3540);
  t.is(refreshDelaySec(120), 60);
  t.is(refreshDelaySec(6), 3);
  t.is(refreshDelaySec(1), 1);
});
