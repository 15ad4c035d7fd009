import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import type { InviteSession } from '../../application/ua/invite-session.js';
import { buildRequest } from '../../domain/sip/build-request.js';
import { headerValue, type SipRequest, type SipResponse } from '../../domain/sip/message.js';
import { parseUri } from '../../domain/sip/parse-uri.js';
import { sipUri } from '../../domain/sip/uri.js';
import { endpoint } from '../../domain/transport/endpoint.js';
import { right } from '../support/either.js';
import { simSeeds } from '../support/sim-seed.js';
import { sendTimes } from '../support/transaction-harness.js';
import { leakReport, uaPair } from '../support/ua-harness.js';

/** Sets up an answered call and returns both sessions. */
const established = async (seed: number, link = {}) => {
  const sim = uaPair(seed, link);
  let bobSession: InviteSession | undefined;
  sim.bob.onInvite = (invite) => {
    const accepted = invite.accept();
    if (E.isRight(accepted)) bobSession = accepted.right;
  };
  const outgoing = right(undefined as never, sim.alice.ua.invite({ to: sim.bob.address, from: sim.alice.address }));
  // Under loss, leave room for the whole INVITE/2xx/ACK retransmission schedule.
  await sim.clock.advanceBy('lossRatio' in link ? 40_000 : 2_000);
  const outcome = await outgoing.outcome;
  if (outcome.kind !== 'Answered' || bobSession === undefined) throw new Error(`call not answered: ${outcome.kind}`);
  return { sim, aliceSession: outcome.session, bobSession };
};

const finish = async (
  t: Parameters<typeof right>[0], sim: Awaited<ReturnType<typeof established>>['sim'], session: InviteSession,
): Promise<void> => {
  void session.bye();
  await sim.clock.runUntilIdle();
  t.deepEqual(leakReport(sim), []);
};

test('re-INVITE from either side: offer answered, ACKed, target refreshed (§14)', async (t) => {
  const { sim, aliceSession, bobSession } = await established(51);
  const offers: string[] = [];
  bobSession.setHandler({
    onModify: (r) => (offers.push(new TextDecoder().decode(r.body)), { status: 200, body: new TextEncoder().encode('answer'), contentType: 'application/sdp' }),
  });
  const outcome = aliceSession.reinvite({ body: new TextEncoder().encode('hold'), contentType: 'application/sdp' });
  await sim.clock.advanceBy(1_000);
  const result = await outcome;
  t.like(result, { kind: 'Response', response: { status: 200 } });
  t.deepEqual(offers, ['hold']);
  t.is(sendTimes(sim.network.trace.lines, 'ACK').length, 2, 'initial ACK and re-INVITE ACK');
  const back = bobSession.reinvite({});
  await sim.clock.advanceBy(1_000);
  t.like(await back, { kind: 'Response', response: { status: 200 } });
  await finish(t, sim, aliceSession);
});

test('glare: re-INVITEs crossing → 491 both ways, then each retries after its §14.1 delay and succeeds', async (t) => {
  const { sim, aliceSession, bobSession } = await established(52, { oneWayDelayMinMs: 20 });
  const a = aliceSession.reinvite({});
  const b = bobSession.reinvite({});
  await sim.clock.runUntilIdle(15_000);
  t.like(await a, { kind: 'Response', response: { status: 200 } });
  t.like(await b, { kind: 'Response', response: { status: 200 } });
  const responses491 = sendTimes(sim.network.trace.lines, 'SIP/2.0 491');
  t.is(responses491.length, 2);
  const reinvites = sendTimes(sim.network.trace.lines.filter((l) => l.includes('INVITE sip:')), 'INVITE').slice(1);
  // alice owns the Call-ID (she placed the call): she waits 2.1–4 s; bob 0–2 s.
  const aliceRetry = sim.network.trace.lines.filter((l) => l.includes(' send 10.0.0.1:5060') && l.includes('INVITE sip:')).map((l) => Number(l.split(' ')[0]))[2]!;
  const bobRetry = sim.network.trace.lines.filter((l) => l.includes(' send 10.0.0.2:5060') && l.includes('INVITE sip:')).map((l) => Number(l.split(' ')[0]))[1]!;
  t.true(reinvites.length >= 4);
  // Both re-INVITEs left at 2,000 ms; each 491 arrived 40 ms later.
  const gotGlare = 2_040;
  t.true(aliceRetry - gotGlare >= 2_100 && aliceRetry - gotGlare <= 4_000, `alice retried at ${aliceRetry}`);
  t.true(bobRetry - gotGlare >= 0 && bobRetry - gotGlare <= 2_000, `bob retried at ${bobRetry}`);
  await finish(t, sim, aliceSession);
});

