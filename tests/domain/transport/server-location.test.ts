import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { parseUri } from '../../../domain/sip/parse-uri.js';
import {
  isNumericHost, orderSrv, planLocation, srvFallbacks, srvName, usableNaptr,
} from '../../../domain/transport/server-location.js';

const uri = (text: string) => {
  const parsed = parseUri(text);
  if (E.isLeft(parsed)) throw new Error(text);
  return parsed.right;
};
const ALL = ['udp', 'tcp', 'tls'] as const;
const plan = (text: string, supported: ReadonlyArray<'udp' | 'tcp' | 'tls'> = ALL) =>
  planLocation(uri(text), supported);

test('RFC 3263 §4.1–4.2: numeric hosts skip DNS, an explicit port skips NAPTR and SRV, a transport skips NAPTR', (t) => {
  t.deepEqual(plan('sip:a@192.0.2.1'), E.right({
    kind: 'Numeric', target: { protocol: 'udp', host: '192.0.2.1', port: 5060 },
  }));
  t.deepEqual(plan('sip:a@[2001:db8::1]:5070;transport=tcp'), E.right({
    kind: 'Numeric', target: { protocol: 'tcp', host: '2001:db8::1', port: 5070 },
  }));
  t.deepEqual(plan('sips:a@192.0.2.1'), E.right({
    kind: 'Numeric', target: { protocol: 'tls', host: '192.0.2.1', port: 5061 },
  }));
  t.deepEqual(plan('sip:a@example.com:5080'), E.right({
    kind: 'Addresses', host: 'example.com', port: 5080, protocol: 'udp',
  }));
  t.deepEqual(plan('sip:a@example.com;transport=tcp'), E.right({
    kind: 'Srv', host: 'example.com', protocol: 'tcp', secure: false,
  }));
  t.deepEqual(plan('sips:a@example.com'), E.right({ kind: 'Naptr', host: 'example.com', secure: true }));
  t.deepEqual(plan('sip:a@example.com;maddr=192.0.2.7'), E.right({
    kind: 'Numeric', target: { protocol: 'udp', host: '192.0.2.7', port: 5060 },
  }));
});

test('RFC 3263: sips needs a secure transport; a transport we lack, or a tel URI, is refused with the reason', (t) => {
  t.like(plan('sips:a@example.com;transport=udp'), { left: { reason: 'UnsupportedTransport' } });
  t.like(plan('sip:a@example.com;transport=tcp', ['udp']), { left: { reason: 'UnsupportedTransport' } });
  t.like(planLocation(uri('tel:+15551234'), ALL), { left: { reason: 'NoRoute' } });
  t.true(isNumericHost('10.1.2.3'));
  t.true(isNumericHost('[::1]'));
  t.false(isNumericHost('example.com'));
  t.false(isNumericHost('10.example'));
});

test('RFC 3263 §4.1: NAPTR records followed in order then preference, only s-flag SIP services we can use', (t) => {
  const records = [
    { order: 20, preference: 10, flags: 's', service: 'SIP+D2U', regexp: '', replacement: '_sip._udp.example.com' },
    { order: 10, preference: 20, flags: 's', service: 'SIP+D2T', regexp: '', replacement: '_sip._tcp.example.com.' },
    { order: 10, preference: 10, flags: 's', service: 'SIPS+D2T', regexp: '', replacement: '_sips._tcp.example.com' },
    { order: 5, preference: 10, flags: 's', service: 'SIP+D2W', regexp: '', replacement: '_sip._ws.example.com' },
    { order: 5, preference: 10, flags: 'a', service: 'SIP+D2U', regexp: '', replacement: 'x.example.com' },
  ];
  t.deepEqual(usableNaptr(records, ALL, false), [
    { protocol: 'tls', srv: '_sips._tcp.example.com' }, { protocol: 'tcp', srv: '_sip._tcp.example.com' },
    { protocol: 'udp', srv: '_sip._udp.example.com' },
  ]);
  t.deepEqual(usableNaptr(records, ['udp'], false), [{ protocol: 'udp', srv: '_sip._udp.example.com' }]);
  t.deepEqual(usableNaptr(records, ALL, true), [{ protocol: 'tls', srv: '_sips._tcp.example.com' }]);
  t.deepEqual(srvFallbacks('example.com', ['udp', 'tcp'], false).map((s) => s.srv), [
    '_sip._udp.example.com', '_sip._tcp.example.com',
  ]);
  t.deepEqual(srvFallbacks('example.com', ALL, true).map((s) => s.srv), ['_sips._tcp.example.com']);
  t.is(srvName('tls', 'example.com'), '_sips._tcp.example.com');
});

test('RFC 2782: SRV targets by priority, weighted within one; "." means no service', (t) => {
  const records = [
    { priority: 20, weight: 0, port: 5060, name: 'backup.example.com' },
    { priority: 10, weight: 90, port: 5060, name: 'big.example.com' },
    { priority: 10, weight: 10, port: 5060, name: 'small.example.com' },
    { priority: 30, weight: 0, port: 5060, name: '.' },
  ];
  // A draw near 0 picks the first in running-sum order (the lighter first), near 1 the heavier.
  const names = (draw: () => number): string[] => orderSrv(records, draw).map((r) => r.name);
  t.deepEqual(names(() => 0), ['small.example.com', 'big.example.com', 'backup.example.com']);
  t.deepEqual(names(() => 0.99), ['big.example.com', 'small.example.com', 'backup.example.com']);
  let state = 1;
  const draw = (): number => ((state = (state * 16807) % 2147483647) / 2147483647);
  let bigFirst = 0;
  for (let i = 0; i < 2000; i++) if (orderSrv(records, draw)[0]!.name === 'big.example.com') bigFirst++;
  t.true(bigFirst > 1600 && bigFirst < 1900, `big first ${bigFirst} times in 2000 (weight 90 of 100)`);
});
