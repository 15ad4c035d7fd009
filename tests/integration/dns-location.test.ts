/**
 * RFC 3263 against a real DNS server: dnsmasq on loopback publishes NAPTR (SIP over TCP), SRV (two servers,
 * priorities 10 and 20) and A records for test.example; examples/call.ts dials sip:service@test.example
 * and reaches the priority-10 server, then the other once that one is stopped; a name that does not exist
 * fails with a clear TransportError.
 */
import test from 'ava';
import { requireDnsmasq, startDnsmasq } from '../support/dnsmasq.js';
import { runExample, startExample, type RunningExample } from '../support/example-process.js';

const LISTENING = /auto-answer listening on 127\.0\.0\.1:(\d+)/;

const server = async (mediaPorts: string): Promise<{ process: RunningExample; port: number }> => {
  const process = await startExample('auto-answer', ['--port', '0', '--transport', 'tcp', '--media-ports', mediaPorts],
    LISTENING);
  return { process, port: Number(LISTENING.exec(process.output())![1]) };
};

test('examples/call.ts sip:service@test.example follows NAPTR and SRV to the best server, fails over when it is down, and names a name that does not resolve', async (t) => {
  if (!requireDnsmasq(t)) return;
  const a = await server('47000-47099');
  const b = await server('47100-47199');
  t.teardown(() => {
    a.process.child.kill('SIGKILL');
    b.process.child.kill('SIGKILL');
  });
  const dns = await startDnsmasq({
    domain: 'test.example',
    naptr: [{ name: 'test.example', order: 10, preference: 10, service: 'SIP+D2T', replacement: '_sip._tcp.test.example' }],
    srv: [
      { name: '_sip._tcp.test.example', target: 'a.test.example', port: a.port, priority: 10, weight: 10 },
      { name: '_sip._tcp.test.example', target: 'b.test.example', port: b.port, priority: 20, weight: 10 },
    ],
    hosts: [{ name: 'a.test.example', addresses: ['127.0.0.1'] }, { name: 'b.test.example', addresses: ['127.0.0.1'] }],
  });
  t.teardown(() => dns.stop());
  const call = (target: string) => runExample('call', [
    target, '--dns', dns.server, '--transport', 'both', '--duration', '300', '--timeout', '20000',
  ]);
  const incoming = (s: { process: RunningExample }): number => (s.process.output().match(/ incoming /g) ?? []).length;

  const first = await call('sip:service@test.example');
  t.is(first.code, 0, first.output);
  t.is(incoming(a), 1, 'the priority-10 server took the call');
  t.is(incoming(b), 0);

  a.process.child.kill('SIGTERM');
  await a.process.exited;
  const second = await call('sip:service@test.example');
  t.is(second.code, 0, second.output);
  t.is(incoming(b), 1, 'with the first server gone, the call went to the next');

  const missing = await call('sip:service@nothere.test.example');
  t.is(missing.code, 1);
  t.regex(missing.output, /call failed: TransportError: cannot place the call: nothere\.test\.example does not resolve/);
});
