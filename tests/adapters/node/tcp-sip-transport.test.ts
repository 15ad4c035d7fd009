import { connect, type Socket } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { DEFAULT_PARSE_OPTIONS } from '../../../domain/sip/parse-message.js';
import * as E from 'fp-ts/lib/Either.js';
import { TcpSipTransport, type TcpListenOptions } from '../../../adapters/node/tcp-sip-transport.js';
import { UdpSipTransport } from '../../../adapters/node/udp-sip-transport.js';
import { SeededRandom } from '../../../adapters/sim/seeded-random.js';
import { MultiTransport } from '../../../adapters/shared/multi-transport.js';
import { buildResponse } from '../../../domain/sip/build-response.js';
import { getTopVia } from '../../../domain/sip/core-headers.js';
import type { SipRequest } from '../../../domain/sip/message.js';
import { parseMessage } from '../../../domain/sip/parse-message.js';
import { decodeUtf8 } from '../../../domain/sip/text-codec.js';
import { endpoint } from '../../../domain/transport/endpoint.js';
import { responseTarget } from '../../../domain/transport/response-target.js';
import type { InboundMessage } from '../../../ports/sip-transport.js';
import { right } from '../../support/either.js';
import { optionsRequest } from '../../support/sip-text.js';
import { waitFor } from '../../support/wait.js';

const listen = async (t: ExecutionContext, options: Partial<TcpListenOptions> = {}): Promise<TcpSipTransport> => {
  const transport = right(t, await TcpSipTransport.listen({ host: '127.0.0.1', port: 0, ...options }));
  t.teardown(() => transport.close());
  return transport;
};

const rawClient = async (t: ExecutionContext, port: number): Promise<{ socket: Socket; data: () => string; closed: () => boolean }> => {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const chunks: Buffer[] = [];
  let closed = false;
  socket.on('data', (c) => chunks.push(c));
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  t.teardown(() => socket.destroy());
  return { socket, data: () => Buffer.concat(chunks).toString(), closed: () => closed };
};

const collect = (transport: TcpSipTransport): InboundMessage[] => {
  const inbound: InboundMessage[] = [];
  transport.onMessage((m) => inbound.push(m));
  return inbound;
};

test('TCP transport: a request and its response travel on one connection (§18.2.2), reused afterwards', async (t) => {
  const a = await listen(t);
  const b = await listen(t);
  const atA = collect(a);
  const atB = collect(b);
  const request = right(t, parseMessage(optionsRequest({ via: 'SIP/2.0/UDP x.invalid;branch=z9hG4bKt1' })));
  right(t, await a.send(request, b.localEndpoint('tcp')!));
  await waitFor(() => atB.length === 1);
  const inbound = atB[0]!;
  const via = right(t, getTopVia(inbound.message));
  t.is(via.transport, 'TCP');
  t.is(via.port, a.localEndpoint('tcp')!.port, 'sent-by names the listening port');
  t.truthy(inbound.connectionId);
  right(
    t,
    await b.send(
      buildResponse(inbound.message as SipRequest, 200), responseTarget(via, inbound.source), inbound.connectionId,
    ),
  );
  await waitFor(() => atA.length === 1);
  t.is(atA[0]!.message.kind, 'response');
  right(t, await a.send(request, b.localEndpoint('tcp')!));
  await waitFor(() => atB.length === 2);
  t.is(a.connectionCount(), 1, 'the connection is reused');
  t.is(b.connectionCount(), 1);
});

test('TCP transport: a 20 KB message written in random chunks arrives whole', async (t) => {
  const server = await listen(t);
  const inbound = collect(server);
  const client = await rawClient(t, server.localEndpoint('tcp')!.port);
  const body = 'y'.repeat(20_000);
  const bytes = Buffer.from(optionsRequest({ via: 'SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKbig', body }));
  const random = new SeededRandom(7);
  for (let offset = 0; offset < bytes.length;) {
    const size = 1 + (random.nextUint32() % 1500);
    client.socket.write(bytes.subarray(offset, offset + size));
    offset += size;
    await new Promise((resolve) => setImmediate(resolve));
  }
  await waitFor(() => inbound.length === 1);
  t.is(decodeUtf8(inbound[0]!.message.body), body);
});

