import { performance } from 'node:perf_hooks';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import { SimulatedNetwork } from '../../adapters/sim/simulated-network.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import { AutoAnswerHandler, type CallHandler } from '../../application/session/call-handler.js';
import { B2bua } from '../../application/session/b2bua.js';
import type { SessionCoordinator } from '../../application/session/session-coordinator.js';
import { mixExcludingSelf } from '../../domain/bridge/mix.js';
import { measure } from './bench-util.js';

const mixing = (): void => {
  for (const participants of [3, 10]) {
    const inputs = Array.from(
      { length: participants },
      (_, p) => Int16Array.from({ length: 160 }, (_, i) => Math.round(Math.sin(i / (p + 2)) * 8000)),
    );
    const outputs = inputs.map(() => new Int16Array(160));
    const scratch = new Int32Array(160);
    const frames = 200_000;
    const result = measure(`mix-minus of ${participants} participants (per 20 ms frame)`, frames, () => {
      for (let f = 0; f < frames; f++) mixExcludingSelf(inputs, outputs, scratch);
    });
    console.log(`  ≈ ${((result.elapsedMs * 1000) / frames / participants).toFixed(3)} µs per participant per frame`);
  }
};

/** Three-party conferences on the simulated network, all media flowing: how many one core runs in real time. */
const conferences = async (rooms: number): Promise<void> => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed: 1 });
  const build = (host: string, handler = new AutoAnswerHandler()): Promise<SessionCoordinator> =>
    new SessionManagerBuilder().withSimulation({ network, host, seed: 1 }).withMediaPorts(10000, 60000).withMaxSessionsPerUser(100_000).withHandler(handler).build();
  let server: SessionCoordinator | undefined;
  const roomIds: string[] = [];
  let joined = 0;
  const roomHandler: CallHandler = {
    onIncomingCall: () => ({ kind: 'Accept' }),
    onCallEstablished: (call) => server?.addSessionToBridge(roomIds[Math.floor(joined++ / 3)]!, call.id),
  };
  server = await build('10.9.0.1', roomHandler as AutoAnswerHandler);
  await server.start();
  for (let r = 0; r < rooms; r++) roomIds.push(server.createBridge(false));
  const phones = await build('10.9.0.2');
  await phones.start();
  for (let i = 0; i < rooms * 3; i++) {
    const call = await phones.createOutgoingCall('sip:p@10.9.0.2', 'sip:room@10.9.0.1:5060');
    clock.advanceBySync(10);
    await clock.advanceBy(1);
    phones.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [400 + (i % 3) * 300] });
  }
  clock.advanceBySync(1_000);
  const virtualMs = 5_000;
  const start = performance.now();
  clock.advanceBySync(virtualMs);
  const elapsed = performance.now() - start;
  console.log(
    `${rooms} three-party conferences (${rooms * 3} calls, both ends simulated): ${(virtualMs / elapsed).toFixed(2)}× real time → ≈ ${Math.floor((rooms * virtualMs) / elapsed)} conferences per core`,
  );
};

/** B2BUA calls with media relay: callers → B2BUA → callees, all on the simulated network. */
const b2buaCalls = async (calls: number): Promise<void> => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed: 2 });
  const build = (host: string, handler: unknown): Promise<SessionCoordinator> =>
    new SessionManagerBuilder().withSimulation({ network, host, seed: 2 }).withMediaPorts(10000, 60000).withMaxSessionsPerUser(100_000).withHandler(handler as AutoAnswerHandler).build();
  const b2bua = new B2bua(() => 'sip:callee@10.8.0.3:5060');
  const middle = await build('10.8.0.2', b2bua);
  b2bua.attach(middle);
  const callees = await build('10.8.0.3', {
    onIncomingCall: () => ({ kind: 'Accept' }),
    onCallEstablished: (call: { id: string }) => callees.startAudioTransmission(
      call.id, { kind: 'tone', frequenciesHz: [600] },
    ),
  });
  const callers = await build('10.8.0.1', new AutoAnswerHandler());
  for (const c of [middle, callees, callers]) await c.start();
  for (let i = 0; i < calls; i++) {
    const call = await callers.createOutgoingCall('sip:caller@10.8.0.1', 'sip:b2bua@10.8.0.2:5060');
    clock.advanceBySync(10);
    await clock.advanceBy(1);
    try {
      callers.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [1000] });
    } catch {
      // not answered yet: it will be within the warm-up below
    }
  }
  clock.advanceBySync(1_000);
  const virtualMs = 5_000;
  const start = performance.now();
  clock.advanceBySync(virtualMs);
  const elapsed = performance.now() - start;
  console.log(
    `${b2bua.bridged()} B2BUA calls relaying media (callers, B2BUA and callees simulated together): ${(virtualMs / elapsed).toFixed(2)}× real time → ≈ ${Math.floor((b2bua.bridged() * virtualMs) / elapsed)} relayed calls per core for the whole system`,
  );
};

export const run = async (): Promise<void> => {
  mixing();
  await conferences(50);
  await b2buaCalls(100);
};
