import test from 'ava';
import { AutoAnswerHandler } from '../../application/session/call-handler.js';
import { headerValue } from '../../domain/sip/message.js';
import { simPeers, stopAll } from '../support/coordinator-harness.js';
import { fakeRegistrar } from '../support/fake-registrar.js';

test('coordinator.register: registered with the builder\'s credentials, events for each change, refreshed, listed; stop() removes the binding', async (t) => {
  const sim = await simPeers(111, [new AutoAnswerHandler()], {}, (b) => b.withCredentials('alice', 'secret'));
  const registrar = fakeRegistrar(sim.network, sim.clock);
  const [a] = sim.peers as [typeof sim.peers[0]];
  const registered = a.coordinator.register('sip:10.0.0.9:5060', { expiresSec: 40 });
  await sim.clock.advanceBy(1_000);
  const info = await registered;
  t.like(info, { aor: 'sip:alice@10.0.0.9', registrar: 'sip:10.0.0.9:5060', state: 'Registered', expiresSec: 40 });
  t.deepEqual(a.coordinator.listRegistrations().map((r) => r.id), [info.id]);
  t.is(registrar.bindings.size, 1);
  await sim.clock.advanceBy(25_000);
  const changes = a.events.filter((e) => e.type === 'RegistrationChanged');
  t.true(changes.length >= 2, 'the first registration and the refresh at 20 s');
  t.like(changes[0], { type: 'RegistrationChanged', registrationId: info.id, state: 'Registered', expiresSec: 40 });
  await stopAll(sim);
  const last = registrar.user.requests[registrar.user.requests.length - 1]!.request;
  t.is(headerValue(last, 'Expires'), '0', 'stop() unregistered');
  t.is(registrar.bindings.size, 0);
  t.like(a.events.filter((e) => e.type === 'RegistrationChanged').pop(), { state: 'Unregistered' });
  registrar.layer.close();
  await registrar.transport.close();
  await sim.clock.advanceBy(40_000);
  t.is(sim.clock.pendingTimers(), 0);
});

test('coordinator.register: refusals and misuse are SessionErrors', async (t) => {
  const sim = await simPeers(112, [new AutoAnswerHandler()], {}, (b) => b.withCredentials('alice', 'wrong'));
  const registrar = fakeRegistrar(sim.network, sim.clock);
  const [a] = sim.peers as [typeof sim.peers[0]];
  const refused = a.coordinator.register('sip:10.0.0.9:5060').then(
    () => undefined, (e: unknown) => e as Record<string, unknown>,
  );
  await sim.clock.advanceBy(1_000);
  t.like(await refused, { kind: 'Rejected', status: 401 });
  t.deepEqual(a.coordinator.listRegistrations(), [], 'a failed first attempt leaves nothing behind');
  const nowhere = a.coordinator.register('sip:10.0.0.77:5060', { aor: 'sip:alice@example.com' }).then(
    () => undefined, (e: unknown) => e as Record<string, unknown>,
  );
  await sim.clock.advanceBy(40_000);
  t.like(await nowhere, { kind: 'Timeout' });
  await t.throwsAsync(a.coordinator.register('not a uri'), { instanceOf: Error, message: /not a SIP URI/ });
  await t.throwsAsync(a.coordinator.register('sip:10.0.0.9', { expiresSec: 0 }), { message: /expiresSec/ });
  await t.throwsAsync(a.coordinator.unregister('reg-nope'), { message: /no registration/ });
  await stopAll(sim);
  registrar.layer.close();
  await registrar.transport.close();
  await sim.clock.advanceBy(40_000);
  t.is(sim.clock.pendingTimers(), 0, 'no refresh or retry left behind');
});
