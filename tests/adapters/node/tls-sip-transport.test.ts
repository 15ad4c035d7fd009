import { connect, type Socket } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { TlsSipTransport, type TlsMaterial } from '../../../adapters/node/tls-sip-transport.js';
import type { StreamListenOptions, StreamSipTransport } from '../../../adapters/node/stream-sip-transport.js';
import { buildResponse } from '../../../domain/sip/build-response.js';
import { getTopVia } from '../../../domain/sip/core-headers.js';
import type { SipRequest } from '../../../domain/sip/message.js';
import { parseMessage } from '../../../domain/sip/parse-message.js';
import type { InboundMessage } from '../../../ports/sip-transport.js';
import { createAuthority, selfSigned } from '../../../examples/support/certificates.js';
import { left, right } from '../../support/either.js';
import { optionsRequest } from '../../support/sip-text.js';
import { waitFor } from '../../support/wait.js';

const ca = createAuthority();
const localhost = ca.issue({ commonName: 'localhost', names: ['localhost', '127.0.0.1'] });

const listen = async (
  t: ExecutionContext, material: Partial<TlsMaterial> = {}, options: Partial<StreamListenOptions> = {},
): Promise<StreamSipTransport> => {
  const transport = right(t, await TlsSipTransport.listen(
    { host: '127.0.0.1', port: 0, ...options }, { ...localhost, ca: ca.cert, ...material },
  ));
  t.teardown(() => transport.close());
  return transport;
};

const collect = (transport: StreamSipTransport): InboundMessage[] => {
  const inbound: InboundMessage[] = [];
  transport.onMessage((m) => inbound.push(m));
  return inbound;
};

const request = (t: ExecutionContext, branch: string): SipRequest =>
  right(t, parseMessage(optionsRequest({ via: `SIP/2.0/TLS x.invalid;branch=z9hG4bK${branch}` }))) as SipRequest;

const rawClient = async (t: ExecutionContext, port: number): Promise<{ socket: Socket; closed: () => boolean }> => {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  t.teardown(() => socket.destroy());
  return { socket, closed: () => closed };
};

test('TLS transport: a request and its response cross one verified connection, reused both ways; Via says TLS', async (t) => {
  const a = await listen(t);
  const b = await listen(t);
  const atA = collect(a);
  const atB = collect(b);
  right(t, await a.send(request(t, 'tls1'), b.localEndpoint('tls')!));
  await waitFor(() => atB.length === 1, 10_000, 'the request at b');
  const inbound = atB[0]!;
  t.is(inbound.source.protocol, 'tls');
  const via = right(t, getTopVia(inbound.message));
  t.is(via.transport, 'TLS');
  t.is(via.port, a.localEndpoint('tls')!.port, 'sent-by names the listening port');
  right(t, await b.send(buildResponse(inbound.message as SipRequest, 200), inbound.source, inbound.connectionId));
  await waitFor(() => atA.length === 1, 10_000, 'the response at a');
  t.is(atA[0]!.message.kind, 'response');
  right(t, await b.send(request(t, 'tls2'), inbound.source));
  await waitFor(() => atA.length === 2, 10_000, 'b\'s own request at a, on the same connection');
  t.is(a.connectionCount(), 1);
  t.is(b.connectionCount(), 1);
  t.deepEqual(a.protocols, ['tls']);
});

test('TLS transport: with verification on, a self-signed, an expired or a wrongly named certificate fails the send with TlsFailed naming the reason; nothing stays open', async (t) => {
  const client = await listen(t);
  const cases: ReadonlyArray<[string, Partial<TlsMaterial>, RegExp]> = [
    ['self-signed', selfSigned({ commonName: 'lab', names: ['127.0.0.1'] }), /self[- ]signed/i],
    ['expired', ca.issue({
      commonName: 'old', names: ['127.0.0.1'], notBeforeMs: Date.now() - 2 * 86_400_000,
      notAfterMs: Date.now() - 86_400_000,
    }), /expired/i],
    ['wrong name', ca.issue({ commonName: 'elsewhere', names: ['sip.elsewhere.example'] }), /altnames|does not match/i],
  ];
  for (const [label, material, reason] of cases) {
    const server = await listen(t, material);
    const sent = left(t, await client.send(request(t, label.replace(/\W/g, '')), server.localEndpoint('tls')!));
    t.is(sent.reason, 'TlsFailed', label);
    t.regex(sent.detail, reason, label);
    t.is(client.connectionCount(), 0, `${label}: no connection kept`);
  }
  t.true((client.counters().dropped['TlsFailed'] ?? 0) >= 3);
});

