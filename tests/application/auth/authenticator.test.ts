import test from 'ava';
import { InMemoryCredentialStore } from '../../../adapters/memory/in-memory-credential-store.js';
import { NodeHash } from '../../../adapters/node/node-hash.js';
import { SeededRandom } from '../../../adapters/sim/seeded-random.js';
import { VirtualClock } from '../../../adapters/sim/virtual-clock.js';
import { Authenticator } from '../../../application/auth/authenticator.js';
import { IdGenerator } from '../../../application/id-generator.js';
import type { SipResponse } from '../../../domain/sip/message.js';
import { endpoint } from '../../../domain/transport/endpoint.js';
import { authorization, challengeFor, parseRequest, registerText } from '../../support/raw-sip-client.js';

const hash = new NodeHash();
const source = { endpoint: endpoint('udp', '10.0.0.50', 5060), connectionId: undefined };

const setUp = (maxTrackedNonces: number) => {
  const clock = new VirtualClock();
  const store = InMemoryCredentialStore.fromPasswords('r', { alice: 'pw' }, hash);
  const auth = new Authenticator({
    realm: 'r', methods: ['REGISTER'], algorithms: ['MD5'], challenge: 'www', nonceLifetimeMs: 300_000,
    maxFailures: 10, failureWindowMs: 60_000, maxTrackedNonces,
  }, store, hash, new IdGenerator(new SeededRandom(3)), clock, undefined);
  let cseq = 0;
  const register = (extra: string[] = []) => parseRequest(registerText({
    user: 'alice', domain: 'pbx', callId: 'c', cseq: ++cseq, contacts: ['<sip:alice@10.0.0.50>'], extra,
  }, '10.0.0.50'));
  /** A fresh challenge's nonce, as a 401 carries it. */
  const challenge = async () => {
    const answer = await auth.admit(register(), source);
    return challengeFor({ kind: 'response', status: 401, headers: answer?.headers ?? [] } as unknown as SipResponse, 'MD5')!;
  };
  const answer = (c: Awaited<ReturnType<typeof challenge>>, nc: number) => auth.admit(register([authorization(c, {
    username: 'alice', password: 'pw', method: 'REGISTER', uri: 'sip:pbx', nc,
  })]), source);
  return { clock, auth, challenge, answer };
};

test('authenticator: nonce counts go up; a full table forgets its oldest nonces, and those are refused as stale, never replayable', async (t) => {
  const { clock, auth, challenge, answer } = setUp(3);
  const nonces = [];
  for (let i = 0; i < 5; i++) {
    nonces.push(await challenge());
    await clock.advanceBy(1_000);
  }
  for (const nonce of nonces) t.is(await answer(nonce, 1), undefined, 'each accepted once');
  t.is(await answer(nonces[4]!, 2), undefined, 'a remembered nonce counts on');
  t.is((await answer(nonces[4]!, 2))?.status, 401, 'the same count again is a replay');
  const forgotten = await answer(nonces[0]!, 2);
  t.is(forgotten?.status, 401, 'a forgotten nonce cannot start over');
  t.true(forgotten?.headers?.every((h) => h.value.includes('stale=true')));
  t.like(auth.counters(), { accepted: 6, failed: 0 });
});
