import { createSocket } from 'node:dgram';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { UdpSipTransport } from '../../../adapters/node/udp-sip-transport.js';
import { SeededRandom } from '../../../adapters/sim/seeded-random.js';
import { buildResponse } from '../../../domain/sip/build-response.js';
import { getTopVia } from '../../../domain/sip/core-headers.js';
import type { SipRequest } from '../../../domain/sip/message.js';
import { DEFAULT_PARSE_OPTIONS, parseMessage } from '../../../domain/sip/parse-message.js';
import { endpoint } from '../../../domain/transport/endpoint.js';
import { responseTarget } from '../../../domain/transport/response-target.js';
import { viaReceived, viaRport } from '../../../domain/sip/via.js';
import type { InboundMessage } from '../../../ports/sip-transport.js';
import { right } from '../../support/either.js';
import { skipOutsideCi } from '../../support/require-tool.js';
import { optionsRequest } from '../../support/sip-text.js';
import { waitFor } from '../../support/wait.js';

const listen = async (t: Parameters<typeof right>[0]): Promise<UdpSipTransport> => {
  const transport = right(t, await UdpSipTransport.listen({ host: '127.0.0.1', port: 0 }));
  t.teardown(() => transport.close());
  return transport;
};

const rawClient = async (t: Parameters<typeof right>[0]) => {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const received: Buffer[] = [];
  socket.on('message', (msg) => received.push(msg));
  t.teardown(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return { socket, received, port: socket.address().port };
};

test('UDP transport: port 0 binds a real port and reports it', async (t) => {
  const transport = await listen(t);
  const local = transport.localEndpoint('udp');
  t.is(local?.host, '127.0.0.1');
  t.true((local?.port ?? 0) > 0);
  t.is(transport.localEndpoint('tcp'), undefined);
});

test('UDP transport: a request arrives with source, local address, and received/rport stamped (RFC 3581)', async (
  t,
) => {
  const transport = await listen(t);
  const inbound: InboundMessage[] = [];
  transport.onMessage((m) => inbound.push(m));
  const client = await rawClient(t);
  const local = transport.localEndpoint('udp')!;
  client.socket.send(
    optionsRequest({ via: 'SIP/2.0/UDP 192.0.2.99:5999;branch=z9hG4bKx;rport' }), local.port, '127.0.0.1',
  );
  await waitFor(() => inbound.length === 1);
  const [first] = inbound;
  t.deepEqual(first?.source, endpoint('udp', '127.0.0.1', client.port));
  t.deepEqual(first?.local, local);
  const via = right(t, getTopVia(first!.message));
  t.is(viaReceived(via), '127.0.0.1');
  t.is(viaRport(via), client.port);
  // §18.2.2 + RFC 3581: the response goes to received:rport, i.e. back to the client socket.
  t.deepEqual(responseTarget(via), endpoint('udp', '127.0.0.1', client.port));
  right(t, await transport.send(buildResponse(first!.message as SipRequest, 200, { toTag: 'b' }), responseTarget(via)));
  await waitFor(() => client.received.length === 1);
  t.regex(client.received[0]!.toString(), /^SIP\/2\.0 200 OK\r\n/);
  t.is(transport.counters().sent, 1);
});

test('UDP transport: without rport, a response goes to sent-by, and received only when the host differs (§18.2.1)', (
  t,
) => {
  const sameHost = right(
    t, getTopVia(right(t, parseMessage(optionsRequest({ via: 'SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKa' })))),
  );
  t.deepEqual(responseTarget(sameHost), endpoint('udp', '127.0.0.1', 5999));
});

test('UDP transport: two transports exchange a request and a response, Via sent-by naming the bound port', async (
  t,
) => {
  const a = await listen(t);
  const b = await listen(t);
  const atB: InboundMessage[] = [];
  const atA: InboundMessage[] = [];
  b.onMessage((m) => atB.push(m));
  a.onMessage((m) => atA.push(m));
  const request = right(t, parseMessage(optionsRequest({ via: 'SIP/2.0/TCP placeholder.invalid;branch=z9hG4bKs1' })));
  right(t, await a.send(request, b.localEndpoint('udp')!));
  await waitFor(() => atB.length === 1);
  const via = right(t, getTopVia(atB[0]!.message));
  t.is(via.transport, 'UDP');
  t.is(via.host, '127.0.0.1');
  t.is(via.port, a.localEndpoint('udp')!.port);
  right(t, await b.send(buildResponse(atB[0]!.message as SipRequest, 200), responseTarget(via, atB[0]!.source)));
  await waitFor(() => atA.length === 1);
  t.is(atA[0]!.message.kind, 'response');
});

test('UDP transport: an unparsable request with a readable Via is answered 400; garbage is dropped and counted (§21.4.1)', async (t) => {
  const transport = await listen(t);
  const inbound: InboundMessage[] = [];
  transport.onMessage((m) => inbound.push(m));
  const client = await rawClient(t);
  const port = transport.localEndpoint('udp')!.port;
  client.socket.send(
    optionsRequest({ via: 'SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKbad;rport' }).replace(
      'CSeq: 1 OPTIONS', 'CSeq: x OPTIONS',
    ),
    port, '127.0.0.1',
  );
  client.socket.send('hello, not SIP', port, '127.0.0.1');
  await waitFor(() => client.received.length === 1 && transport.counters().dropped['Unparsable'] === 2);
  t.regex(client.received[0]!.toString(), /^SIP\/2\.0 400 Bad Request \(CSeq: /);
  t.is(transport.counters().badRequestsAnswered, 1);
  t.is(inbound.length, 0);
});

test('UDP transport: a datagram above the size limit is answered 513 Message Too Large (§21.5.14), as over TCP', async (
  t,
) => {
  const transport = right(
    t,
    await UdpSipTransport.listen({
      host: '127.0.0.1', port: 0, core: { parse: { ...DEFAULT_PARSE_OPTIONS, maxMessageBytes: 4_096 } },
    }),
  );
  t.teardown(() => transport.close());
  const inbound: InboundMessage[] = [];
  transport.onMessage((m) => inbound.push(m));
  const client = await rawClient(t);
  const big = optionsRequest({ via: 'SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKbig;rport', body: 'x'.repeat(5_000) });
  client.socket.send(big, transport.localEndpoint('udp')!.port, '127.0.0.1');
  await waitFor(() => client.received.length === 1, 10_000, 'the 513');
  t.regex(client.received[0]!.toString(), /^SIP\/2\.0 513 Message Too Large\r\n[\s\S]*branch=z9hG4bKbig/);
  t.is(inbound.length, 0);
  t.is(transport.counters().dropped['TooLarge'], 1);
});

test('UDP transport: 10,000 random datagrams do not stop a valid message from arriving afterwards; counters add up', async (t) => {
  const transport = await listen(t);
  const inbound: InboundMessage[] = [];
  transport.onMessage((m) => inbound.push(m));
  const client = await rawClient(t);
  const port = transport.localEndpoint('udp')!.port;
  const random = new SeededRandom(99);
  const total = 10_000;
  for (let i = 0; i < total; i++) {
    const bytes = Buffer.alloc(1 + (random.nextUint32() % 400));
    for (let k = 0; k < bytes.length; k++) bytes[k] = random.nextUint32() & 0xff;
    client.socket.send(bytes, port, '127.0.0.1');
    if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  // Loopback UDP may still drop under a burst (kernel buffers), so the test
  // checks that every datagram the socket took in is accounted for exactly once.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const before = transport.counters();
  t.true(before.inbound > total * 0.5, `only ${before.inbound} of ${total} datagrams arrived`);
  t.is(before.received + Object.values(before.dropped).reduce((a, b) => a + b, 0), before.inbound);
  const counters = transport.counters();
  t.is(counters.received, 0, 'no random datagram passes as SIP');
  client.socket.send(optionsRequest(), port, '127.0.0.1');
  await waitFor(() => inbound.length === 1);
  t.is(transport.counters().received, 1);
});

test('UDP transport: send after close fails as a value; binding a taken port fails as a value', async (t) => {
  const transport = right(t, await UdpSipTransport.listen({ host: '127.0.0.1', port: 0 }));
  const port = transport.localEndpoint('udp')!.port;
  const clash = await UdpSipTransport.listen({ host: '127.0.0.1', port });
  t.true(E.isLeft(clash) && clash.left.reason === 'BindFailed');
  await transport.close();
  await transport.close();
  const result = await transport.sendBytes(new Uint8Array([1]), endpoint('udp', '127.0.0.1', port));
  t.true(E.isLeft(result) && result.left.reason === 'Closed');
});

test('UDP transport: IPv6 loopback works the same (skipped when ::1 is unavailable, except under CI)', async (t) => {
  const listened = await UdpSipTransport.listen({ host: '::1', port: 0 });
  if (E.isLeft(listened)) return skipOutsideCi(t, `IPv6 loopback unavailable: ${listened.left.detail}`);
  const a = listened.right;
  const b = right(t, await UdpSipTransport.listen({ host: '[::1]', port: 0 }));
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const atB: InboundMessage[] = [];
  b.onMessage((m) => atB.push(m));
  right(t, await a.send(right(t, parseMessage(optionsRequest())), b.localEndpoint('udp')!));
  await waitFor(() => atB.length === 1);
  const via = right(t, getTopVia(atB[0]!.message));
  t.is(via.host, '[::1]');
  t.is(atB[0]!.source.host, '::1');
});
