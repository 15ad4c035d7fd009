import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import type { SipRequest } from '../../domain/sip/message.js';
import { endpoint } from '../../domain/transport/endpoint.js';
import { right } from '../support/either.js';
import { request } from '../support/sip-builders.js';
import { sendTimes, twoNodes } from '../support/transaction-harness.js';

const nowhere = endpoint('udp', '10.0.0.99', 5060);

const assertClean = (t: Parameters<typeof right>[0], sim: ReturnType<typeof twoNodes>): void => {
  t.deepEqual(sim.alice.layer.counts(), { ict: 0, nict: 0, ist: 0, nist: 0 });
  t.deepEqual(sim.bob.layer.counts(), { ict: 0, nict: 0, ist: 0, nist: 0 });
  t.is(sim.clock.pendingTimers(), 0);
};

test('ICT over UDP: INVITE sent at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; Timer B fires once at 32 s (RFC 3261 17.1.1.2)', async (t) => {
  const sim = twoNodes(1);
  const timeouts: number[] = [];
  right(
    t,
    sim.alice.layer.sendRequest(
      request('INVITE'), nowhere, { onResponse: () => t.fail(), onTimeout: () => timeouts.push(sim.clock.nowMs()) },
    ),
  );
  await sim.clock.runUntilIdle();
  t.deepEqual(sendTimes(sim.network.trace.lines, 'INVITE'), [0, 500, 1500, 3500, 7500, 15500, 31500]);
  t.deepEqual(timeouts, [32000]);
  assertClean(t, sim);
});

test('NICT over UDP: retransmissions double to T2 and stay there; Timer F fires once at 32 s (17.1.2.2)', async (t) => {
  const sim = twoNodes(1);
  const timeouts: number[] = [];
  right(
    t,
    sim.alice.layer.sendRequest(
      request('OPTIONS'), nowhere, { onResponse: () => t.fail(), onTimeout: () => timeouts.push(sim.clock.nowMs()) },
    ),
  );
  await sim.clock.runUntilIdle();
  t.deepEqual(
    sendTimes(sim.network.trace.lines, 'OPTIONS'), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
  );
  t.deepEqual(timeouts, [32000]);
  assertClean(t, sim);
});

test('over TCP nothing is retransmitted; a silent peer times the OPTIONS out, the INVITE waits in Proceeding after 100', async (t) => {
  const sim = twoNodes(2);
  const timeouts: string[] = [];
  const inviteResponses: number[] = [];
  right(
    t,
    sim.alice.layer.sendRequest(
      request('INVITE', 'z9hG4bKtcp1'), endpoint('tcp', '10.0.0.2', 5060),
      { onResponse: (r) => inviteResponses.push(r.status), onTimeout: () => timeouts.push('INVITE') },
    ),
  );
  right(
    t,
    sim.alice.layer.sendRequest(
      request('OPTIONS', 'z9hG4bKtcp2'), endpoint('tcp', '10.0.0.2', 5060),
      { onResponse: () => undefined, onTimeout: () => timeouts.push('OPTIONS') },
    ),
  );
  await sim.clock.runUntilIdle();
  t.is(sendTimes(sim.network.trace.lines, 'INVITE').length, 1);
  t.is(sendTimes(sim.network.trace.lines, 'OPTIONS').length, 1);
  // Bob's IST sent 100 Trying at 200 ms; a Proceeding ICT has no timer of its own (the TU's answer timeout applies).
  t.deepEqual(timeouts, ['OPTIONS']);
  t.deepEqual(inviteResponses, [100]);
  t.deepEqual(sim.alice.layer.counts(), { ict: 1, nict: 0, ist: 0, nist: 0 });
  t.is(sim.bob.user.requests.length, 2);
  sim.alice.layer.close();
  sim.bob.layer.close();
  await sim.alice.transport.close();
  await sim.bob.transport.close();
  await sim.clock.runUntilIdle();
  assertClean(t, sim);
});

