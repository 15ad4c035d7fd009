import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import * as E from 'fp-ts/lib/Either.js';
import { UdpSipTransport } from '../../adapters/node/udp-sip-transport.js';
import { encodeUtf8 } from '../../domain/sip/text-codec.js';
import { INVITE_ASTERISK } from '../fixtures/sip/messages.js';
import { report } from './bench-util.js';

/** Datagrams per second through the UDP adapter on loopback: kernel send + receive + parse + deliver. */
export const run = async (): Promise<void> => {
  const listened = await UdpSipTransport.listen({ host: '127.0.0.1', port: 0 });
  if (E.isLeft(listened)) throw new Error(listened.left.detail);
  const transport = listened.right;
  let received = 0;
  transport.onMessage(() => received++);
  const client = createSocket('udp4');
  await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
  const bytes = encodeUtf8(
    INVITE_ASTERISK.replace('Via: SIP/2.0/UDP 192.0.2.10:5060;rport', 'Via: SIP/2.0/UDP 127.0.0.1:5060;rport'),
  );
  const port = transport.localEndpoint('udp')!.port;
  const total = 50_000;
  const window = 200; // keep at most this many in flight so the kernel does not drop
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    while (sent - received < window && sent < total) {
      client.send(bytes, port, '127.0.0.1');
      sent++;
    }
    await new Promise((resolve) => setImmediate(resolve));
    if (performance.now() - start > 20_000) break;
  }
  while (received < sent && performance.now() - start < 25_000) await new Promise((resolve) => setImmediate(resolve));
  report({
    name: `UDP transport: ${bytes.length}-byte INVITEs received+parsed on loopback`, ops: received,
    elapsedMs: performance.now() - start,
  });
  const c = transport.counters();
  console.log(`  (sent ${sent}, delivered ${c.received}, dropped ${JSON.stringify(c.dropped)})`);
  await new Promise<void>((resolve) => client.close(() => resolve()));
  await transport.close();
};
