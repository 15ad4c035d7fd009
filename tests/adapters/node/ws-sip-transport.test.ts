import { connect } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import WebSocket from 'ws';
import { WsSipTransport, type WsListenOptions } from '../../../adapters/node/ws-sip-transport.js';
import { buildResponse } from '../../../domain/sip/build-response.js';
import { getTopVia } from '../../../domain/sip/core-headers.js';
import type { SipRequest } from '../../../domain/sip/message.js';
import { endpoint } from '../../../domain/transport/endpoint.js';
import type { ClosedFlow, InboundMessage } from '../../../ports/sip-transport.js';
import { createAuthority } from '../../../examples/support/certificates.js';
import { left, right } from '../../support/either.js';
import { optionsRequest } from '../../support/sip-text.js';
import { waitFor } from '../../support/wait.js';

const listen = async (t: ExecutionContext, options: Partial<WsListenOptions> = {}): Promise<WsSipTransport> => {
  const transport = right(t, await WsSipTransport.listen({ host: '127.0.0.1', port: 0, ...options }));
  t.teardown(() => transport.close());
  return transport;
};

const collect = (transport: WsSipTransport): InboundMessage[] => {
  const inbound: InboundMessage[] = [];
  transport.onMessage((m) => inbound.push(m));
  return inbound;
};

interface Client {
  readonly socket: WebSocket;
  readonly frames: string[];
  readonly closed: () => number | undefined;
}

/** A WebSocket client as a browser's SIP library opens it: the `sip` subprotocol unless told otherwise. */
const client = async (
  t: ExecutionContext, url: string, options: { protocols?: string[]; origin?: string; ca?: string } = {},
): Promise<Client> => {
  const socket = new WebSocket(url, options.protocols ?? ['sip'], {
    ...(options.origin === undefined ? {} : { origin: options.origin }), ...(options.ca === undefined ? {} : {
      ca: options.ca,
    }),
  });
  const frames: string[] = [];
  let code: number | undefined;
  socket.on('message', (data) => frames.push(String(data)));
  socket.on('close', (c) => (code = c));
  socket.on('error', () => undefined);
  t.teardown(() => socket.terminate());
  await new Promise<void>((resolve) => {
    socket.once('open', () => resolve());
    socket.once('close', () => resolve());
    socket.once('unexpected-response', () => resolve());
  });
  return { socket, frames, closed: () => code };
};

/** The HTTP status a refused upgrade got. */
const refusedWith = (url: string, protocols: string[], origin?: string): Promise<number> => new Promise((resolve) => {
  const socket = new WebSocket(url, protocols, origin === undefined ? {} : { origin });
  socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
  socket.on('open', () => resolve(101));
  socket.on('error', () => undefined);
});

const browserOptions = (host: string, branch: string): string => optionsRequest({
  via: `SIP/2.0/WSS ${host};branch=z9hG4bK${branch}`,
}).replace('Max-Forwards: 70', `Max-Forwards: 70\r\nContact: <sip:u@${host};transport=ws>`);

test('WS transport: a frame is a message, its response goes back over the connection, Via says WS', async (t) => {
  const server = await listen(t);
  const inbound = collect(server);
  const c = await client(t, server.url());
  t.is(c.socket.protocol, 'sip', 'the sip subprotocol is agreed (RFC 7118 §4.1)');
  c.socket.send(browserOptions('df7jal23ls0d.invalid', 'w1'));
  await waitFor(() => inbound.length === 1);
  const request = inbound[0]!.message as SipRequest;
  t.is(inbound[0]!.source.protocol, 'ws');
  t.truthy(inbound[0]!.connectionId);
  t.deepEqual(server.flowHosts(), ['df7jal23ls0d.invalid'], 'the client is known by its .invalid host');
  right(t, await server.send(buildResponse(request, 200), endpoint('ws', 'df7jal23ls0d.invalid', 0)));
  await waitFor(() => c.frames.length === 1);
  t.regex(c.frames[0]!, /^SIP\/2\.0 200 OK\r\n/);
  // A request we send names us in a WS Via.
  const ours = { ...request, headers: request.headers.filter((h) => h.name !== 'Contact') };
  right(t, await server.send(ours, endpoint('ws', 'df7jal23ls0d.invalid', 0)));
  await waitFor(() => c.frames.length === 2);
  t.regex(c.frames[1]!, /Via: SIP\/2\.0\/WS 127\.0\.0\.1:\d+;branch=z9hG4bKw1/);
  t.is(server.counters().sent, 2);
});

