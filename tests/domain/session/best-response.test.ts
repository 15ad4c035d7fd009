import test from 'ava';
import { bestResponse } from '../../../domain/session/best-response.js';

test('a 6xx from any branch wins (RFC 3261 §16.7)', (t) => {
  t.is(bestResponse([486, 603, 480]), 603);
  t.is(bestResponse([302, 600]), 600);
});

test('the lowest class wins otherwise', (t) => {
  t.is(bestResponse([486, 302, 500]), 302);
  t.is(bestResponse([500, 486]), 486);
});

test('within 4xx: what allows a retry, then busy, then absent; a time-out last', (t) => {
  t.is(bestResponse([486, 407]), 407);
  t.is(bestResponse([408, 486, 480]), 486);
  t.is(bestResponse([408, 480]), 480);
  t.is(bestResponse([408, 403]), 403);
  t.is(bestResponse([486, 486, 486]), 486);
});

test('no branch, or only time-outs, is 480; a 503 becomes 500', (t) => {
  t.is(bestResponse([]), 480);
  t.is(bestResponse([408, 408]), 480);
  t.is(bestResponse([503]), 500);
  t.is(bestResponse([200, 180, 42]), 480, 'not failures');
});
