import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { SimulatedNetwork } from '../../../adapters/sim/simulated-network.js';
import { SimulatedRtpSocketFactory } from '../../../adapters/sim/simulated-rtp-socket.js';
import { SimulatedSipTransport } from '../../../adapters/sim/simulated-sip-transport.js';
import { VirtualClock } from '../../../adapters/sim/virtual-clock.js';
import { buildResponse } from '../../../domain/sip/build-response.js';
import { getTopVia } from '../../../domain/sip/core-headers.js';
import type { SipRequest } from '../../../domain/sip/message.js';
import { parseMessage } from '../../../domain/sip/parse-message.js';
import { encodeUtf8 } from '../../../domain/sip/text-codec.js';
import { viaReceived, viaRport } from '../../../domain/sip/via.js';
import { endpoint } from '../../../domain/transport/endpoint.js';
import { responseTarget } from '../../../domain/transport/response-target.js';
import type { InboundMessage } from '../../../ports/sip-transport.js';
import { right, unwrap } from '../../support/either.js';
import { announceSeed, simSeeds } from '../../support/sim-seed.js';
import { optionsRequest } from '../../support/sip-text.js';

const setup = (seed: number, link = {}) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed, link });
  const alice = unwrap(
    SimulatedSipTransport.listen(network, { host: '10.0.0.1', port: 5060, protocols: ['udp', 'tcp'] }),
  );
  const bob = unwrap(SimulatedSipTransport.listen(network, { host: '10.0.0.2', port: 0, protocols: ['udp', 'tcp'] }));
  const atAlice: InboundMessage[] = [];
  const atBob: InboundMessage[] = [];
  alice.onMessage((m) => atAlice.push(m));
  bob.onMessage((m) => atBob.push(m));
  return { clock, network, alice, bob, atAlice, atBob };
};

/** Bob answers every request with 200 via §18.2.2 routing. */
const autoAnswer = (s: ReturnType<typeof setup>): void => {
  s.bob.onMessage((m) => {
    s.atBob.push(m);
    if (m.message.kind !== 'request') return;
    const via = getTopVia(m.message);
    if (E.isRight(via)) void s.bob.send(
      buildResponse(m.message as SipRequest, 200), responseTarget(via.right, m.source), m.connectionId,
    );
  });
};

for (const protocol of ['udp', 'tcp'] as const) {
  test(`simulated ${protocol}: request and response, Via stamped with the bound address, received added (§18)`, async (
    t,
  ) => {
    const s = setup(1);
    autoAnswer(s);
    const bobAt = s.bob.localEndpoint(protocol)!;
    t.is(s.bob.localEndpoint('udp')!.port, s.bob.localEndpoint('tcp')!.port, 'one port for both protocols');
    const request = right(
      t, parseMessage(optionsRequest({ via: 'SIP/2.0/UDP placeholder.invalid;branch=z9hG4bKsim;rport' })),
    );
    const sending = s.alice.send(request, bobAt);
    await s.clock.runUntilIdle();
    t.deepEqual(right(t, await sending), bobAt);
    t.is(s.atBob.length, 1);
    const via = right(t, getTopVia(s.atBob[0]!.message));
    t.is(via.transport, protocol.toUpperCase());
    t.is(via.host, '10.0.0.1');
    t.is(viaReceived(via), '10.0.0.1');
    t.is(typeof viaRport(via), 'number');
    t.is(s.atAlice.length, 1);
    t.is(s.atAlice[0]!.message.kind, 'response');
    await s.alice.close();
    await s.bob.close();
    await s.clock.runUntilIdle();
    t.is(s.network.openSockets(), 0);
    t.is(s.clock.pendingTimers(), 0);
  });
}

