import test from 'ava';
import { contactReach, firstHop, isPrivateAddress } from '../../../domain/registrar/contact-reach.js';
import type { Binding } from '../../../domain/registrar/registrar.js';
import type { Endpoint } from '../../../domain/transport/endpoint.js';

const binding = (uri: string, source: Endpoint, path: string[] = []): Binding => ({
  aor: 'sip:bob@example.com', contact: `<${uri}>`, uri, expiresAtMs: 1, q: undefined, callId: 'c', cseq: 1, source,
  connectionId: undefined, path, instance: undefined, regId: undefined, userAgent: undefined,
});
const udp = (host: string, port = 5060): Endpoint => ({ protocol: 'udp', host, port });

test('a contact reachable as registered is sent to its URI', (t) => {
  t.deepEqual(contactReach(binding('sip:bob@203.0.113.5:5062', udp('203.0.113.5', 5062))), {
    requestUri: 'sip:bob@203.0.113.5:5062',
  });
  // Third-party registration: a public contact registered from elsewhere is still reached at its URI.
  t.deepEqual(contactReach(binding('sip:bob@198.51.100.7', udp('203.0.113.5'))), { requestUri: 'sip:bob@198.51.100.7' });
});

test('a private or .invalid contact registered from a public address is reached at that address (NAT)', (t) => {
  const source = udp('203.0.113.5', 40123);
  t.deepEqual(contactReach(binding('sip:bob@192.168.1.20:5060', source)), {
    requestUri: 'sip:bob@192.168.1.20:5060', nextHop: source,
  });
  t.deepEqual(contactReach(binding('sip:x7@df7jal23ls0d.invalid;transport=ws', source)).nextHop, source);
  // On the same private network the contact is reached as it says.
  t.deepEqual(contactReach(binding('sip:bob@10.1.2.3:5070', udp('10.1.2.3', 5070))), { requestUri: 'sip:bob@10.1.2.3:5070' });
});

test('a contact registered over TCP or TLS is reached over that connection (RFC 5626 flow)', (t) => {
  const source: Endpoint = { protocol: 'tls', host: '127.0.0.1', port: 51000 };
  t.deepEqual(contactReach(binding('sip:bob@127.0.0.1:5061;transport=tls', source)).nextHop, source);
});

test('a Path wins: the contact is reached through the proxies it registered by', (t) => {
  t.deepEqual(contactReach(binding('sip:bob@192.168.1.20', udp('198.51.100.1'), ['<sip:edge.example.com;lr>'])), {
    requestUri: 'sip:bob@192.168.1.20', routes: ['<sip:edge.example.com;lr>'],
  });
});

test('private address ranges', (t) => {
  for (const host of ['10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.0.1', '100.64.0.1', 'fd00::1', 'fe80::1']) {
    t.true(isPrivateAddress(host), host);
  }
  for (const host of ['172.32.0.1', '8.8.8.8', '100.128.0.1', '127.0.0.1', '2001:db8::1', 'example.com']) {
    t.false(isPrivateAddress(host), host);
  }
});

test('the first hop: the flow, the first Path entry, or the contact URI', (t) => {
  t.deepEqual(firstHop(binding('sip:bob@192.168.1.20', udp('203.0.113.5', 4000))), udp('203.0.113.5', 4000));
  t.deepEqual(firstHop(binding('sip:bob@192.168.1.20', udp('198.51.100.1'), ['<sip:198.51.100.9:5070;lr>'])),
    udp('198.51.100.9', 5070));
  t.deepEqual(firstHop(binding('sips:bob@203.0.113.5', udp('203.0.113.5'))),
    { protocol: 'tls', host: '203.0.113.5', port: 5061 });
});
