import test from 'ava';
import { headerValue, headerValues, type SipResponse } from '../../domain/sip/message.js';
import { pbx } from '../support/pbx-harness.js';
import {
  authorization, challengeFor, rawClient, registerText, requestText, type RawClient,
} from '../support/raw-sip-client.js';

const USERS = { alice: 'wonderland', bob: 'builder' };
const status = (answer: SipResponse | 'timeout'): number | 'timeout' => (answer === 'timeout' ? answer : answer.status);
const response = (answer: SipResponse | 'timeout'): SipResponse => {
  if (answer === 'timeout') throw new Error('no answer');
  return answer;
};

/** A request from alice at 10.0.0.50. */
const fromAlice = (method: string, uri: string, callId: string, extra: string[] = [], body = ''): string =>
  requestText(method, uri, 'sip:alice@10.0.0.1', '10.0.0.50', callId, extra, body);
const REG = { method: 'REGISTER', uri: 'sip:10.0.0.1' } as const;

const serving = (seed: number, extra: Record<string, unknown> = {}) => pbx(seed, (b) => b.withRegistrar()
  .withAuthentication({ realm: 'pbx.test', users: USERS, ...extra }));

/** REGISTER as `user`, answering the challenge with `algorithm` and `password`. */
const registerAs = async (
  phone: RawClient, user: string, password: string, algorithm: string, callId: string, cseq = 1,
): Promise<SipResponse | 'timeout'> => {
  const base = { user, domain: '10.0.0.1', callId, contacts: [`<sip:${user}@10.0.0.50>`], expires: 600 };
  const challenge = challengeFor(response(await phone.ask(registerText({ ...base, cseq }, '10.0.0.50'))), algorithm);
  if (challenge === undefined) throw new Error(`no ${algorithm} challenge`);
  const auth = authorization(challenge, { username: user, password, method: 'REGISTER', uri: 'sip:10.0.0.1', nc: 1 });
  return phone.ask(registerText({ ...base, cseq: cseq + 1, extra: [auth] }, '10.0.0.50'));
};

test('Digest: REGISTER is challenged 401 offering SHA-256 then MD5 (RFC 8760); either answer registers', async (t) => {
  const sim = await serving(601);
  const phone = rawClient(sim.network, sim.clock, '10.0.0.50');
  const first = response(await phone.ask(registerText({
    user: 'alice', domain: '10.0.0.1', callId: 'a1', cseq: 1, contacts: ['<sip:alice@10.0.0.50>'],
  }, '10.0.0.50')));
  t.is(first.status, 401);
  const offered = headerValues(first, 'WWW-Authenticate');
  t.deepEqual(offered.map((h) => /algorithm=([\w-]+)/.exec(h)?.[1]), ['SHA-256', 'MD5']);
  for (const h of offered) {
    t.true(h.includes('realm="pbx.test"') && h.includes('qop="auth,auth-int"') && h.includes('opaque='), h);
  }
  t.is(status(await registerAs(phone, 'alice', 'wonderland', 'MD5', 'a2')), 200);
  t.is(status(await registerAs(phone, 'bob', 'builder', 'SHA-256', 'b1')), 200);
  t.is((await sim.coordinator.listBindings()).length, 2);
  t.like(sim.coordinator.authenticationCounters(), { accepted: 2, failed: 0 });
  await phone.close();
  await sim.coordinator.stop();
});

test('Digest: a wrong password, an unknown user and someone else\'s address are refused', async (t) => {
  const sim = await serving(602);
  const phone = rawClient(sim.network, sim.clock, '10.0.0.50');
  t.is(status(await registerAs(phone, 'alice', 'guess', 'SHA-256', 'w1')), 401);
  t.is(status(await registerAs(phone, 'mallory', 'x', 'MD5', 'w2')), 401);
  // Bob's credentials for Alice's address of record: authenticated, but not as her (RFC 3261 §10.3 step 3).
  const base = { user: 'alice', domain: '10.0.0.1', callId: 'w3', contacts: ['<sip:eve@10.0.0.66>'] };
  const challenge = challengeFor(response(await phone.ask(registerText({ ...base, cseq: 1 }, '10.0.0.50'))), 'MD5');
  const auth = authorization(challenge!, { username: 'bob', password: 'builder', ...REG, nc: 1 });
  t.is(status(await phone.ask(registerText({ ...base, cseq: 2, extra: [auth] }, '10.0.0.50'))), 403);
  t.deepEqual(await sim.coordinator.listBindings(), []);
  t.like(sim.coordinator.authenticationCounters(), { failed: 2 });
  await phone.close();
  await sim.coordinator.stop();
});

