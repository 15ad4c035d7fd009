/** RFC 5118 IPv6 torture messages (wire copies, CRLF), read in place from ../shared/testdata. */
import * as E from 'fp-ts/lib/Either.js';
import { badRequestResponse } from '../../../domain/sip/bad-request-response.js';
import { getContacts, getVias } from '../../../domain/sip/core-headers.js';
import type { SipRequest } from '../../../domain/sip/message.js';
import { parseMessage } from '../../../domain/sip/parse-message.js';
import { serializeMessage } from '../../../domain/sip/serialize-message.js';
import { viaReceived } from '../../../domain/sip/via.js';
import { left, right } from '../../support/either.js';
import { corpusTest, readTestdata } from '../../support/testdata.js';

const maybe = corpusTest('rfc5118/wire');

const read = (name: string): Uint8Array => new Uint8Array(readTestdata(`rfc5118/wire/${name}.dat`));

const VALID = ['ipv4-mapped-ipv6', 'ipv6-bug-abnf-3-colons', 'ipv6-correct-abnf-2-colons', 'ipv6-good', 'ipv6-in-sdp',
  'mult-ip-in-header', 'mult-ip-in-sdp', 'port-ambiguous', 'port-unambiguous', 'via-received-param-no-delim', 'via-received-param-with-delim'];

for (const name of VALID) {
  maybe(`RFC 5118 ${name}: parses and round-trips`, (t) => {
    const m = right(t, parseMessage(read(name)));
    t.deepEqual(right(t, parseMessage(serializeMessage(m))), m);
  });
}

maybe('RFC 5118 ipv6-bad: an IPv6 Request-URI without brackets → 400 (§4.2)', (t) => {
  const bytes = read('ipv6-bad');
  const error = left(t, parseMessage(bytes));
  t.is(error.reason, 'BadRequestUri');
  t.is(badRequestResponse(bytes, error)?.response.status, 400);
});

maybe('RFC 5118 port-ambiguous / port-unambiguous: the port inside brackets belongs to the address (§4.3, §4.4)', (
  t,
) => {
  const ambiguous = right(t, parseMessage(read('port-ambiguous'))) as SipRequest;
  t.like(ambiguous.uri, { kind: 'sip', host: '[2001:db8::10:5070]' });
  t.false('port' in ambiguous.uri);
  const unambiguous = right(t, parseMessage(read('port-unambiguous'))) as SipRequest;
  t.like(unambiguous.uri, { kind: 'sip', host: '[2001:db8::10]', port: 5070 });
});

maybe('RFC 5118 Via received with and without brackets, and mixed address families (§4.5, §4.6, §4.7)', (t) => {
  const noDelim = right(t, getVias(right(t, parseMessage(read('via-received-param-no-delim')))));
  t.is(viaReceived(noDelim[0]!), '2001:db8::9:255');
  const withDelim = right(t, getVias(right(t, parseMessage(read('via-received-param-with-delim')))));
  t.is(viaReceived(withDelim[0]!), '[2001:db8::9:255]');
  const mixed = right(t, getVias(right(t, parseMessage(read('mult-ip-in-header')))));
  t.deepEqual(
    mixed.map((v) => [v.host, v.port]),
    [['[2001:db8::9:1]', 6050], ['192.0.2.1', undefined], ['[2001:db8::9:255]', undefined]],
  );
  const mapped = right(t, parseMessage(read('ipv4-mapped-ipv6')));
  const contacts = right(t, getContacts(mapped));
  t.true(contacts !== '*' && contacts[0]?.uri.kind === 'sip' && contacts[0].uri.host === '[::ffff:192.0.2.2]');
  t.true(E.isRight(getVias(mapped)));
});
