import test from 'ava';
import { getTo } from '../../domain/sip/core-headers.js';
import { paramValue } from '../../domain/sip/params.js';
import { buildCancel } from '../../domain/sip/build-ack-cancel.js';
import type { SipResponse } from '../../domain/sip/message.js';
import { endpoint } from '../../domain/transport/endpoint.js';
import { right } from '../support/either.js';
import { announceSeed, simSeeds } from '../support/sim-seed.js';
import { sendTimes } from '../support/transaction-harness.js';
import { leakReport, uaPair } from '../support/ua-harness.js';

const sdp = new TextEncoder().encode(
  'v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n',
);

const call = (sim: ReturnType<typeof uaPair>) =>
  right(
    undefined as never,
    sim.alice.ua.invite({ to: sim.bob.address, from: sim.alice.address, body: sdp, contentType: 'application/sdp' }),
  );

/** Runs one scenario per seed, once over a clean link and once with 30 % loss (the flows must not care). */
const LINKS = [
  { name: 'clean link', link: {} },
  { name: '30 % loss', link: { oneWayDelayMinMs: 5, oneWayDelayMeanMs: 10, lossRatio: 0.3 } },
] as const;

for (const { name, link } of LINKS) {
  for (const seed of simSeeds([31])) {
    test(`UA (${name}, seed ${seed}): call answered after ringing, ACK confirms, BYE ends both sides, nothing leaks`, async (t) => {
      announceSeed(t, seed);
      const sim = uaPair(seed, link);
      const confirmed: number[] = [];
      sim.bob.onInvite = (invite) => {
        right(t, invite.provisional(180));
        invite.on({ onConfirmed: () => confirmed.push(sim.clock.nowMs()) });
        sim.clock.schedule(1_000, () => right(t, invite.accept({ body: sdp, contentType: 'application/sdp' })));
      };
      const outgoing = call(sim);
      const ringing: number[] = [];
      outgoing.on({ onProvisional: (r, early) => early !== undefined && ringing.push(r.status) });
      // Long enough for every retransmission schedule to play out under loss.
      await sim.clock.advanceBy(40_000);
      const outcome = await outgoing.outcome;
      if (outcome.kind !== 'Answered') return t.fail(outcome.kind);
      // Provisional responses are not retransmitted (no 100rel), so under loss a 180 may never arrive.
      if (name === 'clean link') t.true(ringing.includes(180));
      t.is(confirmed.length, 1);
      t.is(sim.alice.ua.counts().dialogs, 1);
      t.is(sim.bob.ua.counts().dialogs, 1);
      const bye = outcome.session.bye();
      await sim.clock.runUntilIdle();
      t.like(await bye, { kind: 'Response', response: { status: 200 } });
      t.deepEqual(sim.alice.ended.map((e) => e.reason), ['LocalBye']);
      t.deepEqual(sim.bob.ended.map((e) => e.reason), ['RemoteBye']);
      t.deepEqual(leakReport(sim), []);
    });

    test(`UA (${name}, seed ${seed}): a rejected call reports the status; a cancelled one gets 487 and the callee hears of it`, async (t) => {
      announceSeed(t, seed);
      const sim = uaPair(seed, link);
      let cancelledAtBob = 0;
      sim.bob.onInvite = (invite) => {
        if (sim.bob.invites.length === 1) return void invite.reject(486);
        right(t, invite.provisional(180));
        invite.on({ onCancelled: () => cancelledAtBob++ });
      };
      const rejected = call(sim);
      await sim.clock.runUntilIdle();
      t.like(await rejected.outcome, { kind: 'Rejected', status: 486 });
      const cancelled = call(sim);
      cancelled.on({ onProvisional: () => void cancelled.cancel() });
      await sim.clock.runUntilIdle();
      t.deepEqual(await cancelled.outcome, { kind: 'Cancelled' });
      t.is(cancelledAtBob, 1);
      t.is(sim.bob.invites[1]?.state, 'Cancelled');
      t.deepEqual(leakReport(sim), []);
    });
  }
}

