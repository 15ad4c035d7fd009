import test from 'ava';
import { headerValue, headerValues, type SipResponse } from '../../domain/sip/message.js';
import { pbx } from '../support/pbx-harness.js';
import { rawClient, registerText } from '../support/raw-sip-client.js';

const status = (answer: SipResponse | 'timeout'): number | 'timeout' => (answer === 'timeout' ? answer : answer.status);
const contacts = (answer: SipResponse | 'timeout'): string[] => (
  answer === 'timeout' ? [] : headerValues(answer, 'Contact')
);

test('registrar: bindings added, listed with what they have left, refreshed, removed one by one and with *', async (t) => {
  const sim = await pbx(501, (b) => b.withRegistrar({ minExpiresSec: 60, maxExpiresSec: 600 }));
  const phone = rawClient(sim.network, sim.clock, '10.0.0.50');
  const reg = (cseq: number, contact: string[], expires?: number, callId = 'reg-1') => phone.ask(registerText(
    { user: 'bob', domain: '10.0.0.1', callId, cseq, contacts: contact, ...(expires === undefined ? {} : { expires }) },
    '10.0.0.50',
  ));
  const first = await reg(1, ['<sip:bob@10.0.0.50:5060>'], 300);
  t.is(status(first), 200);
  t.deepEqual(contacts(first), ['<sip:bob@10.0.0.50:5060>;expires=300']);
  t.regex(headerValue(first as SipResponse, 'Date') ?? '', /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  const second = await reg(2, ['<sip:bob@10.0.0.50:5070>;q=0.9;expires=120']);
  t.is(contacts(second).length, 2, 'the 200 lists every binding of the AOR');
  t.deepEqual((await sim.coordinator.lookup('sip:bob@10.0.0.1')).map((b) => b.uri), [
    'sip:bob@10.0.0.50:5070', 'sip:bob@10.0.0.50:5060',
  ], 'highest q first');
  t.is((await sim.coordinator.lookup('bob@10.0.0.1')).length, 2, 'any spelling of the AOR');
  await sim.clock.advanceBy(30_000);
  const refreshed = await reg(3, ['<sip:bob@10.0.0.50:5060>'], 300);
  t.true(contacts(refreshed).some((c) => c.endsWith(';expires=300')));
  t.true(contacts(refreshed).some((c) => /5070>;expires=(8\d|9\d);q=0.9$/.test(c)), contacts(refreshed).join(' | '));
  const removed = await reg(4, ['<sip:bob@10.0.0.50:5070>'], 0);
  t.deepEqual(contacts(removed), ['<sip:bob@10.0.0.50:5060>;expires=300']);
  const query = await reg(5, []);
  t.deepEqual(contacts(query), ['<sip:bob@10.0.0.50:5060>;expires=300'], 'no Contact: a query');
  t.is(status(await reg(6, ['*'], 0)), 200);
  t.deepEqual(await sim.coordinator.listBindings(), []);
  t.deepEqual(sim.events.filter((e) => e.type.startsWith('Registration')).map((e) => e.type), [
    'RegistrationAdded', 'RegistrationAdded', 'RegistrationRefreshed', 'RegistrationRemoved', 'RegistrationRemoved',
  ]);
  await phone.close();
  await sim.coordinator.stop();
  t.is(sim.clock.pendingTimers(), 0, 'the sweep timer went with the stop');
});

test('registrar: 423 with Min-Expires, absurd expiries capped, * needs Expires 0, ordering, foreign domains', async (t) => {
  const sim = await pbx(502, (b) => b.withRegistrar({ minExpiresSec: 60, maxExpiresSec: 3600 }));
  const phone = rawClient(sim.network, sim.clock, '10.0.0.50');
  const reg = (r: Partial<Parameters<typeof registerText>[0]>) => phone.ask(registerText({
    user: 'bob', domain: '10.0.0.1', callId: 'reg-2', cseq: 1, contacts: ['<sip:bob@10.0.0.50>'], ...r,
  }, '10.0.0.50'));
  const brief = await reg({ cseq: 10, expires: 10 });
  t.is(status(brief), 423);
  t.is(headerValue(brief as SipResponse, 'Min-Expires'), '60');
  t.deepEqual(contacts(await reg({ cseq: 20, expires: 99_999_999_999 })), ['<sip:bob@10.0.0.50>;expires=3600']);
  t.is(status(await reg({ cseq: 30, contacts: ['*'] })), 400, '* without Expires: 0');
  t.is(status(await reg({ cseq: 31, contacts: ['*', '<sip:bob@10.0.0.50>'], expires: 0 })), 400, '* with others');
  t.is(status(await reg({ cseq: 15, expires: 600 })), 500, 'an older CSeq in the same Call-ID');
  t.is(status(await reg({ cseq: 40, contacts: ['<sip:bob@10.0.0.50'] })), 400, 'a malformed Contact');
  t.is(status(await reg({ cseq: 41, contacts: ['<sip:bob@10.0.0.50>;expires=tomorrow'] })), 400);
  t.is(status(await reg({ cseq: 42, domain: 'elsewhere.example' })), 403, 'a domain not ours');
  const many = Array.from({ length: 1_000 }, (_, i) => `<sip:bob@10.0.0.50:${10_000 + i}>`);
  t.is(status(await reg({ cseq: 43, contacts: [many.join(', ')] })), 403, 'a thousand contacts');
  t.is((await sim.coordinator.lookup('sip:bob@10.0.0.1')).length, 1, 'nothing refused changed the bindings');
  await phone.close();
  await sim.coordinator.stop();
});

test('registrar: expired bindings are swept (one timer for all) with RegistrationExpired; nothing is left', async (t) => {
  const sim = await pbx(503, (b) => b.withRegistrar({ minExpiresSec: 60, sweepIntervalMs: 5_000 }));
  const phone = rawClient(sim.network, sim.clock, '10.0.0.50');
  for (let i = 0; i < 50; i++) {
    const answer = await phone.ask(registerText({
      user: `u${i}`, domain: '10.0.0.1', callId: `c${i}`, cseq: 1, contacts: [`<sip:u${i}@10.0.0.50>`],
      expires: 60 + (i % 3) * 30,
    }, '10.0.0.50'));
    t.is(status(answer), 200);
  }
  t.is((await sim.coordinator.listBindings()).length, 50);
  const timers = sim.clock.pendingTimers();
  await sim.clock.advanceBy(90_000);
  t.is((await sim.coordinator.listBindings()).length, 16, 'those of 120 s are left');
  await sim.clock.advanceBy(40_000);
  t.deepEqual(await sim.coordinator.listBindings(), []);
  t.is(sim.events.filter((e) => e.type === 'RegistrationExpired').length, 50);
  t.true(timers <= 3, `timers while holding 50 bindings: ${timers}`);
  await phone.close();
  await sim.coordinator.stop();
  t.is(sim.clock.pendingTimers(), 0);
});
