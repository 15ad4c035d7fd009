import * as E from 'fp-ts/lib/Either.js';
import { NodeHash } from '../../adapters/node/node-hash.js';
import type { SimulatedNetwork } from '../../adapters/sim/simulated-network.js';
import { SimulatedSipTransport } from '../../adapters/sim/simulated-sip-transport.js';
import type { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import { TransactionLayer } from '../../application/transaction-layer.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import { getContacts } from '../../domain/sip/core-headers.js';
import { computeDigest, parseDigestChallenge } from '../../domain/sip/digest.js';
import { formatNameAddr } from '../../domain/sip/name-addr.js';
import { headerValue, type SipRequest } from '../../domain/sip/message.js';
import { getExpires, parseCredentials } from '../../domain/sip/typed-headers.js';
import { unwrap } from './either.js';
import { RecordingUser } from './transaction-harness.js';

const hash = new NodeHash();
const CHALLENGE = 'Digest realm="reg.example", nonce="r1", qop="auth", algorithm=MD5';

/** A registrar (10.0.0.9 by default): Min-Expires 30 (423 below), Digest for alice/secret, grants at most 60 s. */
export const fakeRegistrar = (network: SimulatedNetwork, clock: VirtualClock, host = '10.0.0.9') => {
  const transport = unwrap(SimulatedSipTransport.listen(network, { host, port: 5060, protocols: ['udp'] }));
  const user = new RecordingUser(clock);
  const layer = new TransactionLayer(transport, clock, user);
  const bindings = new Map<string, number>();
  const authorized = (request: SipRequest): boolean => {
    const sent = headerValue(request, 'Authorization');
    const challenge = E.chainW(parseDigestChallenge)(parseCredentials('WWW-Authenticate', CHALLENGE));
    if (sent === undefined || E.isLeft(challenge)) return false;
    const parsed = parseCredentials('Authorization', sent);
    if (E.isLeft(parsed)) return false;
    const p = parsed.right.params;
    const expected = computeDigest(challenge.right, {
      username: p.get('username') ?? '', password: 'secret', method: 'REGISTER', uri: p.get('uri') ?? '', body: request.body,
      cnonce: p.get('cnonce') ?? '', nonceCount: parseInt(p.get('nc') ?? '1', 16),
    }, hash);
    return E.isRight(expected) && expected.right.response === p.get('response');
  };
  user.answer = (request, tx) => {
    const requested = E.getOrElse(() => 3600)(E.map((e: number | undefined) => e ?? 3600)(getExpires(request)));
    if (requested !== 0 && requested < 30) return void tx.respond(buildResponse(request, 423, { toTag: 'r', headers: [{ name: 'Min-Expires', value: '30' }] }));
    if (!authorized(request)) return void tx.respond(buildResponse(request, 401, { toTag: 'r', headers: [{ name: 'WWW-Authenticate', value: CHALLENGE }] }));
    const contacts = getContacts(request);
    const contact = E.isRight(contacts) && contacts.right !== '*' ? contacts.right[0] : undefined;
    if (contact === undefined) return void tx.respond(buildResponse(request, 400, { toTag: 'r' }));
    const key = formatNameAddr({ uri: contact.uri, params: [] });
    if (requested === 0) {
      bindings.delete(key);
      return void tx.respond(buildResponse(request, 200, { toTag: 'r' }));
    }
    const granted = Math.min(requested, 60);
    bindings.set(key, granted);
    tx.respond(buildResponse(request, 200, { toTag: 'r', headers: [{ name: 'Contact', value: `${key};expires=${granted}` }] }));
  };
  return { user, layer, transport, bindings };
};

