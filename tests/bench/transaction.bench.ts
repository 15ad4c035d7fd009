import { performance } from 'node:perf_hooks';
import * as E from 'fp-ts/lib/Either.js';
import { SimulatedNetwork } from '../../adapters/sim/simulated-network.js';
import { SimulatedSipTransport } from '../../adapters/sim/simulated-sip-transport.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import { TransactionLayer } from '../../application/transaction-layer.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import { endpoint } from '../../domain/transport/endpoint.js';
import type { SipTransport } from '../../ports/sip-transport.js';
import { request } from '../support/sip-builders.js';
import { report } from './bench-util.js';

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

const setup = () => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed: 1 });
  const listen = (host: string) => {
    const t = SimulatedSipTransport.listen(network, { host, port: 5060 });
    if (E.isLeft(t)) throw new Error(t.left.detail);
    return t.right;
  };
  const aliceTransport = listen('10.0.0.1');
  const bobTransport = listen('10.0.0.2');
  const alice = new TransactionLayer(aliceTransport, clock, { onRequest: () => undefined });
  const bob = new TransactionLayer(bobTransport, clock, {
    onRequest: (req, tx) => void tx.respond(buildResponse(req, 200, { toTag: 'b' })),
  });
  return { clock, alice, bob, network };
};

/** A transport that accepts and forgets: isolates the layer's own memory. */
const nullTransport: SipTransport = {
  protocols: ['udp'],
  localEndpoint: () => endpoint('udp', '10.0.0.1', 5060),
  onMessage: () => undefined,
  send: (_m, target) => Promise.resolve(E.right(target)),
  sendBytes: (_b, target) => Promise.resolve(E.right(target)),
  counters: () => ({ inbound: 0, received: 0, sent: 0, badRequestsAnswered: 0, dropped: {}, openConnections: 0 }),
  close: () => Promise.resolve(),
};

const throughput = async (): Promise<void> => {
  // Whole non-INVITE transactions (client + server, both ends) through the simulated network.
  const total = 20_000;
  const requests = Array.from({ length: total }, (_, i) => request('OPTIONS', `z9hG4bKbench${i}`));
  const sim = setup();
  const target = endpoint('udp', '10.0.0.2', 5060);
  const start = performance.now();
  let done = 0;
  for (const req of requests) sim.alice.sendRequest(
    req, target, { onResponse: () => undefined, onTerminated: () => done++ },
  );
  // Synchronous run: the simulated transport delivers on timers, so no microtask turns are needed.
  sim.clock.runUntilIdleSync();
  report({
    name: 'transactions (OPTIONS/200, both ends) through the layer, simulated network', ops: done,
    elapsedMs: performance.now() - start,
  });
};

/** Heap per live INVITE client transaction with its timers armed (requests pre-built, not counted). */
const heapPerTransaction = async (): Promise<void> => {
  const live = 10_000;
  const invites = Array.from({ length: live }, (_, i) => request('INVITE', `z9hG4bKheap${i}`));
  const clock = new VirtualClock();
  const layer = new TransactionLayer(nullTransport, clock, { onRequest: () => undefined });
  const target = endpoint('udp', '10.0.0.77', 5060);
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const before = process.memoryUsage().heapUsed;
  for (const invite of invites) layer.sendRequest(invite, target, { onResponse: () => undefined });
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const after = process.memoryUsage().heapUsed;
  const exact = (globalThis as { gc?: unknown }).gc !== undefined;
  console.log(
    `heap per live INVITE client transaction: ${Math.round((after - before) / live)} bytes (${layer.counts().ict} live${exact ? '' : ', approximate: run with --expose-gc'})`,
  );
  layer.close();
};

export const run = async (): Promise<void> => {
  await throughput();
  await heapPerTransaction();
};
