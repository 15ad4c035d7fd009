/**
 * The /events stream under load: a reading client gets 10,000 events in a second in order and loses
 * none; a client that stops reading costs a bounded amount (its socket up to the high-water mark, then its
 * queue) and everything beyond is dropped and counted.
 */
import net from 'node:net';
import test from 'ava';
import { SessionManagerBuilder, type HttpServer, type SessionEvent } from '../../../adapters/composition/index.js';
import { eventLog } from '../../support/control-client.js';
import { waitFor } from '../../support/wait.js';

const QUEUE = 256;
const HIGH_WATER = 64 * 1024;

/** A WebSocket client that completes the handshake and then never reads. */
const stalledClient = async (port: number): Promise<net.Socket> => {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write('GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
    + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.pause();
  return socket;
};

/** Publishes `count` events at about 10,000 a second: 100 per timer tick, as a busy server would. */
const publish = async (bus: { publish(e: SessionEvent): void }, from: number, count: number): Promise<void> => {
  for (let sent = from; sent < from + count;) {
    for (let i = 0; i < 100; i++, sent++) bus.publish({ type: 'DtmfReceived', sessionId: `sess-${sent}`, digit: '5' });
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
};

test('10,000 events/s reach a reading client in order; a stalled one is held to its queue and counted', async (t) => {
  let server: HttpServer | undefined;
  const coordinator = await new SessionManagerBuilder().withSipPort(0).withLocalAddress('127.0.0.1')
    .withHttp({
      host: '127.0.0.1', port: 0, events: { queue: QUEUE, highWaterBytes: HIGH_WATER },
      onListening: (s) => (server = s),
    })
    .build();
  t.teardown(() => coordinator.stop());
  const port = server!.port;
  const stream = server!.eventStream;

  const reader = await eventLog(`ws://127.0.0.1:${port}`, '?type=DtmfReceived');
  const TOTAL = 10_000;
  await publish(coordinator.events, 0, TOTAL);
  await waitFor(() => reader.received.length === TOTAL, 30_000, 'every event at the reading client');
  t.deepEqual(reader.received.slice(0, 3).map((e) => (e.event as { sessionId: string }).sessionId),
    ['sess-0', 'sess-1', 'sess-2']);
  t.true(reader.received.every((e, i) => i === 0 || e.seq > reader.received[i - 1]!.seq), 'in order');
  t.is(reader.received.at(-1)!.dropped, 0);
  t.is(stream.dropped, 0);
  reader.close();
  await waitFor(() => stream.clientCount === 0, 10_000, 'the reader gone');

  // A client that never reads: the kernel's socket buffers take the first megabytes, then ws holds up to the
  // high-water mark and the bus queue QUEUE events; from then on every new event drops the oldest.
  const stalled = await stalledClient(port);
  t.teardown(() => stalled.destroy());
  await waitFor(() => stream.clientCount === 1, 10_000, 'the stalled client');
  let published = TOTAL;
  while (stream.dropped === 0) {
    if (published > 500_000) return t.fail('nothing dropped after 500,000 events: the client is not held back');
    await publish(coordinator.events, published, 1_000);
    published += 1_000;
  }
  const before = stream.dropped;
  await publish(coordinator.events, published, TOTAL);
  const more = stream.dropped - before;
  t.true(more >= TOTAL - 10, `${more} of the last ${TOTAL} dropped: nothing more is held`);
  const exposition = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  t.regex(exposition, new RegExp(`^sessioncore_event_stream_dropped_total ${stream.dropped}$`, 'm'));
  t.regex(exposition, /^sessioncore_event_stream_clients 1$/m);
  t.log(`stalled client: the first drop after ${published - TOTAL} events; then ${more} of ${TOTAL} dropped`);
});