test('glare under 30 % loss: both re-INVITEs still end in 200 after their retries, and nothing leaks', async (t) => {
  for (const seed of simSeeds([56, 57, 58])) {
    const { sim, aliceSession, bobSession } = await established(seed, { oneWayDelayMinMs: 20, lossRatio: 0.3 });
    const a = aliceSession.reinvite({}, 5);
    const b = bobSession.reinvite({}, 5);
    await sim.clock.advanceBy(120_000);
    const outcomes = [await a, await b];
    t.true(
      outcomes.every((o) => o.kind === 'Response' && o.response.status === 200) || outcomes.some(
        (o) => o.kind === 'Timeout',
      ),
      `SIM_SEED=${seed}: ${JSON.stringify(outcomes.map((o) => (o.kind === 'Response' ? o.response.status : o.kind)))}`,
    );
    if (!aliceSession.terminated) void aliceSession.bye();
    await sim.clock.runUntilIdle();
    t.deepEqual(leakReport(sim), [], `SIM_SEED=${seed}`);
  }
});

test('a re-INVITE while the previous one awaits its ACK → 500 with Retry-After (§14.2)', async (t) => {
  const { sim, aliceSession, bobSession } = await established(53);
  let second: Promise<unknown> | undefined;
  bobSession.setHandler({
    onModify: () => {
      if (second === undefined) {
        // Lose alice's ACK for this re-INVITE, then let her send another one.
        sim.network.setLink('10.0.0.1', '10.0.0.2', { lossRatio: 1 }, true);
        sim.clock.schedule(100, () => {
          sim.network.setLink('10.0.0.1', '10.0.0.2', { lossRatio: 0 }, true);
          second = aliceSession.reinvite({}, 1);
        });
        second = Promise.resolve();
      }
      return { status: 200 };
    },
  });
  void aliceSession.reinvite({});
  await sim.clock.advanceBy(1_000);
  const outcome = (await second) as { kind: string; response?: SipResponse };
  t.is(outcome.response?.status, 500);
  t.regex(headerValue(outcome.response!, 'Retry-After') ?? '', /^[0-9]$/);
  await finish(t, sim, aliceSession);
});

test('UPDATE (RFC 3311) and INFO (RFC 6086) reach the other side\'s handler; OPTIONS in a dialog lists capabilities', async (t) => {
  const { sim, aliceSession, bobSession } = await established(54);
  const seen: string[] = [];
  bobSession.setHandler({
    onModify: (r) => (seen.push(r.method), { status: 200 }),
    onRequest: (r) => (seen.push(`${r.method}:${new TextDecoder().decode(r.body)}`), { status: 200 }),
  });
  const update = aliceSession.update({});
  const info = aliceSession.info(new TextEncoder().encode('Signal=5\r\nDuration=160\r\n'), 'application/dtmf-relay');
  const options = aliceSession.sendRequest('OPTIONS');
  await sim.clock.advanceBy(1_000);
  t.like(await update, { kind: 'Response', response: { status: 200 } });
  t.like(await info, { kind: 'Response', response: { status: 200 } });
  const opt = await options;
  if (opt.kind !== 'Response') return t.fail();
  t.regex(headerValue(opt.response, 'Allow') ?? '', /INVITE.*BYE.*UPDATE.*INFO/);
  t.truthy(headerValue(opt.response, 'Accept'));
  t.truthy(headerValue(opt.response, 'Supported'));
  t.deepEqual(seen, ['UPDATE', 'INFO:Signal=5\r\nDuration=160\r\n']);
  await finish(t, sim, aliceSession);
});

test('a request with a lower CSeq than the last one gets 500 (§12.2.2); the dialog survives', async (t) => {
  const { sim, aliceSession } = await established(55);
  const first = aliceSession.sendRequest('INFO');
  await sim.clock.advanceBy(500);
  t.like(await first, { kind: 'Response', response: { status: 200 } });
  // Rewind alice's sequence number by hand to provoke the check.
  aliceSession.dialog = { ...aliceSession.dialog, localSeq: aliceSession.dialog.localSeq - 5 };
  const stale = aliceSession.sendRequest('INFO');
  await sim.clock.advanceBy(1_000);
  t.like(await stale, { kind: 'Response', response: { status: 500, reason: 'CSeq Out Of Order' } });
  t.is(sim.bob.ua.counts().dialogs, 1);
  aliceSession.dialog = { ...aliceSession.dialog, localSeq: aliceSession.dialog.localSeq + 100 };
  await finish(t, sim, aliceSession);
});

/** Sends a hand-built request from alice's transport and returns the response. */
const raw = async (sim: ReturnType<typeof uaPair>, request: SipRequest): Promise<SipResponse> => {
  const responses: SipResponse[] = [];
  right(
    undefined as never,
    sim.alice.ua.layer.sendRequest(
      request, endpoint('udp', '10.0.0.2', 5060), { onResponse: (r) => r.status >= 200 && responses.push(r) },
    ),
  );
  await sim.clock.advanceBy(1_000);
  return responses[0]!;
};

