import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import type { IncomingInvite } from '../../application/ua/incoming-invite.js';
import type { InviteSession } from '../../application/ua/invite-session.js';
import { getCallId, getCSeq, getFrom, getTopVia } from '../../domain/sip/core-headers.js';
import { headerValue, type SipRequest } from '../../domain/sip/message.js';
import { paramValue } from '../../domain/sip/params.js';
import { parseCredentials } from '../../domain/sip/typed-headers.js';
import { viaBranch } from '../../domain/sip/via.js';
import { answersChallenge as verifies } from '../support/digest-check.js';
import { right } from '../support/either.js';
import { leakReport, uaPair } from '../support/ua-harness.js';

const PASSWORD = 'secret';

const challengeServer = (status: 401 | 407, challenge: string) => {
  const challengeHeader = status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
  const answerHeader = status === 401 ? 'Authorization' : 'Proxy-Authorization';
  const received: SipRequest[] = [];
  return {
    received,
    onInvite: (invite: IncomingInvite) => {
      received.push(invite.request);
      if (received.length > 1 && verifies(invite.request, answerHeader, challenge, PASSWORD)) return void invite.accept();
      invite.reject(status, { headers: [{ name: challengeHeader, value: challenge }] });
    },
  };
};

const invite = (sim: ReturnType<typeof uaPair>, password: string | undefined) =>
  right(undefined as never, sim.alice.ua.invite({
    to: sim.bob.address, from: sim.alice.address,
    ...(password === undefined ? {} : { credentials: { username: 'alice', password } }),
  }));

const LINKS = [
  { name: 'clean link', link: {} },
  { name: '30 % loss', link: { oneWayDelayMinMs: 5, oneWayDelayMeanMs: 10, lossRatio: 0.3 } },
] as const;

for (const { name, link } of LINKS) {
  test(`Digest (${name}): a 401 is answered with the same Call-ID and From tag, CSeq + 1 and a new branch; the call connects`, async (t) => {
    const sim = uaPair(71, link);
    const server = challengeServer(401, 'Digest realm="sim", nonce="n1", qop="auth", algorithm=SHA-256, opaque="o1"');
    sim.bob.onInvite = server.onInvite;
    const call = invite(sim, PASSWORD);
    await sim.clock.advanceBy(40_000);
    const outcome = await call.outcome;
    t.is(outcome.kind, 'Answered');
    const [first, second] = server.received.filter(
      (r, i, all) => all.findIndex((o) => right(t, getCSeq(o)).seq === right(t, getCSeq(r)).seq) === i,
    );
    t.truthy(first && second);
    t.is(right(t, getCallId(second!)), right(t, getCallId(first!)));
    t.is(paramValue(right(t, getFrom(second!)).params, 'tag'), paramValue(right(t, getFrom(first!)).params, 'tag'));
    t.is(right(t, getCSeq(second!)).seq, right(t, getCSeq(first!)).seq + 1);
    t.not(viaBranch(right(t, getTopVia(second!))), viaBranch(right(t, getTopVia(first!))));
    const sent = right(t, parseCredentials('Authorization', headerValue(second!, 'Authorization')!)).params;
    t.deepEqual(
      [sent.get('username'), sent.get('realm'), sent.get('algorithm'), sent.get('qop'), sent.get('opaque')],
      ['alice', 'sim', 'SHA-256', 'auth', 'o1'],
    );
    t.is(headerValue(first!, 'Authorization'), undefined);
    if (outcome.kind === 'Answered') void outcome.session.bye();
    await sim.clock.advanceBy(40_000);
    t.deepEqual(leakReport(sim), []);
  });
}