test('TCP transport: double-CRLF keep-alive pings get CRLF pongs (RFC 5626 §3.5.1)', async (t) => {
  const server = await listen(t);
  const client = await rawClient(t, server.localEndpoint('tcp')!.port);
  client.socket.write('\r\n\r\n');
  await waitFor(() => client.data() === '\r\n');
  client.socket.write('\r\n\r\n\r\n\r\n');
  await waitFor(() => client.data() === '\r\n\r\n\r\n');
  t.pass();
});

test('TCP transport: a peer sending an endless header or no Content-Length is cut off alone; an oversized request is answered 513 and its connection kept', async (t) => {
  const server = await listen(t, { core: { parse: { ...DEFAULT_PARSE_OPTIONS, maxMessageBytes: 4_096 } } });
  const inbound = collect(server);
  const port = server.localEndpoint('tcp')!.port;
  const good = await rawClient(t, port);
  const endless = await rawClient(t, port);
  const oversized = await rawClient(t, port);
  const noLength = await rawClient(t, port);
  endless.socket.write('OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKendless\r\n');
  for (let i = 0; i < 100; i++) endless.socket.write(
    'X-Never-Ending: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n',
  );
  oversized.socket.write(
    `MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKbig\r\nCall-ID: big\r\nCSeq: 1 MESSAGE\r\nContent-Length: 50000\r\n\r\n${'x'.repeat(50_000)}`,
  );
  noLength.socket.write('OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\r\n');
  await waitFor(() => endless.closed() && noLength.closed(), 10_000, 'bad peers disconnected');
  await waitFor(() => /^SIP\/2\.0 513 Message Too Large\r\n/.test(oversized.data()), 10_000, 'the 513');
  t.regex(
    endless.data(), /^SIP\/2\.0 513 Message Too Large\r\n[\s\S]*branch=z9hG4bKendless/,
    'the endless header is answered before the close',
  );
  t.regex(oversized.data(), /Call-ID: big/);
  oversized.socket.write(optionsRequest({ via: 'SIP/2.0/TCP 127.0.0.1:5998;branch=z9hG4bKafter' }));
  good.socket.write(optionsRequest({ via: 'SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKgood' }));
  await waitFor(() => inbound.length === 2, 10_000, 'both good requests');
  t.false(good.closed());
  t.false(oversized.closed(), 'the oversized request did not cost the connection');
  const dropped = server.counters().dropped;
  t.is(dropped['Framing:TooLarge'], 1);
  t.is(dropped['TooLarge'], 2);
  t.is(dropped['Framing:MissingContentLength'], 1);
});