test('TLS transport: verifyPeer false accepts a self-signed server (the explicit opt-out for labs)', async (t) => {
  const lab = await listen(t, selfSigned({ commonName: 'lab', names: ['127.0.0.1'] }));
  const atLab = collect(lab);
  const client = await listen(t, { verifyPeer: false });
  right(t, await client.send(request(t, 'insecure'), lab.localEndpoint('tls')!));
  await waitFor(() => atLab.length === 1, 10_000, 'the request delivered');
  t.is(atLab[0]!.source.protocol, 'tls');
});

test('TLS transport: plaintext SIP on the TLS port and a handshake that never finishes are counted and closed; the transport carries on', async (t) => {
  const server = await listen(t, {}, {});
  const port = server.localEndpoint('tls')!.port;
  const plain = await rawClient(t, port);
  plain.socket.write(`${optionsRequest({ via: 'SIP/2.0/TCP x.invalid;branch=z9hG4bKplain' })}`);
  await waitFor(() => plain.closed(), 10_000, 'the plaintext peer closed');
  const stalled = right(t, await TlsSipTransport.listen(
    { host: '127.0.0.1', port: 0 }, { ...localhost, ca: ca.cert, handshakeTimeoutMs: 300 },
  ));
  t.teardown(() => stalled.close());
  const silent = await rawClient(t, stalled.localEndpoint('tls')!.port);
  await waitFor(() => silent.closed(), 10_000, 'the silent peer closed after the handshake timeout');
  t.is(server.counters().dropped['HandshakeFailed'], 1);
  t.is(stalled.counters().dropped['HandshakeFailed'], 1);
  await waitFor(() => server.pendingAndOpenIncoming() === 0 && stalled.pendingAndOpenIncoming() === 0, 10_000, 'none left');
  // Still serving.
  const client = await listen(t);
  const atServer = collect(server);
  right(t, await client.send(request(t, 'after'), server.localEndpoint('tls')!));
  await waitFor(() => atServer.length === 1, 10_000, 'a real client served afterwards');
});

test('TLS transport: a flood of half-open connections is capped per address before any handshake; all are released', async (t) => {
  const server = await listen(t, { handshakeTimeoutMs: 60_000 }, { maxConnectionsPerAddress: 10 });
  const port = server.localEndpoint('tls')!.port;
  const clients = await Promise.all(Array.from({ length: 40 }, () => rawClient(t, port)));
  await waitFor(() => clients.filter((c) => c.closed()).length === 30, 10_000, '30 refused');
  t.is(server.counters().dropped['ConnectionLimit'], 30);
  t.is(server.pendingAndOpenIncoming(), 10);
  for (const c of clients) c.socket.destroy();
  await waitFor(() => server.pendingAndOpenIncoming() === 0, 10_000, 'every half-open connection released');
  t.is(server.connectionCount(), 0);
});

test('TLS transport: mutual TLS refuses a client without a certificate from the authority and serves one with', async (t) => {
  const server = await listen(t, { requireClientCert: true });
  const atServer = collect(server);
  const stranger = await listen(t, selfSigned({ commonName: 'stranger', names: ['127.0.0.1'] }));
  const refused = await stranger.send(request(t, 'mtls1'), server.localEndpoint('tls')!);
  // TLS 1.3 completes the client's side before the server refuses: the refusal shows as a failed send or a
  // connection the server closes without reading anything.
  await waitFor(() => (server.counters().dropped['HandshakeFailed'] ?? 0) === 1, 10_000, 'the stranger refused');
  t.is(atServer.length, 0, `nothing from the stranger reached the server (${JSON.stringify(refused)})`);
  const member = await listen(t);
  right(t, await member.send(request(t, 'mtls2'), server.localEndpoint('tls')!));
  await waitFor(() => atServer.length === 1, 10_000, 'the certified client served');
});