for (const { name, link } of [
  { name: 'clean link', link: { oneWayDelayMinMs: 10 } },
  { name: '30 % loss', link: { oneWayDelayMinMs: 10, lossRatio: 0.3 } },
]) {
  for (const seed of simSeeds([41])) {
    test(`UA (${name}, seed ${seed}): the 200 crossing our CANCEL is ACKed, then ended with BYE; the outcome is Cancelled (§9.1)`, async (t) => {
      announceSeed(t, seed);
      const sim = uaPair(seed, link);
      sim.bob.onInvite = (invite) => {
        right(t, invite.provisional(180));
        // On a clean link the 180 reaches alice at 20 ms and she cancels at once; bob answers at 25 ms, before the
        // CANCEL lands at 30 ms.
        sim.clock.schedule(15, () => right(t, invite.accept()));
      };
      const outgoing = call(sim);
      outgoing.on({ onProvisional: () => void outgoing.cancel() });
      await sim.clock.runUntilIdle();
      const outcome = await outgoing.outcome;
      const trace = sim.network.trace.lines;
      if (name === 'clean link') {
        t.deepEqual(outcome, { kind: 'Cancelled' });
        t.is(sendTimes(trace, 'ACK').length, 1);
        t.is(sendTimes(trace, 'BYE').length, 1);
        t.deepEqual(sim.bob.ended.map((e) => e.reason), ['RemoteBye']);
      } else {
        // Under loss the 180 may never arrive (so no CANCEL): then the call is simply answered.
        t.true(outcome.kind === 'Cancelled' || outcome.kind === 'Answered', outcome.kind);
        if (outcome.kind === 'Answered') void outcome.session.bye();
        await sim.clock.runUntilIdle();
      }
      t.deepEqual(leakReport(sim), []);
    });
  }
}

test('UA: an ended call is not held while its INVITE transactions linger: a late 2xx is re-ACKed, a late CANCEL gets 200 with the answer\'s tag', async (t) => {
  const sim = uaPair(43);
  let bobTag = '';
  sim.bob.onInvite = (invite) => {
    bobTag = invite.localTag;
    right(t, invite.accept({ body: sdp, contentType: 'application/sdp' }));
  };
  const outgoing = call(sim);
  await sim.clock.advanceBy(100);
  const outcome = await outgoing.outcome;
  if (outcome.kind !== 'Answered') return t.fail(outcome.kind);
  t.deepEqual(
    sim.bob.ua.counts(), { dialogs: 1, pendingIncoming: 0, pendingOutgoing: 0, registrations: 0 },
    'an answered INVITE is not pending',
  );
  t.is(sim.alice.ua.counts().pendingOutgoing, 1, 'alice still handles forks while the call is up');
  void outcome.session.bye();
  await sim.clock.advanceBy(100);
  // The INVITE transactions linger (Timers L and M) but the UA cores hold no call.
  t.is(sim.alice.ua.layer.counts().ict, 1);
  t.is(sim.bob.ua.layer.counts().ist, 1);
  t.deepEqual(sim.alice.ua.counts(), { dialogs: 0, pendingIncoming: 0, pendingOutgoing: 0, registrations: 0 });

  const acksBefore = sendTimes(sim.network.trace.lines, 'ACK').length;
  right(t, await sim.bob.transport.send(outcome.response, endpoint('udp', '10.0.0.1', 5060)));
  await sim.clock.advanceBy(100);
  t.is(sendTimes(sim.network.trace.lines, 'ACK').length, acksBefore + 1, 'the retransmitted 2xx is ACKed again');

  const cancel = right(t, buildCancel(outgoing.request));
  const cancelResponses: SipResponse[] = [];
  right(
    t,
    sim.alice.ua.layer.sendRequest(
      cancel, endpoint('udp', '10.0.0.2', 5060), { onResponse: (r) => cancelResponses.push(r) },
    ),
  );
  await sim.clock.advanceBy(100);
  t.is(cancelResponses[0]?.status, 200);
  t.is(paramValue(right(t, getTo(cancelResponses[0]!)).params, 'tag'), bobTag);
  await sim.clock.runUntilIdle();
  t.deepEqual(leakReport(sim), []);
});