test('TCP transport: random byte streams from many peers never take the process down', async (t) => {
  const server = await listen(t);
  const inbound = collect(server);
  const port = server.localEndpoint('tcp')!.port;
  const random = new SeededRandom(31);
  const clients = await Promise.all(Array.from({ length: 20 }, () => rawClient(t, port)));
  for (let round = 0; round < 50; round++) {
    for (const client of clients) {
      if (client.closed()) continue;
      const bytes = Buffer.alloc(random.nextUint32() % 2000);
      for (let k = 0; k < bytes.length; k++) bytes[k] = random.nextUint32() & 0xff;
      client.socket.write(bytes);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const fresh = await rawClient(t, port);
  fresh.socket.write(optionsRequest({ via: 'SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKafter' }));
  await waitFor(() => inbound.some((m) => m.source.port === fresh.socket.localPort));
  const c = server.counters();
  t.is(
    c.received + Object.entries(c.dropped).filter(([k]) => !k.startsWith('Framing') && k !== 'ConnectionError').reduce(
      (n, [, v]) => n + v, 0,
    ),
    c.inbound,
  );
});

test('TCP transport: idle connections are closed after the idle timeout', async (t) => {
  const server = await listen(t, { idleTimeoutMs: 100 });
  const client = await rawClient(t, server.localEndpoint('tcp')!.port);
  await waitFor(() => server.connectionCount() === 1);
  await waitFor(() => client.closed(), 3_000, 'idle close');
  await waitFor(() => server.connectionCount() === 0);
  t.pass();
});

test('TCP transport: connecting to a closed port fails as a value', async (t) => {
  const server = await listen(t);
  const probe = await listen(t);
  const port = probe.localEndpoint('tcp')!.port;
  await probe.close();
  const result = await server.sendBytes(new Uint8Array([1]), endpoint('tcp', '127.0.0.1', port));
  t.true(E.isLeft(result) && result.left.reason === 'ConnectFailed');
});

test('MultiTransport: a request above 1,300 bytes aimed at UDP goes over TCP (§18.1.1); small ones stay on UDP', async (
  t,
) => {
  const [udpA, tcpA, udpB, tcpB] = [
    right(t, await UdpSipTransport.listen({ host: '127.0.0.1', port: 0 })),
    right(t, await TcpSipTransport.listen({ host: '127.0.0.1', port: 0 })),
    right(t, await UdpSipTransport.listen({ host: '127.0.0.1', port: 0 })),
    right(t, await TcpSipTransport.listen({ host: '127.0.0.1', port: 0 })),
  ];
  // Both sides listen on the same port number for UDP and TCP, as a SIP element would.
  const a = new MultiTransport([udpA, tcpA]);
  const b = new MultiTransport([udpB, tcpB]);
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const atB: InboundMessage[] = [];
  b.onMessage((m) => atB.push(m));
  const big = right(t, parseMessage(optionsRequest({ body: 'z'.repeat(2_000) })));
  const small = right(t, parseMessage(optionsRequest()));
  const tcpTarget = endpoint('udp', '127.0.0.1', tcpB.localEndpoint('tcp')!.port);
  const used = right(t, await a.send(big, tcpTarget));
  t.is(used.protocol, 'tcp');
  await waitFor(() => atB.length === 1);
  t.is(right(t, getTopVia(atB[0]!.message)).transport, 'TCP');
  t.is(right(t, await a.send(small, b.localEndpoint('udp')!)).protocol, 'udp');
  await waitFor(() => atB.length === 2);
  t.is(right(t, getTopVia(atB[1]!.message)).transport, 'UDP');
  t.deepEqual(a.protocols, ['udp', 'tcp']);
  t.is(b.counters().received, 2);
});

test('TCP transport: connections beyond the per-address cap and the total cap are refused at once and counted; a closed one frees its place', async (t) => {
  const server = await listen(t, { maxConnectionsPerAddress: 2, maxConnections: 3 });
  const port = server.localEndpoint('tcp')!.port;
  const first = await rawClient(t, port);
  const second = await rawClient(t, port);
  await waitFor(() => server.connectionCount() === 2, 10_000, 'two connections adopted');
  const third = await rawClient(t, port);
  await waitFor(() => third.closed(), 10_000, 'the third from one address refused');
  t.false(first.closed() || second.closed());
  t.is(server.counters().dropped['ConnectionLimit'], 1);
  first.socket.destroy();
  await waitFor(() => server.connectionCount() === 1, 10_000, 'the first released');
  const again = await rawClient(t, port);
  await waitFor(() => server.connectionCount() === 2, 10_000, 'a new one from the same address fits again');
  t.false(again.closed());
  // The total cap counts our own outgoing connections too.
  const other = await listen(t);
  right(
    t,
    await server.send(
      right(t, parseMessage(optionsRequest({ via: 'SIP/2.0/TCP x.invalid;branch=z9hG4bKcap' }))),
      other.localEndpoint('tcp')!,
    ),
  );
  await waitFor(() => server.connectionCount() === 3, 10_000, 'three open');
  const overTotal = await rawClient(t, port);
  await waitFor(() => overTotal.closed(), 10_000, 'refused beyond the total');
  t.is(server.counters().dropped['ConnectionLimit'], 2);
});

test('TCP transport: a connection with no traffic is closed after the idle timeout', async (t) => {
  const server = await listen(t, { idleTimeoutMs: 300 });
  const client = await rawClient(t, server.localEndpoint('tcp')!.port);
  await waitFor(() => server.connectionCount() === 1, 10_000, 'adopted');
  await waitFor(() => client.closed(), 30_000, 'closed for idleness');
  await waitFor(() => server.connectionCount() === 0, 10_000, 'released');
  t.pass();
});
