import test from 'ava';
import { userOf } from '../../../application/session/session-record.js';

test('userOf: the user part of a sip or sips URI, bare or in angle brackets with a display name; the whole text when there is none', (t) => {
  const cases: ReadonlyArray<[string, string]> = [
    ['sip:alice@example.com', 'alice'],
    ['sips:bob@example.com;transport=tls', 'bob'],
    ['"Carol <x>" <sip:carol@10.0.0.1:5060>;tag=1', 'carol'],
    ['<sip:dave@host>', 'dave'],
    ['sip:example.com', 'sip:example.com'],
    ['sip:@example.com', 'sip:@example.com'],
    ['sip:host;user=phone@x', 'sip:host;user=phone@x'],
    ['tel:+15551234', 'tel:+15551234'],
    ['SIP:eve@example.com', 'SIP:eve@example.com'],
    ['', ''],
  ];
  for (const [uri, user] of cases) t.is(userOf(uri), user, uri);
});
