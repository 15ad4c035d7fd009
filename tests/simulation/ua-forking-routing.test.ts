import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { SimulatedNetwork } from '../../adapters/sim/simulated-network.js';
import { SimulatedSipTransport } from '../../adapters/sim/simulated-sip-transport.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import { TransactionLayer } from '../../application/transaction-layer.js';
import type { InviteSession } from '../../application/ua/invite-session.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import { headerValues, type SipRequest } from '../../domain/sip/message.js';
import { sipUri } from '../../domain/sip/uri.js';
import { formatUri } from '../../domain/sip/format-uri.js';
import { right, unwrap } from '../support/either.js';
import { looseProxy } from '../support/loose-proxy.js';
import { announceSeed, simSeeds } from '../support/sim-seed.js';
import { simUa } from '../support/ua-harness.js';

// 30 % loss on the path: on the two-party tests that is the link; through two proxies (three hops) each hop loses 11 %.
for (const [name, link, hopLoss] of [['clean link', {}, 0], ['30 % loss', { oneWayDelayMinMs: 5, oneWayDelayMeanMs: 5, lossRatio: 0.3 }, 0.11]] as const) {
  for (const seed of simSeeds([71])) {
    test(`forking (${name}, seed ${seed}): three 180s make three early dialogs; the first 200 wins, a second fork's 200 is ACKed and hung up`, async (t) => {
      announceSeed(t, seed);
      const clock = new VirtualClock();
      const network = new SimulatedNetwork(clock, { seed, link });
      const alice = simUa(network, clock, '10.0.0.1', seed);
      // A forking proxy's view from alice: one server answering with three To tags.
      const forkTransport = unwrap(SimulatedSipTransport.listen(network, { host: '10.0.0.2', port: 5060 }));
      const byes: string[] = [];
      const acks: string[] = [];
      const toTag = (r: SipRequest): string => /tag=([^;>,\s]+)/.exec(headerValues(r, 'To')[0] ?? '')?.[1] ?? '';
      const forks = new TransactionLayer(forkTransport, clock, {
        onRequest: (request, tx) => {
          if (request.method === 'BYE') {
            byes.push(toTag(request));
            return void tx.respond(buildResponse(request, 200));
          }
          if (request.method !== 'INVITE') return;
          const contact = (tag: string) => [{ name: 'Contact', value: `<sip:${tag}@10.0.0.2:5060>` }];
          for (const tag of ['f1', 'f2', 'f3']) void tx.respond(
            buildResponse(request, 180, { toTag: tag, headers: contact(tag) }),
          );
          // Each fork retransmits its 2xx until its ACK arrives, as a UAS must (§13.3.1.4).
          const answer = (tag: string, delayMs: number, attempt = 0): void => {
            clock.schedule(delayMs, () => {
              if (acks.includes(tag) || attempt > 10) return;
              void tx.respond(buildResponse(request, 200, { toTag: tag, headers: contact(tag) }));
              answer(tag, 500, attempt + 1);
            });
          };
          answer('f2', 100);
          answer('f3', 150);
        },
        onAck: (ack) => void acks.push(toTag(ack)),
      });
      const outgoing = right(
        t, alice.ua.invite({ to: { uri: sipUri('10.0.0.2', { user: 'bob' }), params: [] }, from: alice.address }),
      );
      const early = new Set<string>();
      outgoing.on({ onProvisional: (_r, dialog) => dialog !== undefined && early.add(dialog.id.remoteTag) });
      await clock.advanceBy(40_000);
      const outcome = await outgoing.outcome;
      if (outcome.kind !== 'Answered') return t.fail(outcome.kind);
      // f2 answers first; under loss f3's 200 may arrive first and win instead. The other fork is ACKed and hung up.
      const winner = outcome.session.dialog.id.remoteTag;
      const loser = winner === 'f2' ? 'f3' : 'f2';
      if (name === 'clean link') t.is(winner, 'f2');
      t.true(winner === 'f2' || winner === 'f3');
      // 180s are not retransmitted: under loss some forks' early dialogs are never seen.
      if (name === 'clean link') t.deepEqual([...early].sort(), ['f1', 'f2', 'f3']);
      t.true(acks.includes('f2') && acks.includes('f3'), `acks ${acks}`);
      t.true(byes.includes(loser) && !byes.includes(winner), `byes ${byes}`);
      t.deepEqual(alice.ended.map((e) => [e.reason, e.session.dialog.id.remoteTag]), [['LocalBye', loser]]);
      void outcome.session.bye();
      await clock.runUntilIdle();
      t.is(alice.ua.counts().dialogs, 0);
      t.deepEqual(alice.ua.layer.counts(), { ict: 0, nict: 0, ist: 0, nist: 0 });
      t.deepEqual(forks.counts(), { ict: 0, nict: 0, ist: 0, nist: 0 });
      t.is(clock.pendingTimers(), 0);
    });

    test(`loose routing (${name}, seed ${seed}): a dialog through two Record-Route proxies sends in-dialog requests through both, each way`, async (t) => {
      announceSeed(t, seed);
      const clock = new VirtualClock();
      const network = new SimulatedNetwork(clock, { seed, link: { ...link, lossRatio: hopLoss } });
      const alice = simUa(network, clock, '10.0.0.1', seed);
      const bob = simUa(network, clock, '10.0.0.2', seed + 1);
      const p1 = looseProxy(network, '10.0.0.11', () => sipUri('10.0.0.12', { port: 5060 }));
      const p2 = looseProxy(network, '10.0.0.12', (r) => r.uri);
      let bobSession: InviteSession | undefined;
      bob.onInvite = (invite) => {
        const accepted = invite.accept();
        if (E.isRight(accepted)) bobSession = accepted.right;
      };
      const outgoing = right(t, alice.ua.invite({
        to: bob.address, from: alice.address,
        routes: [{ uri: sipUri('10.0.0.11', { port: 5060, params: [{ name: 'lr' }] }), params: [] }],
      }));
      await clock.advanceBy(20_000);
      const outcome = await outgoing.outcome;
      if (outcome.kind !== 'Answered' || bobSession === undefined) return t.fail(outcome.kind);
      t.deepEqual(
        outcome.session.dialog.routeSet.map((r) => formatUri(r.uri)),
        ['sip:10.0.0.11:5060;lr', 'sip:10.0.0.12:5060;lr'],
      );
      t.deepEqual(
        bobSession.dialog.routeSet.map((r) => formatUri(r.uri)), ['sip:10.0.0.12:5060;lr', 'sip:10.0.0.11:5060;lr'],
      );
      const info = bobSession.info(new TextEncoder().encode('x'), 'text/plain');
      // Past Timer F (32 s), so the INFO has an outcome whatever the loss did.
      await clock.advanceBy(40_000);
      const infoOutcome = await info;
      if (name === 'clean link') t.like(infoOutcome, { kind: 'Response', response: { status: 200 } });
      void outcome.session.bye();
      await clock.runUntilIdle();
      t.true(p1.forwarded.includes('ACK') && p2.forwarded.includes('ACK'), 'the ACK follows the route set');
      t.true(p1.forwarded.includes('INFO') && p2.forwarded.includes('INFO'), 'bob → p2 → p1 → alice');
      t.true(p1.forwarded.includes('BYE') && p2.forwarded.includes('BYE'), 'alice → p1 → p2 → bob');
      // Under loss every ACK can be lost on the three-hop path; bob then ends the call itself (§13.3.1.4).
      t.deepEqual(
        bob.ended.map((e) => e.reason),
        name === 'clean link' || bob.ended[0]?.reason !== 'NoAck' ? ['RemoteBye'] : ['NoAck'],
      );
      t.is(clock.pendingTimers(), 0);
      t.is(alice.ua.counts().dialogs + bob.ua.counts().dialogs, 0);
    });
  }
}
