import * as E from 'fp-ts/lib/Either.js';
import type { SimulatedNetwork } from '../../adapters/sim/simulated-network.js';
import { SimulatedSipTransport } from '../../adapters/sim/simulated-sip-transport.js';
import type { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import { TransactionLayer } from '../../application/transaction-layer.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import { getContacts } from '../../domain/sip/core-headers.js';
import { formatNameAddr } from '../../domain/sip/name-addr.js';
import type { SipRequest } from '../../domain/sip/message.js';
import { getExpires } from '../../domain/sip/typed-headers.js';
import { answersChallenge } from './digest-check.js';
import { unwrap } from './either.js';
import { RecordingUser } from './transaction-harness.js';

const CHALLENGE = 'Digest realm="reg.example", nonce="r1", qop="auth", algorithm=MD5';

/** A registrar (10.0.0.9 by default): Min-Expires 30 (423 below), Digest for alice/secret, grants at most 60 s. */
export const fakeRegistrar = (network: SimulatedNetwork, clock: VirtualClock, host = '10.0.0.9') => {
  const transport = unwrap(SimulatedSipTransport.listen(network, { host, port: 5060, protocols: ['udp'] }));
  const user = new RecordingUser(clock);
  const layer = new TransactionLayer(transport, clock, user);
  const bindings = new Map<string, number>();
  const authorized = (request: SipRequest): boolean => answersChallenge(request, 'Authorization', CHALLENGE, 'secret');
  user.answer = (request, tx) => {
    const requested = E.getOrElse(() => 3600)(E.map((e: number | undefined) => e ?? 3600)(getExpires(request)));
    if (requested !== 0 && requested < 30) return void tx.respond(
      buildResponse(request, 423, { toTag: 'r', headers: [{ name: 'Min-Expires', value: '30' }] }),
    );
    if (!authorized(request)) return void tx.respond(
      buildResponse(request, 401, { toTag: 'r', headers: [{ name: 'WWW-Authenticate', value: CHALLENGE }] }),
    );
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
    tx.respond(
      buildResponse(request, 200, { toTag: 'r', headers: [{ name: 'Contact', value: `${key};expires=${granted}` }] }),
    );
  };
  return { user, layer, transport, bindings };
};