test('WS transport: a closed connection ends its flow — reported once, its hosts unreachable', async (t) => {
  const server = await listen(t);
  const inbound = collect(server);
  const closed: ClosedFlow[] = [];
  server.onFlowClosed((flow) => closed.push(flow));
  const c = await client(t, server.url());
  c.socket.send(browserOptions('abc123.invalid', 'w2'));
  await waitFor(() => inbound.length === 1);
  c.socket.close();
  await waitFor(() => closed.length === 1);
  t.deepEqual(closed[0]!.hosts, ['abc123.invalid']);
  t.is(closed[0]!.connectionId, inbound[0]!.connectionId!);
  t.is(server.connectionCount(), 0);
  t.deepEqual(server.flowHosts(), []);
  const lost = left(t, await server.send(buildResponse(inbound[0]!.message as SipRequest, 200),
    endpoint('ws', 'abc123.invalid', 0)));
  t.is(lost.reason, 'ConnectFailed');
  t.is(server.counters().dropped['FlowClosed'], 1);
});

test('WS transport: a .invalid host stays with the connection that named it first; one connection claims a few at most',
  async (t) => {
    const server = await listen(t);
    const inbound = collect(server);
    const owner = await client(t, server.url());
    owner.socket.send(browserOptions('owner1.invalid', 'o1'));
    await waitFor(() => inbound.length === 1);
    const thief = await client(t, server.url());
    thief.socket.send(browserOptions('owner1.invalid', 'o2'));
    for (let i = 0; i < 12; i++) thief.socket.send(browserOptions(`many${i}.invalid`, `m${i}`));
    await waitFor(() => inbound.length === 14);
    right(t, await server.send(buildResponse(inbound[0]!.message as SipRequest, 200), endpoint('ws', 'owner1.invalid', 0)));
    await waitFor(() => owner.frames.length === 1);
    t.is(thief.frames.length, 0, 'the second claimant did not take the host');
    t.is(server.counters().dropped['FlowHostTaken'], 1);
    t.is(server.counters().dropped['TooManyFlowHosts'], 12 - 8);
    t.is(server.flowHosts().length, 1 + 8);
  });

test('WS transport: upgrades without the sip subprotocol, on another path or from a foreign origin are refused',
  async (t) => {
    const server = await listen(t, { path: '/sip', allowedOrigins: ['https://phone.example'] });
    const url = server.url();
    t.true(url.endsWith('/sip'));
    t.is(await refusedWith(url, ['chat']), 400, 'no sip subprotocol');
    t.is(await refusedWith(url.replace('/sip', '/other'), ['sip']), 404);
    t.is(await refusedWith(url, ['sip'], 'https://evil.example'), 403);
    t.is(await refusedWith(url, ['sip'], 'https://phone.example'), 101);
    const dropped = server.counters().dropped;
    t.is(dropped['WrongSubprotocol'], 1);
    t.is(dropped['WrongPath'], 1);
    t.is(dropped['OriginRefused'], 1);
  });

test('WS transport: garbage is answered or dropped and counted, a frame too large closes with 1009', async (t) => {
  const server = await listen(t);
  const inbound = collect(server);
  const c = await client(t, server.url());
  c.socket.send('hello, this is not SIP');
  c.socket.send('OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/WS h.invalid;branch=z9hG4bKbad\r\nCSeq: nonsense\r\n\r\n');
  await waitFor(() => c.frames.length === 1);
  t.regex(c.frames[0]!, /^SIP\/2\.0 400 /, 'a request that can be answered gets 400 (§21.4.1)');
  c.socket.send('\r\n\r\n');
  await waitFor(() => c.frames.length === 2);
  t.is(c.frames[1], '\r\n', 'a double-CRLF keep-alive gets its CRLF');
  c.socket.send('X'.repeat(70_000));
  await waitFor(() => c.closed() !== undefined);
  t.is(c.closed(), 1009);
  await waitFor(() => server.counters().dropped['TooLarge'] === 1);
  t.is(inbound.length, 0);
  const dropped = server.counters().dropped;
  t.is(dropped['Unparsable'], 2);
  t.is(server.connectionCount(), 0);
});

test('WS transport: connections beyond the per-address cap are refused at the door', async (t) => {
  const server = await listen(t, { maxConnectionsPerAddress: 2 });
  const a = await client(t, server.url());
  const b = await client(t, server.url());
  t.is(a.socket.readyState, WebSocket.OPEN);
  t.is(b.socket.readyState, WebSocket.OPEN);
  const third = await client(t, server.url());
  t.not(third.socket.readyState, WebSocket.OPEN);
  t.is(server.counters().dropped['ConnectionLimit'], 1);
  t.is(server.connectionCount(), 2);
});

