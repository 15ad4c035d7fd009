/**
 * RFC 3263 on the simulated network: a call to sip:service@pbx.test follows NAPTR and SRV to the best
 * server, moves to the next when the first never answers or answers 503, and a name that leads nowhere
 * fails at once — also with loss.
 */
import test from 'ava';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import { SimulatedNetwork, type LinkImpairment } from '../../adapters/sim/simulated-network.js';
import { SimulatedResolver, type Zone } from '../../adapters/sim/simulated-resolver.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import type { CallHandler } from '../../application/session/call-handler.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import type { SessionEvent } from '../../domain/session/session-event.js';

const ZONE: Zone = {
  naptr: {
    'pbx.test': [
      { order: 10, preference: 10, flags: 's', service: 'SIP+D2U', replacement: '_sip._udp.pbx.test' },
      { order: 20, preference: 10, flags: 's', service: 'SIP+D2T', replacement: '_sip._tcp.pbx.test' },
    ],
  },
  srv: {
    '_sip._udp.pbx.test': [
      { priority: 10, weight: 50, port: 5060, name: 'a.pbx.test' },
      { priority: 20, weight: 50, port: 5060, name: 'b.pbx.test' },
    ],
  },
  addresses: { 'a.pbx.test': ['10.0.0.2'], 'b.pbx.test': ['10.0.0.3'], 'plain.test': ['10.0.0.3'] },
};

const world = async (seed: number, servers: Record<string, CallHandler>, link: Partial<LinkImpairment> = {}) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed, link });
  const resolver = new SimulatedResolver(clock, ZONE);
  const build = async (host: string, handler: CallHandler, caller = false) => {
    let builder = new SessionManagerBuilder().withSipPort(5060).withMediaPorts(20000, 20099).withHandler(handler)
      .withTransports(['udp', 'tcp']).withSimulation({ network, host, seed: seed + Number(host.split('.')[3]) });
    if (caller) builder = builder.withResolver(resolver);
    const coordinator = await builder.build();
    await coordinator.start();
    const events: SessionEvent[] = [];
    coordinator.events.subscribe((e) => events.push(e));
    return { coordinator, events };
  };
  const caller = await build('10.0.0.1', { onIncomingCall: () => CallDecision.reject(486) }, true);
  const hosts = Object.fromEntries(await Promise.all(Object.entries(servers).map(
    async ([host, handler]) => [host, await build(host, handler)] as const,
  )));
  const stop = async (): Promise<void> => {
    const all = [caller, ...Object.values(hosts)].map((p) => p.coordinator.stop());
    await clock.advanceBy(10_000);
    await Promise.all(all);
    await clock.runUntilIdle();
  };
  return { clock, network, resolver, caller, hosts, stop };
};

const answering: CallHandler = { onIncomingCall: () => CallDecision.accept() };

test('RFC 3263: NAPTR then SRV pick the priority-10 server; a second call uses the cached answers', async (t) => {
  const w = await world(1, { '10.0.0.2': answering, '10.0.0.3': answering });
  for (let i = 0; i < 2; i++) {
    const call = await w.caller.coordinator.createOutgoingCall('sip:me@10.0.0.1', 'sip:service@pbx.test');
    const answered = w.caller.coordinator.waitForAnswer(call.id, 10_000);
    await w.clock.advanceBy(1_000);
    await answered;
    await w.caller.coordinator.terminateSession(call.id);
    await w.clock.advanceBy(1_000);
  }
  t.is(w.hosts['10.0.0.2']!.events.filter((e) => e.type === 'CallEstablished').length, 2);
  t.is(w.hosts['10.0.0.3']!.events.filter((e) => e.type === 'IncomingCall').length, 0);
  // Every usable NAPTR service is followed (the TCP one has no SRV here), each answer asked once.
  t.deepEqual(w.resolver.queries, [
    'NAPTR pbx.test', 'SRV _sip._udp.pbx.test', 'A/AAAA a.pbx.test', 'A/AAAA b.pbx.test', 'SRV _sip._tcp.pbx.test',
  ]);
  await w.stop();
  t.is(w.clock.pendingTimers(), 0);
});

for (const [name, link] of [['clean', {}], ['30 % loss', { lossRatio: 0.3, oneWayDelayMinMs: 5 }]] as const) {
  test(`RFC 3263 §4.3 (${name}): the first server never answers (nothing there): after Timer B the call goes to the next`, async (t) => {
    const w = await world(2, { '10.0.0.3': answering }, link);
    const call = await w.caller.coordinator.createOutgoingCall('sip:me@10.0.0.1', 'sip:service@pbx.test');
    const answered = w.caller.coordinator.waitForAnswer(call.id, 90_000);
    await w.clock.advanceBy(60_000);
    t.like(await answered, { state: 'Connected' });
    t.true(w.hosts['10.0.0.3']!.events.some((e) => e.type === 'CallEstablished'));
    t.true(w.clock.nowMs() >= 32_000);
    await w.caller.coordinator.terminateSession(call.id);
    await w.clock.advanceBy(40_000);
    t.deepEqual(w.hosts['10.0.0.3']!.coordinator.listActiveSessions(), []);
    await w.stop();
    t.is(w.clock.pendingTimers(), 0);
    t.is(w.network.openSockets(), 0);
  });
}