const outOfDialog = (method: string, extra: Partial<Parameters<typeof buildRequest>[0]> = {}, toTag?: string): SipRequest => buildRequest({
  method, uri: sipUri('10.0.0.2', { user: 'bob' }),
  from: { uri: sipUri('10.0.0.1', { user: 'alice' }), params: [{ name: 'tag', value: 'x1' }] },
  to: { uri: sipUri('10.0.0.2', { user: 'bob' }), params: toTag === undefined ? [] : [{ name: 'tag', value: toTag }] },
  callId: `raw-${method}-${Math.abs(JSON.stringify(extra).length)}`, cseq: 1,
  vias: [
    {
      protocolName: 'SIP', protocolVersion: '2.0', transport: 'UDP', host: '10.0.0.1', port: 5060,
      params: [{ name: 'branch', value: `z9hG4bKraw${method}${toTag ?? ''}${JSON.stringify(extra).length}` }],
    },
  ],
  contact: { uri: sipUri('10.0.0.1', { user: 'alice' }), params: [] },
  ...extra,
});

const rejections: ReadonlyArray<[string, () => SipRequest, number]> = [
  ['a BYE for an unknown dialog', () => outOfDialog('BYE', {}, 'nope'), 481],
  ['a BYE with no To tag', () => outOfDialog('BYE'), 481],
  ['an INVITE with Max-Forwards 0', () => outOfDialog('INVITE', { maxForwards: 0 }), 483],
  [
    'an INVITE requiring an unknown extension',
    () => outOfDialog('INVITE', { headers: [{ name: 'Require', value: 'foo' }] }), 420,
  ],
  [
    'an INVITE asking for a 60 s session interval (RFC 4028 §9: below our Min-SE)',
    () => outOfDialog(
      'INVITE', { headers: [{ name: 'Supported', value: 'timer' }, { name: 'Session-Expires', value: '60' }] },
    ),
    422,
  ],
  ['a PUBLISH (known, not allowed)', () => outOfDialog('PUBLISH'), 405],
  ['an unknown method (§8.2.1)', () => outOfDialog('FROB'), 405],
  ['a CANCEL matching nothing', () => outOfDialog('CANCEL'), 481],
];

for (const [situation, make, status] of rejections) {
  test(`UAS: ${situation} → ${status}`, async (t) => {
    const sim = uaPair(60);
    const response = await raw(sim, make());
    t.is(response.status, status);
    if (status === 405) t.regex(headerValue(response, 'Allow') ?? '', /INVITE, ACK, BYE/);
    if (status === 420) t.is(headerValue(response, 'Unsupported'), 'foo');
    if (status === 422) t.is(headerValue(response, 'Min-SE'), '90');
    await sim.clock.runUntilIdle();
    t.deepEqual(leakReport(sim), []);
  });
}

test('UAS: an INVITE with an unsupported Request-URI scheme → 416', async (t) => {
  const sim = uaPair(61);
  const request = { ...outOfDialog('INVITE'), uri: right(t, parseUri('mailto:bob@example.com')) };
  t.is((await raw(sim, request)).status, 416);
  await sim.clock.runUntilIdle();
  t.deepEqual(leakReport(sim), []);
});

test('UAS: OPTIONS outside a dialog → 200 with Allow, Accept and Supported', async (t) => {
  const sim = uaPair(62);
  const outcome = sim.alice.ua.options(sim.bob.address.uri, sim.alice.address);
  await sim.clock.advanceBy(1_000);
  const result = await outcome;
  if (result.kind !== 'Response') return t.fail();
  t.is(result.response.status, 200);
  t.regex(headerValue(result.response, 'Allow') ?? '', /OPTIONS/);
  await sim.clock.runUntilIdle();
  t.deepEqual(leakReport(sim), []);
});

test('UAS: the same INVITE arriving on two branches (a merged request) → 482 for the second (§8.2.2.2)', async (t) => {
  const sim = uaPair(63);
  sim.bob.onInvite = (invite) => void invite.provisional(180);
  const first = outOfDialog('INVITE');
  const second = {
    ...first,
    headers: first.headers.map(
      (h) => (h.name === 'Via' ? { name: 'Via', value: h.value.replace('z9hG4bKraw', 'z9hG4bKother') } : h),
    ),
  };
  const statuses: number[] = [];
  right(
    t,
    sim.alice.ua.layer.sendRequest(
      first, endpoint('udp', '10.0.0.2', 5060), { onResponse: (r) => statuses.push(r.status) },
    ),
  );
  right(
    t,
    sim.alice.ua.layer.sendRequest(
      second, endpoint('udp', '10.0.0.2', 5060), { onResponse: (r) => statuses.push(r.status) },
    ),
  );
  await sim.clock.advanceBy(1_000);
  t.true(statuses.includes(482));
  t.is(sim.bob.invites.length, 1);
  void sim.bob.invites[0]!.reject(480);
  await sim.clock.runUntilIdle();
  t.deepEqual(leakReport(sim), []);
});
