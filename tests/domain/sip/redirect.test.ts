import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { formatUri } from '../../../domain/sip/format-uri.js';
import { parseMessage } from '../../../domain/sip/parse-message.js';
import { redirectKey, redirectTargets } from '../../../domain/sip/redirect.js';
import type { SipResponse } from '../../../domain/sip/message.js';

const response = (contacts: ReadonlyArray<string>): SipResponse => {
  const parsed = parseMessage([
    'SIP/2.0 300 Multiple Choices', 'Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1', 'From: <sip:a@x>;tag=1',
    'To: <sip:b@y>;tag=2', 'Call-ID: c1', 'CSeq: 1 INVITE', ...contacts.map((c) => `Contact: ${c}`),
    'Content-Length: 0', '', '',
  ].join('\r\n'));
  if (E.isLeft(parsed) || parsed.right.kind !== 'response') throw new Error('fixture');
  return parsed.right;
};

test('§8.1.3.4: Contacts of a 3xx in q order (1.0 when absent, ties in order), SIP URIs only', (t) => {
  const r = response([
    '<sip:low@10.0.0.5>;q=0.1', '<sip:first@10.0.0.2>', '<tel:+15551234>', '<sip:mid@10.0.0.4>;q=0.5, <sip:second@10.0.0.3>',
  ]);
  t.deepEqual(redirectTargets(r, new Set()).map(formatUri), [
    'sip:first@10.0.0.2', 'sip:second@10.0.0.3', 'sip:mid@10.0.0.4', 'sip:low@10.0.0.5',
  ]);
});

test('§8.1.3.4: a Contact already tried (a loop) or named twice is left out', (t) => {
  const r = response(['<sip:b@10.0.0.2>', '<sip:c@10.0.0.3>', '<sip:c@10.0.0.3>']);
  const tried = new Set([redirectKey(redirectTargets(response(['<sip:b@10.0.0.2>']), new Set())[0]!)]);
  t.deepEqual(redirectTargets(r, tried).map(formatUri), ['sip:c@10.0.0.3']);
  t.deepEqual(redirectTargets(response([]), new Set()), []);
});
