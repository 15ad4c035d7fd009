import test from 'ava';
import { ForkingRouter } from '../../application/session/forking-router.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import { headerValue, type SipRequest } from '../../domain/sip/message.js';
import type { SessionError } from '../../domain/session/session-error.js';
import { pbx, phoneOn, ringing, type Phone } from '../support/pbx-harness.js';
import { authorization, challengeFor, rawClient, registerText } from '../support/raw-sip-client.js';
import type { LinkImpairment } from '../../adapters/sim/simulated-network.js';

/** A PBX at 10.0.0.1 routing calls to its registered users; phones register as `user` with their password. */
const office = async (seed: number, link: Partial<LinkImpairment> = {}) => {
  const router = new ForkingRouter({ ringTimeoutMs: 20_000 });
  const sim = await pbx(seed, (b) => b.withRegistrar().withHandler(router).withMaxSessionsPerUser(1_000)
    .withAuthentication({ realm: 'office', users: { alice: 'a-pw', bob: 'b-pw' }, methods: ['REGISTER', 'INVITE'] }), link);
  router.attach(sim.coordinator);
  const phone = async (host: string, user: 'alice' | 'bob', handler = ringing): Promise<Phone> => {
    const p = await phoneOn(sim, host, handler, (b) => b.withCredentials(user, user === 'alice' ? 'a-pw' : 'b-pw'));
    const registered = p.coordinator.register('sip:10.0.0.1:5060', { aor: `sip:${user}@10.0.0.1`, expiresSec: 600 });
    await until(sim, () => registered);
    return p;
  };
  return { ...sim, router, phone };
};

/** Runs virtual time until `work` settles. */
const until = async <T>(sim: { clock: { advanceBy(ms: number): Promise<number> } }, work: () => Promise<T>): Promise<T> => {
  let done = false;
  const result = work().finally(() => (done = true));
  for (let i = 0; i < 600 && !done; i++) await sim.clock.advanceBy(100);
  return result;
};

const incoming = (phone: Phone): string | undefined => {
  const event = phone.events.find((e) => e.type === 'IncomingCall');
  return event?.type === 'IncomingCall' ? event.sessionId : undefined;
};

const ended = (phone: Phone, sessionId: string | undefined): string | undefined => {
  const event = phone.events.find((e) => e.type === 'CallEnded' && e.sessionId === sessionId);
  return event?.type === 'CallEnded' ? event.reason : undefined;
};

const stopEverything = async (sim: Awaited<ReturnType<typeof office>>, phones: ReadonlyArray<Phone>): Promise<void> => {
  const stopping = Promise.all([sim.coordinator, ...phones.map((p) => p.coordinator)].map((c) => c.stop()));
  await sim.clock.advanceBy(10_000);
  await stopping;
  await sim.clock.runUntilIdle();
};