test('UA: a 2xx is retransmitted at T1, 2T1, … capped at T2 until the ACK; without ACK the UAS ends the dialog with BYE after 64·T1 (§13.3.1.4)', async (t) => {
  const sim = uaPair(42);
  sim.bob.onInvite = (invite) => {
    // Every message from alice to bob is lost from now on: the ACK never arrives.
    sim.network.setLink('10.0.0.1', '10.0.0.2', { lossRatio: 1 }, true);
    right(t, invite.accept());
  };
  call(sim);
  await sim.clock.runUntilIdle();
  const sends = sendTimes(sim.network.trace.lines.filter((l) => l.includes('10.0.0.2:5060 > 10.0.0.1')), 'SIP/2.0 200');
  t.deepEqual(sends.map((ms) => ms - sends[0]!), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  t.deepEqual(sim.bob.ended.map((e) => [e.reason, e.atMs - sends[0]!]), [['NoAck', 32_000]]);
  t.is(sendTimes(sim.network.trace.lines, 'BYE').length >= 1, true);
  // Alice keeps ACKing each retransmission; her dialog lives until she hears nothing more.
  t.true(sendTimes(sim.network.trace.lines, 'ACK').length >= 10);
  sim.alice.ua.close();
  await sim.clock.runUntilIdle();
  t.deepEqual(leakReport(sim), []);
});

test('UA: an answer timeout cancels the call', async (t) => {
  const sim = uaPair(43);
  sim.bob.onInvite = (invite) => void invite.provisional(180);
  const outgoing = right(
    t, sim.alice.ua.invite({ to: sim.bob.address, from: sim.alice.address, answerTimeoutMs: 5_000 }),
  );
  await sim.clock.runUntilIdle();
  t.deepEqual(await outgoing.outcome, { kind: 'Timeout' });
  t.deepEqual(sendTimes(sim.network.trace.lines, 'CANCEL'), [5_000]);
  t.deepEqual(leakReport(sim), []);
});

test('UA: To tags create one early dialog per fork; the response To tag is the dialog id', async (t) => {
  const sim = uaPair(44);
  sim.bob.onInvite = (invite) => {
    right(t, invite.provisional(180));
    right(t, invite.accept());
  };
  const outgoing = call(sim);
  // Not runUntilIdle: a connected call's session timer always has a refresh ahead.
  await sim.clock.advanceBy(2_000);
  const outcome = await outgoing.outcome;
  if (outcome.kind !== 'Answered') return t.fail();
  t.is(paramValue(right(t, getTo(outcome.response)).params, 'tag'), sim.bob.invites[0]!.localTag);
  t.is(outcome.session.dialog.id.remoteTag, sim.bob.invites[0]!.localTag);
  void outcome.session.bye();
  await sim.clock.runUntilIdle();
  t.deepEqual(leakReport(sim), []);
});

test('UA: the caller keeps its ACK for 64·T1 to answer 2xx retransmissions, then lets it go; the call goes on and ends cleanly', async (t) => {
  const sim = uaPair(43);
  sim.bob.onInvite = (invite) => void right(t, invite.accept());
  const outgoing = call(sim);
  await sim.clock.advanceBy(1_000);
  const outcome = await outgoing.outcome;
  if (outcome.kind !== 'Answered') return t.fail(outcome.kind);
  t.true(outcome.session.holdsAck);
  await sim.clock.advanceBy(31_000);
  t.true(outcome.session.holdsAck, 'still kept just before 64·T1');
  await sim.clock.advanceBy(1_000);
  t.false(outcome.session.holdsAck, 'released after 64·T1');
  t.is(sim.alice.ua.counts().dialogs, 1);
  void outcome.session.bye();
  await sim.clock.runUntilIdle();
  t.deepEqual(sim.bob.ended.map((e) => e.reason), ['RemoteBye']);
  t.deepEqual(leakReport(sim), []);
});
