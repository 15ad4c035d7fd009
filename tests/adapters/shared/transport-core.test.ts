import { createSocket } from 'node:dgram';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { InMemoryLogger } from '../../../adapters/memory/in-memory-logger.js';
import { UdpSipTransport } from '../../../adapters/node/udp-sip-transport.js';
import { TransportCore } from '../../../adapters/shared/transport-core.js';
import { SimulatedNetwork } from '../../../adapters/sim/simulated-network.js';
import { SimulatedSipTransport } from '../../../adapters/sim/simulated-sip-transport.js';
import { VirtualClock } from '../../../adapters/sim/virtual-clock.js';
import { DEFAULT_PARSE_OPTIONS } from '../../../domain/sip/parse-message.js';
import { endpoint } from '../../../domain/transport/endpoint.js';
import { waitFor } from '../../support/wait.js';

const GARBAGE = new TextEncoder().encode('this is not SIP\r\n\r\n');
const dropLines = (logger: InMemoryLogger) => logger.lines.filter((l) => l.message === 'transport dropped a packet');

test('transport core: every drop is counted; the 1st, 10th and 100th of a reason are logged with the count and source', (t) => {
  const logger = new InMemoryLogger();
  const core = new TransportCore({ parse: DEFAULT_PARSE_OPTIONS, logger }, () => undefined);
  core.setHandler(() => undefined);
  const source = endpoint('udp', '192.0.2.7', 5099);
  for (let i = 0; i < 150; i++) core.receive(GARBAGE, source, endpoint('udp', '127.0.0.1', 5060));
  t.deepEqual(core.counters(0).dropped, { Unparsable: 150 });
  const lines = dropLines(logger);
  t.deepEqual(lines.map((l) => l.fields['count']), [1, 10, 100]);
  t.is(lines[0]!.level, 'warn');
  t.is(lines[0]!.fields['from'], 'udp:192.0.2.7:5099');
});

test('transport core: the UDP adapter logs its drops through the logger it was given', async (t) => {
  const logger = new InMemoryLogger();
  const listened = await UdpSipTransport.listen({
    host: '127.0.0.1', port: 0, core: { parse: DEFAULT_PARSE_OPTIONS, logger },
  });
  if (E.isLeft(listened)) return t.fail(listened.left.detail);
  const transport = listened.right;
  const sender = createSocket('udp4');
  t.teardown(async () => {
    sender.close();
    await transport.close();
  });
  transport.onMessage(() => undefined);
  sender.send(GARBAGE, transport.localEndpoint('udp')!.port, '127.0.0.1');
  await waitFor(() => dropLines(logger).length === 1, 10_000, 'the drop logged');
  t.regex(String(dropLines(logger)[0]!.fields['from']), /^udp:127\.0\.0\.1:\d+$/);
});

test('transport core: the simulated adapter logs its drops the same way', async (t) => {
  const logger = new InMemoryLogger();
  const network = new SimulatedNetwork(new VirtualClock(), { seed: 5 });
  const bound = SimulatedSipTransport.listen(
    network, { host: '10.0.0.1', port: 5060, core: { parse: DEFAULT_PARSE_OPTIONS, logger } },
  );
  if (E.isLeft(bound)) return t.fail(bound.left.detail);
  bound.right.onMessage(() => undefined);
  const other = SimulatedSipTransport.listen(network, { host: '10.0.0.2', port: 5060 });
  if (E.isLeft(other)) return t.fail(other.left.detail);
  await other.right.sendBytes(GARBAGE, endpoint('udp', '10.0.0.1', 5060));
  await network.clock.runUntilIdle(10_000);
  t.is(dropLines(logger).length, 1);
  t.is(dropLines(logger)[0]!.fields['from'], 'udp:10.0.0.2:5060');
});