test('Digest: other methods get 407 Proxy-Authenticate; challenge "www" makes them 401', async (t) => {
  const sim = await serving(603);
  const phone = rawClient(sim.network, sim.clock, '10.0.0.50');
  const message = response(await phone.ask(fromAlice('MESSAGE', 'sip:bob@10.0.0.1', 'm1')));
  t.is(message.status, 407);
  t.is(headerValues(message, 'Proxy-Authenticate').length, 2);
  const challenge = challengeFor(message, 'SHA-256')!;
  const auth = authorization(challenge, {
    username: 'alice', password: 'wonderland', method: 'MESSAGE', uri: 'sip:bob@10.0.0.1', nc: 1, proxy: true,
  });
  t.is(status(await phone.ask(fromAlice('MESSAGE', 'sip:bob@10.0.0.1', 'm2', [auth], 'hi'))), 200);
  const options = response(await phone.ask(fromAlice('OPTIONS', 'sip:10.0.0.1', 'o1')));
  t.is(options.status, 200, 'OPTIONS is not among the methods challenged');
  await phone.close();
  await sim.coordinator.stop();
  const www = await serving(604, { challenge: 'www' });
  const other = rawClient(www.network, www.clock, '10.0.0.50');
  const answer = response(await other.ask(fromAlice('MESSAGE', 'sip:bob@10.0.0.1', 'm3')));
  t.is(answer.status, 401);
  t.is(headerValues(answer, 'WWW-Authenticate').length, 2);
  await other.close();
  await www.coordinator.stop();
});

test('Digest: an expired nonce is challenged again with stale=true; a replayed nonce count is refused', async (t) => {
  const sim = await serving(605, { nonceLifetimeSec: 30 });
  const phone = rawClient(sim.network, sim.clock, '10.0.0.50');
  const base = { user: 'alice', domain: '10.0.0.1', callId: 's1', contacts: ['<sip:alice@10.0.0.50>'], expires: 600 };
  const first = response(await phone.ask(registerText({ ...base, cseq: 1 }, '10.0.0.50')));
  const challenge = challengeFor(first, 'SHA-256')!;
  const auth = (nc: number): string => authorization(
    challenge, { username: 'alice', password: 'wonderland', ...REG, nc },
  );
  t.is(status(await phone.ask(registerText({ ...base, cseq: 2, extra: [auth(1)] }, '10.0.0.50'))), 200);
  const replay = response(await phone.ask(registerText({ ...base, cseq: 3, extra: [auth(1)] }, '10.0.0.50')));
  t.is(replay.status, 401, 'the same nonce count again');
  t.true(headerValues(replay, 'WWW-Authenticate').every((h) => h.includes('stale=true')));
  t.is(status(await phone.ask(registerText({ ...base, cseq: 4, extra: [auth(2)] }, '10.0.0.50'))), 200, 'counting up');
  await sim.clock.advanceBy(40_000);
  const stale = response(await phone.ask(registerText({ ...base, cseq: 5, extra: [auth(3)] }, '10.0.0.50')));
  t.is(stale.status, 401);
  t.true(headerValue(stale, 'WWW-Authenticate')?.includes('stale=true'), 'right password, old nonce: stale');
  t.like(sim.coordinator.authenticationCounters(), { failed: 0 }, 'neither counts as a wrong password');
  const fresh = challengeFor(stale, 'SHA-256')!;
  const again = authorization(fresh, { username: 'alice', password: 'wonderland', ...REG, nc: 1 });
  t.is(status(await phone.ask(registerText({ ...base, cseq: 6, extra: [again] }, '10.0.0.50'))), 200);
  await phone.close();
  await sim.coordinator.stop();
});