for (const [name, seed, link] of [['clean', 701, {}], ['30 % loss', 702, { lossRatio: 0.3 }]] as const) {
  test(`forking (${name}): a call to bob rings his three contacts at once; the first answer wins, the rest are CANCELled with a Reason`, async (t) => {
    const sim = await office(seed, link);
    const bob1 = await sim.phone('10.0.0.2', 'bob');
    const bob2 = await sim.phone('10.0.0.3', 'bob');
    // The third contact is a bare SIP element, to read the CANCEL it gets.
    const bob3 = rawClient(sim.network, sim.clock, '10.0.0.4');
    const cancels: SipRequest[] = [];
    bob3.user.answer = (request, tx, cancelled) => {
      if (request.method === 'INVITE') void tx.respond(buildResponse(request, 180, { toTag: 'b3' }));
      if (request.method === 'CANCEL' && cancelled !== undefined) {
        cancels.push(request);
        void tx.respond(buildResponse(request, 200));
        const invite = bob3.user.requests.find((r) => r.request.method === 'INVITE')!.request;
        void cancelled.respond(buildResponse(invite, 487, { toTag: 'b3' }));
      }
    };
    const base = { user: 'bob', domain: '10.0.0.1', callId: 'b3', contacts: ['<sip:bob@10.0.0.4>'], expires: 600 };
    const challenged = await until(sim, () => bob3.send(registerText({ ...base, cseq: 1 }, '10.0.0.4')));
    const challenge = challenged === 'timeout' ? undefined : challengeFor(challenged, 'MD5');
    const auth = authorization(challenge!, { username: 'bob', password: 'b-pw', method: 'REGISTER', uri: 'sip:10.0.0.1', nc: 1 });
    const registered = await until(sim, () => bob3.send(registerText({ ...base, cseq: 2, extra: [auth] }, '10.0.0.4')));
    t.is(registered === 'timeout' ? 0 : registered.status, 200);
    t.is((await sim.coordinator.lookup('sip:bob@10.0.0.1')).length, 3);
    const alice = await sim.phone('10.0.0.5', 'alice');
    const call = await until(sim, () => alice.coordinator.createOutgoingCall('sip:alice@10.0.0.1', 'sip:bob@10.0.0.1'));
    await until(sim, async () => {
      while (incoming(bob1) === undefined || incoming(bob2) === undefined) await sim.clock.advanceBy(100);
    });
    await until(sim, () => bob2.coordinator.acceptIncomingCall(incoming(bob2)!));
    const answered = await until(sim, () => alice.coordinator.waitForAnswer(call.id, 60_000));
    t.is(answered.state, 'Connected');
    await until(sim, async () => {
      while (ended(bob1, incoming(bob1)) === undefined) await sim.clock.advanceBy(100);
    });
    t.is(ended(bob1, incoming(bob1)), 'Cancelled', 'the other phone stopped ringing');
    await until(sim, async () => {
      while (cancels.length === 0) await sim.clock.advanceBy(100);
    });
    t.is(headerValue(cancels[0]!, 'Reason'), 'SIP;cause=200;text="Call completed elsewhere"');
    t.is(sim.router.bridged(), 1);
    // Audio crosses the PBX's bridge both ways.
    alice.coordinator.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [440] });
    bob2.coordinator.startAudioTransmission(incoming(bob2)!, { kind: 'tone', frequenciesHz: [880] });
    await sim.clock.advanceBy(3_000);
    t.true(bob2.coordinator.getMediaStatistics(incoming(bob2)!).packetsReceived > 50);
    t.true(alice.coordinator.getMediaStatistics(call.id).packetsReceived > 50);
    // Bob hangs up: the PBX ends Alice's side too.
    await until(sim, () => bob2.coordinator.terminateSession(incoming(bob2)!));
    await until(sim, async () => {
      while (ended(alice, call.id) === undefined) await sim.clock.advanceBy(100);
    });
    t.deepEqual(sim.coordinator.listActiveSessions(), []);
    t.is(sim.router.live(), 0, 'the router forgot the call');
    await bob3.close();
    await stopEverything(sim, [bob1, bob2, alice]);
    t.is(sim.clock.pendingTimers(), 0);
  });
}

const wait = async (sim: Awaited<ReturnType<typeof office>>, ready: () => boolean): Promise<void> => {
  for (let i = 0; i < 600 && !ready(); i++) await sim.clock.advanceBy(100);
};

const failure = (call: Promise<unknown>): Promise<SessionError | undefined> => call.then(
  () => undefined, (error: SessionError) => error,
);

test('forking: nobody registered is 480; all contacts busy is 486; the caller giving up cancels every branch', async (t) => {
  const sim = await office(703);
  const alice = await sim.phone('10.0.0.5', 'alice');
  const nobody = await until(sim, () => alice.coordinator.createOutgoingCall('sip:alice@10.0.0.1', 'sip:bob@10.0.0.1'));
  t.like(await until(sim, () => failure(alice.coordinator.waitForAnswer(nobody.id, 60_000))), { kind: 'Rejected', status: 480 });
  const busy = { onIncomingCall: () => ({ kind: 'Reject', status: 486 }) as const };
  const bobs = [await sim.phone('10.0.0.2', 'bob', busy), await sim.phone('10.0.0.3', 'bob', busy)];
  const both = await until(sim, () => alice.coordinator.createOutgoingCall('sip:alice@10.0.0.1', 'sip:bob@10.0.0.1'));
  t.like(await until(sim, () => failure(alice.coordinator.waitForAnswer(both.id, 60_000))), { kind: 'Rejected', status: 486 });
  const carol = [await sim.phone('10.0.0.6', 'bob'), await sim.phone('10.0.0.7', 'bob')];
  const given = await until(sim, () => alice.coordinator.createOutgoingCall('sip:alice@10.0.0.1', 'sip:bob@10.0.0.1'));
  await wait(sim, () => carol.every((p) => incoming(p) !== undefined));
  await until(sim, () => alice.coordinator.terminateSession(given.id));
  await wait(sim, () => carol.every((p) => ended(p, incoming(p)) !== undefined));
  t.deepEqual(carol.map((p) => ended(p, incoming(p))), ['Cancelled', 'Cancelled']);
  await wait(sim, () => sim.coordinator.listActiveSessions().length === 0);
  t.is(sim.router.live(), 0);
  await stopEverything(sim, [alice, ...bobs, ...carol]);
  t.is(sim.clock.pendingTimers(), 0);
});

