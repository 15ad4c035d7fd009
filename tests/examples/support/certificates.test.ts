import test from 'ava';
import { X509Certificate } from 'node:crypto';
import { createAuthority, derInteger } from '../../../examples/support/certificates.js';

test('DER integers are minimal: leading zero bytes dropped, one added only before a high bit', (t) => {
  const hex = (bytes: number[]): string => derInteger(Uint8Array.from(bytes)).toString('hex');
  t.is(hex([0, 0, 0x12]), '020112');
  t.is(hex([0, 0x80]), '02020080');
  t.is(hex([0x80, 1]), '0203008001');
  t.is(hex([0]), '020100');
  t.is(hex([0x7f, 0]), '02027f00');
});

test('test authorities parse: a random serial starting with a zero byte once made one in 256 unreadable', (t) => {
  // Before the fix about one authority in 500 had a non-minimal serial that OpenSSL (baresip, Node) refuses.
  for (let i = 0; i < 200; i++) t.notThrows(() => new X509Certificate(createAuthority().cert));
});