test('Digest: an unknown algorithm or a forged nonce earns a fresh challenge, never a 200', async (t) => {
  const sim = await serving(606);
  const phone = rawClient(sim.network, sim.clock, '10.0.0.50');
  const base = { user: 'alice', domain: '10.0.0.1', callId: 'u1', contacts: ['<sip:alice@10.0.0.50>'] };
  const challenge = challengeFor(response(await phone.ask(registerText({ ...base, cseq: 1 }, '10.0.0.50'))), 'MD5')!;
  const right = { username: 'alice', password: 'wonderland', method: 'REGISTER', uri: 'sip:10.0.0.1', nc: 1 };
  t.is(status(await phone.ask(registerText({
    ...base, cseq: 2, extra: [authorization(challenge, { ...right, algorithm: 'SHA3-999' })],
  }, '10.0.0.50'))), 401);
  t.is(status(await phone.ask(registerText({
    ...base, cseq: 3, extra: [authorization({ ...challenge, nonce: 'bm9wZQ' }, right)],
  }, '10.0.0.50'))), 401);
  t.is(status(await phone.ask(registerText({
    ...base, cseq: 4, extra: ['Authorization: Digest garbage'],
  }, '10.0.0.50'))), 401);
  t.deepEqual(await sim.coordinator.listBindings(), []);
  await phone.close();
  await sim.coordinator.stop();
});

test('Digest: a password-guessing flood from one address is refused 403 with Retry-After; others are not', async (t) => {
  const sim = await serving(607, { maxFailures: 5, failureWindowSec: 60 });
  const guesser = rawClient(sim.network, sim.clock, '10.0.0.66');
  const phone = rawClient(sim.network, sim.clock, '10.0.0.50');
  const statuses: Array<number | 'timeout'> = [];
  for (let i = 0; i < 30; i++) {
    const base = { user: 'alice', domain: '10.0.0.1', callId: `g${i}`, contacts: ['<sip:alice@10.0.0.66>'] };
    const first = response(await guesser.ask(registerText({ ...base, cseq: 1 }, '10.0.0.66')));
    const challenge = challengeFor(first, 'MD5');
    if (challenge === undefined) {
      statuses.push(first.status);
      continue;
    }
    const guess = authorization(challenge, {
      username: 'alice', password: `guess${i}`, method: 'REGISTER', uri: 'sip:10.0.0.1', nc: 1,
    });
    statuses.push(status(await guesser.ask(registerText({ ...base, cseq: 2, extra: [guess] }, '10.0.0.66'))));
  }
  t.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
  t.true(statuses.slice(5).every((s) => s === 403), statuses.join(','));
  const refused = response(await guesser.ask(registerText({
    user: 'alice', domain: '10.0.0.1', callId: 'g-last', cseq: 1, contacts: ['<sip:alice@10.0.0.66>'],
  }, '10.0.0.66')));
  t.is(refused.status, 403);
  t.regex(headerValue(refused, 'Retry-After') ?? '', /^\d+$/);
  t.true((sim.coordinator.authenticationCounters()?.throttled ?? 0) >= 25);
  t.is(status(await registerAs(phone, 'alice', 'wonderland', 'SHA-256', 'ok1')), 200, 'another address is served');
  await sim.clock.advanceBy(61_000);
  t.is(status(await registerAs(guesser, 'alice', 'wonderland', 'MD5', 'ok2')), 200, 'served again after the wait');
  await guesser.close();
  await phone.close();
  await sim.coordinator.stop();
});

test('Digest: a flood of unauthenticated INVITEs is challenged statelessly; nothing is kept per request', async (t) => {
  const sim = await serving(608);
  const flooder = rawClient(sim.network, sim.clock, '10.0.0.66');
  const answers = await Promise.all(Array.from({ length: 300 }, async (_, i) => {
    const sent = flooder.send(requestText('INVITE', 'sip:bob@10.0.0.1', 'sip:x@10.0.0.66', '10.0.0.66', `f${i}`));
    return sent;
  }).concat([sim.clock.advanceBy(5_000).then(() => 'timeout' as const)]));
  t.true(answers.slice(0, 300).every((a) => a !== 'timeout' && a.status === 407));
  t.deepEqual(sim.coordinator.listActiveSessions(), [], 'no call was created');
  t.like(sim.coordinator.authenticationCounters(), { challenged: 300, failed: 0, accepted: 0 });
  await sim.clock.advanceBy(40_000);
  t.is(sim.coordinator.resources().transactions, 0, 'every INVITE transaction ended');
  await flooder.close();
  await sim.coordinator.stop();
  t.is(sim.clock.pendingTimers(), 0);
});