test('simulated udp: an unparsable request is answered with 400 to its source', async (t) => {
  const s = setup(2);
  const raw = right(
    t, s.network.bindDatagram('10.0.0.9', 7000, (bytes) => replies.push(new TextDecoder().decode(bytes))),
  );
  const replies: string[] = [];
  raw.send(
    encodeUtf8(
      optionsRequest({ via: 'SIP/2.0/UDP 10.0.0.9:7000;branch=z9hG4bKb' }).replace(
        'Max-Forwards: 70', 'Max-Forwards: lots',
      ),
    ),
    { host: '10.0.0.2', port: s.bob.localEndpoint('udp')!.port },
  );
  await s.clock.runUntilIdle();
  t.is(replies.length, 1);
  t.regex(replies[0]!, /^SIP\/2\.0 400 Bad Request \(Max-Forwards/);
  t.is(s.bob.counters().badRequestsAnswered, 1);
  raw.close();
});

for (const seed of simSeeds([11, 12])) {
  test(`simulated transports (seed ${seed}): 200 requests over a lossy, jittery link replay identically`, async (t) => {
    announceSeed(t, seed);
    const run = async (s: number) => {
      const sim = setup(s, { oneWayDelayMinMs: 5, oneWayDelayMeanMs: 15, lossRatio: 0.3, duplicateRatio: 0.1 });
      autoAnswer(sim);
      for (let i = 0; i < 200; i++) {
        const request = right(
          t, parseMessage(optionsRequest({ callId: `c${i}`, via: `SIP/2.0/UDP x;branch=z9hG4bK${i}` })),
        );
        sim.clock.schedule(i * 2, () => void sim.alice.send(request, sim.bob.localEndpoint('udp')!));
      }
      await sim.clock.runUntilIdle();
      return { trace: sim.network.trace.toString(), answered: sim.atAlice.length };
    };
    const first = await run(seed);
    const again = await run(seed);
    const other = await run(seed + 1);
    t.is(first.trace, again.trace);
    t.not(first.trace, other.trace);
    // Each request and response survives with p = 0.7 (plus duplicates): roughly half get answers.
    t.true(first.answered > 60 && first.answered < 160, `answered ${first.answered}`);
  });
}

test('simulated tcp: connecting to a host with no listener fails as a value', async (t) => {
  const s = setup(3);
  const sending = s.alice.sendBytes(new Uint8Array([1]), endpoint('tcp', '10.9.9.9', 5060));
  await s.clock.runUntilIdle();
  const result = await sending;
  t.true(E.isLeft(result) && result.left.reason === 'ConnectFailed');
});

test('simulated RTP sockets: pairs from a range, exhaustion, release', async (t) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed: 1 });
  const factory = new SimulatedRtpSocketFactory(network, '10.0.0.1', 20000, 20003);
  const a = right(t, await factory.open());
  const b = right(t, await factory.open());
  t.deepEqual([a.rtpPort, a.rtcpPort, b.rtpPort, b.rtcpPort], [20000, 20001, 20002, 20003]);
  const exhausted = await factory.open();
  t.true(E.isLeft(exhausted) && exhausted.left.kind === 'ResourceExhausted');
  const got: number[] = [];
  b.onRtp((bytes) => got.push(bytes[3] ?? -1));
  a.sendRtp(new Uint8Array([0x80, 0, 0, 42]), { host: '10.0.0.1', port: 20002 });
  clock.runUntilIdleSync();
  t.deepEqual(got, [42]);
  t.regex(network.trace.lines.join('\n'), /rtp pt=0 seq=42/);
  await a.close();
  await b.close();
  t.is(factory.openCount(), 0);
  t.is(network.openSockets(), 0);
  t.is(right(t, await factory.open()).rtpPort, 20000);
});

test('simulated tcp: messages sent while the connection opens share it and arrive in the order sent', async (t) => {
  // Connection set-up takes a random round trip: separate attempts would overtake each other.
  const s = setup(5, { oneWayDelayMinMs: 5, oneWayDelayMeanMs: 30 });
  const bobAt = s.bob.localEndpoint('tcp')!;
  const sends = [1, 2, 3, 4, 5].map((n) => s.alice.send(right(t, parseMessage(optionsRequest({
    via: `SIP/2.0/TCP placeholder.invalid;branch=z9hG4bKorder${n};rport`,
  }))), bobAt));
  await s.clock.runUntilIdle();
  for (const sending of sends) right(t, await sending);
  const branches = s.atBob.map((m) => right(t, getTopVia(m.message)).params.find((p) => p.name === 'branch')?.value);
  t.deepEqual(branches, [1, 2, 3, 4, 5].map((n) => `z9hG4bKorder${n}`));
  t.is(new Set(s.atBob.map((m) => m.connectionId)).size, 1, 'one connection');
  await s.alice.close();
  await s.bob.close();
  await s.clock.runUntilIdle();
  t.is(s.network.openSockets(), 0);
});
