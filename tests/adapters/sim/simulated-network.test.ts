import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { SimulatedNetwork, type LinkImpairment } from '../../../adapters/sim/simulated-network.js';
import { VirtualClock } from '../../../adapters/sim/virtual-clock.js';
import { right } from '../../support/either.js';
import { announceSeed, simSeeds } from '../../support/sim-seed.js';

const bytesOf = (n: number): Uint8Array => new TextEncoder().encode(`MSG ${n}\r\n`);
const numberOf = (b: Uint8Array): number => Number(new TextDecoder().decode(b).slice(4).trim());

/** Sends `count` datagrams a → b, one per ms, runs to idle; returns the received numbers and the network. */
const blast = (seed: number, count: number, link: Partial<LinkImpairment>) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed, link });
  const received: number[] = [];
  const sender = network.bindDatagram('10.0.0.1', 5060, () => undefined);
  const receiver = network.bindDatagram('10.0.0.2', 5060, (bytes) => received.push(numberOf(bytes)));
  if (E.isLeft(sender) || E.isLeft(receiver)) throw new Error('bind failed');
  for (let i = 0; i < count; i++) clock.schedule(
    i, () => sender.right.send(bytesOf(i), { host: '10.0.0.2', port: 5060 }),
  );
  clock.runUntilIdleSync();
  sender.right.close();
  receiver.right.close();
  return { received, network, clock };
};

for (const seed of simSeeds([1, 2])) {
  test(`simulated network (seed ${seed}): the same seed gives a byte-identical trace; another seed a different one`, (
    t,
  ) => {
    announceSeed(t, seed);
    const link = { oneWayDelayMinMs: 5, oneWayDelayMeanMs: 20, lossRatio: 0.2, duplicateRatio: 0.1 };
    const first = blast(seed, 500, link).network.trace;
    const again = blast(seed, 500, link).network.trace;
    const other = blast(seed + 1000, 500, link).network.trace;
    t.is(first.toString(), again.toString());
    t.is(first.digest(), again.digest());
    t.not(first.toString(), other.toString());
    t.true(first.lines.length > 1000);
  });

  test(`simulated network (seed ${seed}): 30 % loss is measured within tolerance over 10,000 datagrams`, (t) => {
    announceSeed(t, seed);
    const { received, network, clock } = blast(seed, 10_000, { lossRatio: 0.3 });
    const ratio = 1 - received.length / 10_000;
    t.true(Math.abs(ratio - 0.3) < 0.02, `measured loss ${ratio}`);
    t.is(network.stats()['dropped:loss'], 10_000 - received.length);
    t.is(clock.pendingTimers(), 0);
    t.is(network.openSockets(), 0);
  });

  test(`simulated network (seed ${seed}): an exponential delay part reorders datagrams; a fixed delay never does`, (
    t,
  ) => {
    announceSeed(t, seed);
    const inversions = (xs: number[]): number => xs.reduce(
      (n, x, i) => n + (i > 0 && x < (xs[i - 1] as number) ? 1 : 0), 0,
    );
    const jittery = blast(seed, 1000, { oneWayDelayMinMs: 10, oneWayDelayMeanMs: 30 });
    t.true(inversions(jittery.received) > 100, `only ${inversions(jittery.received)} reorderings`);
    t.is(jittery.received.length, 1000);
    const steady = blast(seed, 1000, { oneWayDelayMinMs: 10 });
    t.is(inversions(steady.received), 0);
  });

  test(`simulated network (seed ${seed}): duplication delivers extra copies at the configured ratio`, (t) => {
    announceSeed(t, seed);
    const { received, network } = blast(seed, 5000, { duplicateRatio: 0.1 });
    const extra = received.length - 5000;
    t.true(Math.abs(extra / 5000 - 0.1) < 0.02, `duplicates ${extra}`);
    t.is(network.stats()['duplicated'], extra);
  });
}

test('simulated network: a partition blocks both directions, then heals', (t) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed: 3 });
  const atB: number[] = [];
  const atA: number[] = [];
  const a = right(t, network.bindDatagram('a', 1, (b) => atA.push(numberOf(b))));
  const b = right(t, network.bindDatagram('b', 1, (x) => atB.push(numberOf(x))));
  network.partition(['a'], ['b']);
  a.send(bytesOf(1), { host: 'b', port: 1 });
  b.send(bytesOf(2), { host: 'a', port: 1 });
  clock.runUntilIdleSync();
  t.deepEqual([atA, atB], [[], []]);
  t.is(network.stats()['dropped:partition'], 2);
  network.heal();
  a.send(bytesOf(3), { host: 'b', port: 1 });
  b.send(bytesOf(4), { host: 'a', port: 1 });
  clock.runUntilIdleSync();
  t.deepEqual([atA, atB], [[4], [3]]);
});

test('simulated network: datagrams beyond the path capacity are dropped', (t) => {
  const { received, network } = blast(4, 100, { oneWayDelayMinMs: 50, pathCapacityMax: 10 });
  // One send per ms with 50 ms in flight: at most 10 on the wire at once.
  t.true(received.length < 100);
  t.is(network.stats()['dropped:capacity'], 100 - received.length);
});

test('simulated network: binding a taken port fails; port 0 picks an ephemeral one; unbound targets are counted', (
  t,
) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed: 5 });
  const first = right(t, network.bindDatagram('h', 5060, () => undefined));
  t.true(E.isLeft(network.bindDatagram('h', 5060, () => undefined)));
  const ephemeral = right(t, network.bindDatagram('h', 0, () => undefined));
  t.true(ephemeral.port >= 49152);
  first.send(bytesOf(1), { host: 'nowhere', port: 9 });
  clock.runUntilIdleSync();
  t.is(network.stats()['dropped:unbound'], 1);
});

test('simulated network: streams deliver in order despite jitter, close both ends, and reset on a partition', async (
  t,
) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(
    clock, { seed: 8, link: { oneWayDelayMinMs: 2, oneWayDelayMeanMs: 40, lossRatio: 0.5 } },
  );
  const serverData: number[] = [];
  let serverClosed = false;
  right(t, network.listenStream('srv', 5060, (connection) => {
    connection.onData((bytes) => serverData.push(numberOf(bytes)));
    connection.onClose(() => (serverClosed = true));
  }));
  const connecting = network.connectStream('cli', { host: 'srv', port: 5060 });
  await clock.runUntilIdle();
  const client = right(t, await connecting);
  for (let i = 0; i < 50; i++) client.send(bytesOf(i));
  clock.runUntilIdleSync();
  t.deepEqual(serverData, Array.from({ length: 50 }, (_, i) => i), 'ordered and lossless');
  network.partition(['cli'], ['srv']);
  t.true(serverClosed);
  t.false(client.send(bytesOf(99)));
  const refused = network.connectStream('cli', { host: 'srv', port: 9999 });
  network.heal();
  await clock.runUntilIdle();
  t.deepEqual(await refused, E.left('Refused'));
  t.is(clock.pendingTimers(), 0);
});
