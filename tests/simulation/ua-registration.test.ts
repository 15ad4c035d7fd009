import test from 'ava';
import { SimulatedNetwork } from '../../adapters/sim/simulated-network.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import type { RegisterOutcome, RegistrationState } from '../../application/ua/registration.js';
import { getCallId, getCSeq } from '../../domain/sip/core-headers.js';
import { headerValue, type SipRequest } from '../../domain/sip/message.js';
import { sipUri } from '../../domain/sip/uri.js';
import { right } from '../support/either.js';
import { fakeRegistrar } from '../support/fake-registrar.js';
import { leakReport, simUa } from '../support/ua-harness.js';

const setup = (seed: number) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed });
  const alice = simUa(network, clock, '10.0.0.1', seed);
  return { clock, network, alice, registrar: fakeRegistrar(network, clock) };
};

const aor = { uri: sipUri('reg.example', { user: 'alice' }), params: [] };

test('registration: 423 → asks for Min-Expires, 401 → Digest, 200 → registered for what was granted; refreshed before it lapses; removed with Expires: 0', async (t) => {
  const sim = setup(81);
  const states: Array<[RegistrationState, RegisterOutcome | undefined]> = [];
  const registration = right(t, sim.alice.ua.registration({
    registrar: sipUri('10.0.0.9', { port: 5060 }), aor, expiresSec: 20, credentials: { username: 'alice', password: 'secret' },
    onChange: (state, outcome) => states.push([state, outcome]),
  }));
  const first = registration.register();
  await sim.clock.advanceBy(1_000);
  t.deepEqual(await first, { kind: 'Registered', expiresSec: 30 });
  t.is(registration.state, 'Registered');
  t.is(sim.registrar.bindings.size, 1);
  const requests = (): SipRequest[] => sim.registrar.user.requests.map((r) => r.request);
  t.deepEqual(requests().map((r) => headerValue(r, 'Expires')), ['20', '30', '30'], '423, then 401, then accepted');
  t.is(new Set(requests().map((r) => right(t, getCallId(r)))).size, 1, 'one Call-ID for the binding (§10.2)');
  const seqs = requests().map((r) => right(t, getCSeq(r)).seq);
  t.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'CSeq rises');
  await sim.clock.advanceBy(15_000);
  t.is(requests().length, 4, 'refreshed halfway through 30 s in one REGISTER');
  const refresh = headerValue(requests()[3]!, 'Authorization') ?? '';
  t.regex(refresh, /nonce="r1".*nc=00000002/, 'answered ahead with the last nonce and the next nonce count');
  t.is(registration.state, 'Registered');
  const removed = registration.unregister();
  await sim.clock.advanceBy(1_000);
  t.deepEqual(await removed, { kind: 'Unregistered' });
  t.is(headerValue(requests()[requests().length - 1]!, 'Expires'), '0');
  t.is(sim.registrar.bindings.size, 0);
  t.deepEqual(states.map(([s]) => s), ['Registered', 'Registered', 'Unregistering', 'Unregistered']);
  await sim.clock.advanceBy(40_000);
  t.deepEqual(leakReport({ clock: sim.clock, alice: sim.alice, bob: sim.alice }), []);
});

test('registration: a wrong password fails without looping, is retried later, and close() stops it', async (t) => {
  const sim = setup(82);
  const registration = right(t, sim.alice.ua.registration({
    registrar: sipUri('10.0.0.9', { port: 5060 }), aor, expiresSec: 60, credentials: { username: 'alice', password: 'wrong' },
  }));
  const first = registration.register();
  await sim.clock.advanceBy(1_000);
  t.like(await first, { kind: 'Rejected', status: 401 });
  t.is(registration.state, 'Failed');
  t.is(sim.registrar.user.requests.length, 2, 'the REGISTER and one answer to the challenge');
  await sim.clock.advanceBy(31_000);
  t.is(sim.registrar.user.requests.length, 4, 'tried again 30 s later');
  registration.close();
  await sim.clock.advanceBy(60_000);
  t.is(sim.registrar.user.requests.length, 4);
  t.deepEqual(leakReport({ clock: sim.clock, alice: sim.alice, bob: sim.alice }), []);
});