test('forking: a contact that does not answer in time counts as a time-out; the caller hears the busy one', async (t) => {
  const sim = await office(704);
  const alice = await sim.phone('10.0.0.5', 'alice');
  const busy = { onIncomingCall: () => ({ kind: 'Reject', status: 486 }) as const };
  const phones = [await sim.phone('10.0.0.2', 'bob', busy), await sim.phone('10.0.0.3', 'bob')];
  const call = await until(sim, () => alice.coordinator.createOutgoingCall('sip:alice@10.0.0.1', 'sip:bob@10.0.0.1'));
  const outcome = failure(alice.coordinator.waitForAnswer(call.id, 120_000));
  await sim.clock.advanceBy(25_000);
  t.like(await until(sim, () => outcome), { kind: 'Rejected', status: 486 });
  await wait(sim, () => ended(phones[1]!, incoming(phones[1]!)) !== undefined);
  t.is(ended(phones[1]!, incoming(phones[1]!)), 'Cancelled', 'the silent branch was cancelled at the ring timeout');
  await stopEverything(sim, [alice, ...phones]);
});

test('MESSAGE: relayed to every contact of the addressee; 480 for nobody; 413 over the limit; inside a call too', async (t) => {
  const router = new ForkingRouter();
  const sim0 = await pbx(705, (b) => b.withRegistrar().withHandler(router).withMessageLimit(100));
  router.attach(sim0.coordinator);
  const sim = { ...sim0, router, phone: undefined };
  const received: string[] = [];
  const listener = { ...ringing, onMessage: (m: { from: string; body: string }) => void received.push(`${m.from}: ${m.body}`) };
  const bob1 = await phoneOn(sim, '10.0.0.2', listener);
  const bob2 = await phoneOn(sim, '10.0.0.3', listener);
  const alice = await phoneOn(sim, '10.0.0.5', { onIncomingCall: () => ({ kind: 'Accept' }) });
  for (const p of [bob1, bob2]) {
    await until(sim0, () => p.coordinator.register('sip:10.0.0.1:5060', { aor: 'sip:bob@10.0.0.1' }));
  }
  const sent = await until(sim0, () => alice.coordinator.sendMessage('sip:alice@10.0.0.1', 'sip:bob@10.0.0.1', 'hello bob'));
  t.is(sent, 200);
  t.deepEqual(received, ['sip:alice@10.0.0.1: hello bob', 'sip:alice@10.0.0.1: hello bob']);
  t.true(bob1.events.some((e) => e.type === 'MessageReceived' && e.body === 'hello bob'));
  t.is(await until(sim0, () => alice.coordinator.sendMessage('sip:alice@10.0.0.1', 'sip:carol@10.0.0.1', 'hi')), 480);
  t.is(await until(sim0, () => alice.coordinator.sendMessage('sip:alice@10.0.0.1', 'sip:bob@10.0.0.1', 'x'.repeat(200))), 413);
  // Inside a call: Bob calls Alice directly, then texts her in the dialog.
  const call = await until(sim0, () => bob1.coordinator.createOutgoingCall('sip:bob@10.0.0.2', 'sip:alice@10.0.0.5'));
  await until(sim0, () => bob1.coordinator.waitForAnswer(call.id, 10_000));
  t.is(await until(sim0, () => bob1.coordinator.sendMessageInCall(call.id, 'in the call')), 200);
  const inCall = alice.events.find((e) => e.type === 'MessageReceived');
  t.like(inCall, { type: 'MessageReceived', body: 'in the call' });
  t.true(inCall?.type === 'MessageReceived' && inCall.sessionId !== undefined, 'it names the call it came in');
  await t.throwsAsync(bob1.coordinator.sendMessageInCall('nope', 'x'), { message: /no session/ });
  const stopping = Promise.all([sim0.coordinator, bob1.coordinator, bob2.coordinator, alice.coordinator].map((c) => c.stop()));
  await sim0.clock.advanceBy(10_000);
  await stopping;
  await sim0.clock.runUntilIdle();
  t.is(sim0.clock.pendingTimers(), 0);
});