test('Digest: a wrong password gets one retry, not a loop; a stale nonce is retried without asking (§22.4)', async (
  t,
) => {
  const wrong = uaPair(72);
  const server = challengeServer(401, 'Digest realm="sim", nonce="n1", qop="auth"');
  wrong.bob.onInvite = server.onInvite;
  const refused = await (async () => { const c = invite(wrong, 'guess'); await wrong.clock.advanceBy(40_000); return c.outcome; })();
  t.like(refused, { kind: 'Rejected', status: 401 });
  t.is(new Set(server.received.map((r) => right(t, getCSeq(r)).seq)).size, 2, 'the INVITE and one resubmission');
  t.deepEqual(leakReport(wrong), []);

  const stale = uaPair(73);
  const n1 = 'Digest realm="sim", nonce="n1", qop="auth"';
  const n2 = 'Digest realm="sim", nonce="n2", qop="auth", stale=true';
  const seen: SipRequest[] = [];
  stale.bob.onInvite = (incoming) => {
    seen.push(incoming.request);
    // n1 expires as soon as it is used: the right answer to it is refused as stale, the answer to n2 accepted.
    if (seen.length === 1) return void incoming.reject(401, { headers: [{ name: 'WWW-Authenticate', value: n1 }] });
    if (seen.length === 2 && verifies(incoming.request, 'Authorization', n1, PASSWORD)) {
      return void incoming.reject(401, { headers: [{ name: 'WWW-Authenticate', value: n2 }] });
    }
    if (verifies(incoming.request, 'Authorization', n2, PASSWORD)) return void incoming.accept();
    incoming.reject(403);
  };
  const staleCall = invite(stale, PASSWORD);
  await stale.clock.advanceBy(40_000);
  t.is((await staleCall.outcome).kind, 'Answered');
  t.is(seen.length, 3);
});

test('Digest: 407 from a proxy is answered in Proxy-Authorization; without credentials a challenge is a rejection', async (t) => {
  const sim = uaPair(74);
  const server = challengeServer(407, 'Digest realm="proxy", nonce="p1"');
  sim.bob.onInvite = server.onInvite;
  const call = invite(sim, PASSWORD);
  await sim.clock.advanceBy(40_000);
  t.is((await call.outcome).kind, 'Answered');
  t.truthy(headerValue(server.received[server.received.length - 1]!, 'Proxy-Authorization'), 'RFC 2069 form, no qop');
  t.is(headerValue(server.received[server.received.length - 1]!, 'Authorization'), undefined);

  const bare = uaPair(75);
  bare.bob.onInvite = challengeServer(401, 'Digest realm="sim", nonce="n1"').onInvite;
  const unauthenticated = invite(bare, undefined);
  await bare.clock.advanceBy(40_000);
  t.like(await unauthenticated.outcome, { kind: 'Rejected', status: 401 });
});

test('Digest inside the dialog: a re-INVITE met with 401 and an INFO met with 407 are sent again with credentials, and the CSeq stays in order', async (t) => {
  const sim = uaPair(76);
  let bobSession: InviteSession | undefined;
  sim.bob.onInvite = (incoming) => {
    const accepted = incoming.accept();
    if (E.isRight(accepted)) bobSession = accepted.right;
  };
  const call = invite(sim, PASSWORD);
  await sim.clock.advanceBy(2_000);
  const outcome = await call.outcome;
  if (outcome.kind !== 'Answered' || bobSession === undefined) return t.fail(`not answered: ${outcome.kind}`);
  const www = 'Digest realm="dialog", nonce="d1", qop="auth"';
  const proxy = 'Digest realm="edge", nonce="e1", algorithm=SHA-256';
  const seqs: number[] = [];
  const guard = (request: SipRequest, header: string, challenge: string, status: 401 | 407) => {
    seqs.push(right(t, getCSeq(request)).seq);
    if (verifies(request, header, challenge, PASSWORD)) return { status: 200 };
    return {
      status, headers: [{ name: status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate', value: challenge }],
    };
  };
  bobSession.setHandler({
    onModify: (request) => guard(request, 'Authorization', www, 401),
    onRequest: (request) => guard(request, 'Proxy-Authorization', proxy, 407),
  });
  const reinvite = outcome.session.reinvite({});
  await sim.clock.advanceBy(2_000);
  t.like(await reinvite, { kind: 'Response', response: { status: 200 } });
  const info = outcome.session.info(new TextEncoder().encode('Signal=5\r\nDuration=160\r\n'), 'application/dtmf-relay');
  await sim.clock.advanceBy(2_000);
  t.like(await info, { kind: 'Response', response: { status: 200 } });
  t.deepEqual(
    seqs.map((s) => s - (seqs[0] as number)), [0, 1, 2, 3], 'each resubmission takes the dialog\'s next CSeq',
  );
  void outcome.session.bye();
  await sim.clock.advanceBy(40_000);
  t.deepEqual(leakReport(sim), []);
});