test('INVITE answered 486: ACK absorbed by Confirmed (Timer I = 5 s), the client keeps Completed for Timer D = 32 s', async (t) => {
  const sim = twoNodes(3);
  sim.bob.user.answer = (req, tx) => void tx.respond(buildResponse(req, 486, { toTag: 'busy' }));
  const responses: number[] = [];
  const ends: Array<[string, number]> = [];
  right(t, sim.alice.layer.sendRequest(request('INVITE'), endpoint('udp', '10.0.0.2', 5060), {
    onResponse: (r) => responses.push(r.status),
    onTerminated: (reason) => ends.push([reason, sim.clock.nowMs()]),
  }));
  await sim.clock.runUntilIdle();
  t.deepEqual(responses, [486]);
  t.is(sendTimes(sim.network.trace.lines, 'ACK').length, 1);
  // The 486 arrives at t=2 ms (1 ms each way), so Timer D ends the ICT at 32,002 ms;
  // the ACK reaches bob at 3 ms and Timer I ends the IST 5 s later.
  t.deepEqual(ends, [['Done', 32_002]]);
  t.deepEqual(sim.bob.user.serverEnds, [{ method: 'INVITE', reason: 'Done', atMs: 3 + 5_000 }]);
  t.is(sim.bob.user.acks.length, 0, 'the non-2xx ACK stays in the transaction layer');
  assertClean(t, sim);
});