test('WS transport: a peer that stops answering pings is dropped and its flow reported', async (t) => {
  const server = await listen(t, { pingIntervalMs: 100 });
  const closed: ClosedFlow[] = [];
  server.onFlowClosed((flow) => closed.push(flow));
  const socket = new WebSocket(server.url(), ['sip'], { autoPong: false });
  socket.on('error', () => undefined);
  t.teardown(() => socket.terminate());
  await new Promise((resolve) => socket.once('open', resolve));
  await waitFor(() => closed.length === 1);
  t.true((server.counters().dropped['KeepAliveTimeout'] ?? 0) >= 1);
});

test('WS transport: a slow reader meets Backpressure, memory stays bounded', async (t) => {
  const server = await listen(t, { maxQueuedBytes: 64 * 1024 });
  const inbound = collect(server);
  // A raw client that completes the handshake, then never reads.
  const raw = connect({ host: '127.0.0.1', port: server.localEndpoint('ws')!.port });
  t.teardown(() => raw.destroy());
  await new Promise((resolve) => raw.once('connect', resolve));
  raw.pause();
  raw.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
    + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n\r\n');
  // A masked text frame carrying the OPTIONS (clients must mask, RFC 6455 §5.3).
  const payload = Buffer.from(browserOptions('slow.invalid', 'w9'));
  const mask = Buffer.from([1, 2, 3, 4]);
  const header = Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  raw.write(Buffer.concat([header, mask, payload.map((b, i) => b ^ mask[i % 4]!)]));
  await waitFor(() => inbound.length === 1);
  const big = { ...(inbound[0]!.message as SipRequest), body: new Uint8Array(60_000) };
  // Sends not awaited, as a busy server makes them: the kernel's buffers fill, then ours up to the cap.
  const sends = Array.from({ length: 400 }, () => server.send(big, endpoint('ws', 'slow.invalid', 0)));
  await waitFor(() => (server.counters().dropped['Backpressure'] ?? 0) > 0);
  raw.destroy();
  const results = await Promise.all(sends);
  const refused = results.filter((r) => r._tag === 'Left' && r.left.reason === 'Backpressure').length;
  t.true(refused > 0, 'sends fail once the queue to the slow peer is full');
  t.true(results.length - refused < 400);
});

test('WSS transport: TLS with our certificate; the client verifies it', async (t) => {
  const ca = createAuthority();
  const leaf = ca.issue({ commonName: 'localhost', names: ['localhost', '127.0.0.1'] });
  const server = await listen(t, { tls: { ...leaf, ca: ca.cert } });
  t.true(server.url().startsWith('wss://'));
  const inbound = collect(server);
  const c = await client(t, server.url(), { ca: ca.cert });
  c.socket.send(browserOptions('secure1.invalid', 'w5'));
  await waitFor(() => inbound.length === 1);
  t.is(inbound[0]!.source.protocol, 'wss');
  t.is(right(t, getTopVia(inbound[0]!.message)).transport, 'WSS');
  const untrusting = await client(t, server.url());
  t.not(untrusting.socket.readyState, WebSocket.OPEN, 'a client without our authority refuses us');
});

test('WSS transport: with requireClientCert, a client without a certificate from our authority is refused', async (t) => {
  const ca = createAuthority();
  const leaf = ca.issue({ commonName: 'localhost', names: ['localhost', '127.0.0.1'] });
  const server = await listen(t, { tls: { ...leaf, ca: ca.cert, requireClientCert: true } });
  const anonymous = await client(t, server.url(), { ca: ca.cert });
  t.not(anonymous.socket.readyState, WebSocket.OPEN);
  const phone = ca.issue({ commonName: 'phone', names: ['phone.example'] });
  const socket = new WebSocket(server.url(), ['sip'], { ca: ca.cert, cert: phone.cert, key: phone.key });
  t.teardown(() => socket.terminate());
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  t.is(socket.protocol, 'sip');
});

test('WS transport: as a client it connects to another server with the sip subprotocol', async (t) => {
  const a = await listen(t);
  const b = await listen(t);
  const atB = collect(b);
  const request = optionsRequest({ via: 'SIP/2.0/WS placeholder;branch=z9hG4bKc1' });
  const parsed = (await import('../../../domain/sip/parse-message.js')).parseMessage(new TextEncoder().encode(request));
  right(t, await a.send(right(t, parsed), b.localEndpoint('ws')!));
  await waitFor(() => atB.length === 1);
  t.is(right(t, getTopVia(atB[0]!.message)).port, a.localEndpoint('ws')!.port);
  t.is(a.connectionCount(), 1);
});