test('RFC 3263 §4.3: a 503 from the first server moves the call to the next at once', async (t) => {
  const w = await world(3, { '10.0.0.2': { onIncomingCall: () => CallDecision.reject(503) }, '10.0.0.3': answering });
  const call = await w.caller.coordinator.createOutgoingCall('sip:me@10.0.0.1', 'sip:service@pbx.test');
  const answered = w.caller.coordinator.waitForAnswer(call.id, 10_000);
  await w.clock.advanceBy(2_000);
  t.like(await answered, { state: 'Connected' });
  const first = w.hosts['10.0.0.2']!.events;
  t.true(first.some((e) => e.type === 'CallEnded'), 'the first server saw the call and refused it');
  await w.caller.coordinator.terminateSession(call.id);
  await w.clock.advanceBy(1_000);
  await w.stop();
  t.is(w.clock.pendingTimers(), 0);
});

test('RFC 3263: a name with no records at all fails at once with a TransportError; A records alone use UDP 5060', async (t) => {
  const w = await world(4, { '10.0.0.3': answering });
  const error = await w.caller.coordinator.createOutgoingCall('sip:me@10.0.0.1', 'sip:x@nowhere.test')
    .then(() => undefined, (e: unknown) => e);
  t.like(error, { kind: 'TransportError' });
  t.regex((error as Error).message, /nowhere\.test does not resolve/);
  const call = await w.caller.coordinator.createOutgoingCall('sip:me@10.0.0.1', 'sip:x@plain.test');
  const answered = w.caller.coordinator.waitForAnswer(call.id, 10_000);
  await w.clock.advanceBy(1_000);
  t.like(await answered, { state: 'Connected' });
  t.true(w.resolver.queries.includes('SRV _sip._tcp.plain.test'), 'no NAPTR: SRV for each transport, then A');
  await w.caller.coordinator.terminateSession(call.id);
  await w.clock.advanceBy(1_000);
  await w.stop();
});

test('a MESSAGE to a host name reaches the address the Resolver gives (the transport never looks names up), looked up once', async (t) => {
  const w = await world(5, { '10.0.0.3': answering });
  const status = w.caller.coordinator.sendMessage('sip:me@10.0.0.1', 'sip:someone@plain.test:5060', 'hello');
  await w.clock.advanceBy(1_000);
  t.is(await status, 200);
  const again = w.caller.coordinator.sendMessage('sip:me@10.0.0.1', 'sip:someone@plain.test:5060', 'again');
  await w.clock.advanceBy(1_000);
  t.is(await again, 200);
  t.is(w.hosts['10.0.0.3']!.events.filter((e) => e.type === 'MessageReceived').length, 2);
  t.deepEqual(w.resolver.queries.filter((q) => q.includes('plain.test')), ['A/AAAA plain.test']);
  await w.stop();
});

test('registration locates its registrar too: REGISTER to sip:pbx.test goes where NAPTR and SRV point', async (t) => {
  const w = await world(6, {});
  const registrar = await new SessionManagerBuilder().withSipPort(5060).withMediaPorts(20000, 20099)
    .withRegistrar({ domains: ['pbx.test'] }).withSimulation({ network: w.network, host: '10.0.0.2', seed: 66 })
    .build();
  await registrar.start();
  const registered = w.caller.coordinator.register('sip:pbx.test', { aor: 'sip:me@pbx.test', expiresSec: 600 });
  await w.clock.advanceBy(1_000);
  t.like(await registered, { aor: 'sip:me@pbx.test' });
  t.is((await registrar.lookup('sip:me@pbx.test')).length, 1, 'the binding is at 10.0.0.2, the priority-10 server');
  const stopping = registrar.stop();
  await w.stop();
  await stopping;
});

test('a MESSAGE to sip:someone@pbx.test goes where NAPTR and SRV point; to a name with no records it fails', async (t) => {
  const w = await world(7, { '10.0.0.2': answering, '10.0.0.3': answering });
  const status = w.caller.coordinator.sendMessage('sip:me@10.0.0.1', 'sip:someone@pbx.test', 'via SRV');
  await w.clock.advanceBy(1_000);
  t.is(await status, 200);
  t.is(w.hosts['10.0.0.2']!.events.filter((e) => e.type === 'MessageReceived').length, 1, 'the priority-10 server');
  t.is(w.hosts['10.0.0.3']!.events.filter((e) => e.type === 'MessageReceived').length, 0);
  const missing = await w.caller.coordinator.sendMessage('sip:me@10.0.0.1', 'sip:x@nowhere.test', 'lost')
    .then(() => undefined, (e: unknown) => e);
  t.like(missing, { kind: 'TransportError' });
  await w.stop();
});