test('INVITE answered 486 but every ACK lost: Timer G retransmits, Timer H reports one timeout (17.2.1)', async (t) => {
  const sim = twoNodes(4);
  sim.bob.user.answer = (req, tx) => {
    void tx.respond(buildResponse(req, 486, { toTag: 'busy' }));
    sim.network.partition(['10.0.0.1'], ['10.0.0.2']);
  };
  right(
    t,
    sim.alice.layer.sendRequest(request('INVITE'), endpoint('udp', '10.0.0.2', 5060), { onResponse: () => undefined }),
  );
  await sim.clock.runUntilIdle();
  const retransmits = sendTimes(sim.network.trace.lines, 'SIP/2.0 486').map((ms) => ms - 1);
  t.deepEqual(retransmits, [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  t.deepEqual(sim.bob.user.serverEnds, [{ method: 'INVITE', reason: 'Timeout', atMs: 1 + 32_000 }]);
  assertClean(t, sim);
});

test('non-INVITE answered 200: the NIST lingers for Timer J (32 s) and the NICT for Timer K (5 s)', async (t) => {
  const sim = twoNodes(5);
  sim.bob.user.answer = (req, tx) => void tx.respond(buildResponse(req, 200));
  const ends: number[] = [];
  right(
    t,
    sim.alice.layer.sendRequest(
      request('OPTIONS'), endpoint('udp', '10.0.0.2', 5060),
      { onResponse: () => undefined, onTerminated: () => ends.push(sim.clock.nowMs()) },
    ),
  );
  await sim.clock.runUntilIdle();
  t.deepEqual(ends, [2 + 5_000]);
  t.deepEqual(sim.bob.user.serverEnds, [{ method: 'OPTIONS', reason: 'Done', atMs: 1 + 32_000 }]);
  assertClean(t, sim);
});

test('a retransmitted request is absorbed and answered with the last response, never passed up twice', async (t) => {
  const sim = twoNodes(6, { duplicateRatio: 1 });
  sim.bob.user.answer = (req, tx) => void tx.respond(buildResponse(req, 200));
  const responses: number[] = [];
  right(
    t,
    sim.alice.layer.sendRequest(
      request('OPTIONS'), endpoint('udp', '10.0.0.2', 5060), { onResponse: (r) => responses.push(r.status) },
    ),
  );
  await sim.clock.runUntilIdle();
  t.is(sim.bob.user.requests.length, 1);
  t.deepEqual(responses, [200], 'the duplicated 200s are absorbed by the NICT');
  t.true(sim.bob.layer.discarded() + sendTimes(sim.network.trace.lines, 'SIP/2.0 200').length > 1);
  assertClean(t, sim);
});

test('IST: 100 Trying goes out when the TU is silent for 200 ms (§17.2.1)', async (t) => {
  const sim = twoNodes(7);
  const seen: number[] = [];
  right(
    t,
    sim.alice.layer.sendRequest(
      request('INVITE'), endpoint('udp', '10.0.0.2', 5060), { onResponse: (r) => seen.push(r.status) },
    ),
  );
  await sim.clock.advanceBy(1_000);
  t.deepEqual(seen, [100]);
  t.deepEqual(sendTimes(sim.network.trace.lines, 'SIP/2.0 100'), [201]);
  sim.alice.layer.close();
  sim.bob.layer.close();
  await sim.clock.runUntilIdle();
  assertClean(t, sim);
});

test('2xx retransmissions from the TU reach the UAC TU while Accepted, then as strays after Timer M (RFC 6026)', async (
  t,
) => {
  const sim = twoNodes(8);
  sim.bob.user.answer = (req, tx) => {
    const ok = buildResponse(req, 200, { toTag: 'ok1' });
    void tx.respond(ok);
    // The UAS TU retransmits its 2xx (§13.3.1.4): at 500 ms and, after the ICT is gone, at 40 s.
    sim.clock.schedule(500, () => void tx.respond(ok));
    sim.clock.schedule(40_000, () => void sim.bob.transport.send(ok, endpoint('udp', '10.0.0.1', 5060)));
  };
  const responses: number[] = [];
  right(
    t,
    sim.alice.layer.sendRequest(
      request('INVITE'), endpoint('udp', '10.0.0.2', 5060), { onResponse: (r) => responses.push(r.status) },
    ),
  );
  await sim.clock.runUntilIdle();
  t.deepEqual(responses, [200, 200]);
  t.is(sim.alice.user.strays.length, 1);
  assertClean(t, sim);
});

test('CANCEL before any provisional waits for the 180, then goes out; the UAS TU gets the INVITE transaction it cancels (§9)', async (t) => {
  const sim = twoNodes(9);
  let inviteRequest: SipRequest | undefined;
  sim.bob.user.answer = (req, tx, cancelled) => {
    if (req.method === 'INVITE') {
      inviteRequest = req;
      sim.clock.schedule(100, () => void tx.respond(buildResponse(req, 180, { toTag: 'r1' })));
    }
    if (req.method === 'CANCEL' && cancelled !== undefined && inviteRequest !== undefined) {
      t.is(cancelled.method, 'INVITE');
      void tx.respond(buildResponse(req, 200));
      void cancelled.respond(buildResponse(inviteRequest, 487, { toTag: 'r1' }));
    }
  };
  const inviteResponses: number[] = [];
  const cancelResponses: number[] = [];
  const invite = right(
    t,
    sim.alice.layer.sendRequest(
      request('INVITE'), endpoint('udp', '10.0.0.2', 5060), { onResponse: (r) => inviteResponses.push(r.status) },
    ),
  );
  right(t, sim.alice.layer.cancel(invite, { onResponse: (r) => cancelResponses.push(r.status) }));
  await sim.clock.advanceBy(50);
  t.deepEqual(sendTimes(sim.network.trace.lines, 'CANCEL'), [], 'no CANCEL before a provisional response');
  await sim.clock.runUntilIdle();
  t.deepEqual(sendTimes(sim.network.trace.lines, 'CANCEL'), [102]);
  t.deepEqual(inviteResponses, [180, 487]);
  t.deepEqual(cancelResponses, [200]);
  t.true(E.isLeft(sim.alice.layer.cancel(invite)), 'cancelling an answered INVITE is refused');
  assertClean(t, sim);
});

test('a response to a terminated server transaction is refused as a value; ACK is never a client transaction', async (
  t,
) => {
  const sim = twoNodes(10);
  let late: E.Either<unknown, void> | undefined;
  sim.bob.user.answer = (req, tx) => {
    void tx.respond(buildResponse(req, 200));
    late = tx.respond(buildResponse(req, 200));
  };
  right(
    t,
    sim.alice.layer.sendRequest(request('OPTIONS'), endpoint('udp', '10.0.0.2', 5060), { onResponse: () => undefined }),
  );
  t.true(
    E.isLeft(
      sim.alice.layer.sendRequest(request('ACK'), endpoint('udp', '10.0.0.2', 5060), { onResponse: () => undefined }),
    ),
  );
  await sim.clock.runUntilIdle();
  t.true(late !== undefined && E.isLeft(late));
  assertClean(t, sim);
});

test('a retransmission comes due while its response is already waiting: the response is read first and nothing is resent', async (t) => {
  // 10 ms each way, no randomness: the 200 lands at exactly 500 ms, the instant Timer E comes due
  // (queued after it, as a reply read after a busy spell would be).
  const sim = twoNodes(11, { oneWayDelayMinMs: 10, oneWayDelayMeanMs: 0 });
  sim.bob.user.answer = (req, tx) => void sim.clock.schedule(
    480, () => void tx.respond(buildResponse(req, 200, { toTag: 'r1' })),
  );
  const statuses: number[] = [];
  right(
    t,
    sim.alice.layer.sendRequest(
      request('OPTIONS'), endpoint('udp', '10.0.0.2', 5060), { onResponse: (r) => statuses.push(r.status) },
    ),
  );
  await sim.clock.advanceBy(40_000);
  t.deepEqual(statuses, [200]);
  t.deepEqual(sendTimes(sim.network.trace.lines, 'OPTIONS'), [0], 'no retransmission at 500 ms');
  t.deepEqual(sim.alice.layer.counts(), { ict: 0, nict: 0, ist: 0, nist: 0 });
});

test('1,000 answered requests linger for Timer J and K in expiry queues, not a clock timer each; each ends exactly on time, a retransmission meanwhile is still answered', async (t) => {
  const sim = twoNodes(7);
  sim.bob.user.answer = (req, tx) => void tx.respond(buildResponse(req, 200));
  const clientEnds: number[] = [];
  for (let i = 0; i < 1_000; i++) {
    right(t, sim.alice.layer.sendRequest(
      request('OPTIONS', `z9hG4bKlinger${i}`), endpoint('udp', '10.0.0.2', 5060),
      { onResponse: () => undefined, onTerminated: () => clientEnds.push(sim.clock.nowMs()) },
    ));
    await sim.clock.advanceBy(10);
  }
  await sim.clock.advanceBy(100);
  t.is(sim.bob.layer.counts().nist, 1_000);
  t.is(sim.bob.layer.lingering(), 1_000);
  t.true(sim.clock.pendingTimers() <= 4, `${sim.clock.pendingTimers()} clock timers for 1,000 lingering transactions`);
  // A retransmission of the last request, lost response and all, is answered from the lingering transaction.
  const before = sendTimes(sim.network.trace.lines, 'SIP/2.0 200').length;
  sim.alice.transport.send(request('OPTIONS', 'z9hG4bKlinger999'), endpoint('udp', '10.0.0.2', 5060));
  await sim.clock.advanceBy(10);
  t.is(sendTimes(sim.network.trace.lines, 'SIP/2.0 200').length, before + 1);
  await sim.clock.runUntilIdle();
  // Sent at 10·i ms, answered 1 ms later, reached the client 1 ms after that: J = 32 s and K = 5 s from there.
  const serverEnds = sim.bob.user.serverEnds.map((e) => e.atMs);
  t.deepEqual(serverEnds, Array.from({ length: 1_000 }, (_, i) => 10 * i + 1 + 32_000));
  t.deepEqual(clientEnds, Array.from({ length: 1_000 }, (_, i) => 10 * i + 2 + 5_000));
  t.is(sim.bob.layer.lingering(), 0);
  assertClean(t, sim);
});
