/**
 * A bare SIP client on the simulated network for registrar and
 * authentication tests: it sends requests exactly as a test writes them
 * (through a transaction layer, so retransmissions still happen) and answers
 * Digest challenges by hand, with the nonce counts the test chooses.
 */
import * as E from 'fp-ts/lib/Either.js';
import { NodeHash } from '../../adapters/node/node-hash.js';
import type { SimulatedNetwork } from '../../adapters/sim/simulated-network.js';
import { SimulatedSipTransport } from '../../adapters/sim/simulated-sip-transport.js';
import type { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import { TransactionLayer } from '../../application/transaction-layer.js';
import { computeDigest, parseDigestChallenge, type DigestChallenge } from '../../domain/sip/digest.js';
import { headerValues, type SipRequest, type SipResponse } from '../../domain/sip/message.js';
import { parseMessage } from '../../domain/sip/parse-message.js';
import { parseCredentials } from '../../domain/sip/typed-headers.js';
import { endpoint, type Endpoint } from '../../domain/transport/endpoint.js';
import { unwrap } from './either.js';
import { RecordingUser } from './transaction-harness.js';

const hash = new NodeHash();

export interface RegisterText {
  readonly user: string;
  readonly domain: string;
  readonly callId: string;
  readonly cseq: number;
  readonly contacts: ReadonlyArray<string>;
  readonly expires?: number;
  readonly extra?: ReadonlyArray<string>;
  readonly from?: string;
}

let branches = 0;

/** A REGISTER as text (the test says every header that matters). */
export const registerText = (r: RegisterText, viaHost: string): string => [
  `REGISTER sip:${r.domain} SIP/2.0`,
  `Via: SIP/2.0/UDP ${viaHost}:5060;branch=z9hG4bKraw${++branches};rport`,
  'Max-Forwards: 70',
  `From: <sip:${r.from ?? r.user}@${r.domain}>;tag=f${r.callId.length}`,
  `To: <sip:${r.user}@${r.domain}>`,
  `Call-ID: ${r.callId}`,
  `CSeq: ${r.cseq} REGISTER`,
  ...r.contacts.map((c) => `Contact: ${c}`),
  ...(r.expires === undefined ? [] : [`Expires: ${r.expires}`]),
  ...(r.extra ?? []),
  'Content-Length: 0',
  '', '',
].join('\r\n');

/** A request of any method to `uri` from `user@domain` (MESSAGE, INVITE, OPTIONS) as text. */
export const requestText = (
  method: string, uri: string, from: string, viaHost: string, callId: string, extra: ReadonlyArray<string> = [],
  body = '',
): string => [
  `${method} ${uri} SIP/2.0`,
  `Via: SIP/2.0/UDP ${viaHost}:5060;branch=z9hG4bKraw${++branches};rport`,
  'Max-Forwards: 70',
  `From: <${from}>;tag=rf${branches}`,
  `To: <${uri}>`,
  `Call-ID: ${callId}`,
  `CSeq: 1 ${method}`,
  ...(method === 'INVITE' ? [`Contact: <sip:raw@${viaHost}:5060>`] : []),
  ...extra,
  ...(body === '' ? [] : ['Content-Type: text/plain']),
  `Content-Length: ${Buffer.byteLength(body)}`,
  '', body,
].join('\r\n');

export const parseRequest = (text: string): SipRequest => {
  const parsed = parseMessage(text);
  if (E.isLeft(parsed) || parsed.right.kind !== 'request') throw new Error(`bad test request: ${text}`);
  return parsed.right;
};

/** The challenge for `algorithm` in a 401/407 (RFC 8760: one header per algorithm). */
export const challengeFor = (response: SipResponse, algorithm: string): DigestChallenge | undefined => {
  const header = response.status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate';
  for (const value of headerValues(response, header)) {
    const challenge = E.chainW(parseDigestChallenge)(parseCredentials(header, value));
    if (E.isRight(challenge) && challenge.right.algorithm.toUpperCase() === algorithm) return challenge.right;
  }
  return undefined;
};

/** An Authorization (or Proxy-Authorization) header line answering `challenge`. */
export const authorization = (
  challenge: DigestChallenge, o: {
    readonly username: string; readonly password: string; readonly method: string; readonly uri: string;
    readonly nc: number; readonly proxy?: boolean; readonly algorithm?: string;
  },
): string => {
  const cnonce = 'c0ffee';
  const digest = unwrap(computeDigest(challenge, {
    username: o.username, password: o.password, method: o.method, uri: o.uri, body: new Uint8Array(),
    cnonce, nonceCount: o.nc,
  }, hash));
  const nc = o.nc.toString(16).padStart(8, '0');
  return `${o.proxy === true ? 'Proxy-Authorization' : 'Authorization'}: Digest username="${o.username}", `
    + `realm="${challenge.realm}", nonce="${challenge.nonce}", uri="${o.uri}", response="${digest.response}", `
    + `algorithm=${o.algorithm ?? challenge.algorithm}, qop=auth, nc=${nc}, cnonce="${cnonce}"`
    + `${challenge.opaque === undefined ? '' : `, opaque="${challenge.opaque}"`}`;
};

/** A raw client at `host`: `send` resolves with the final response, or 'timeout'. */
export const rawClient = (network: SimulatedNetwork, clock: VirtualClock, host: string) => {
  const transport = unwrap(SimulatedSipTransport.listen(network, { host, port: 5060, protocols: ['udp'] }));
  const user = new RecordingUser(clock);
  const layer = new TransactionLayer(transport, clock, user);
  const send = (text: string, to: Endpoint = endpoint('udp', '10.0.0.1', 5060)): Promise<SipResponse | 'timeout'> =>
    new Promise((resolve) => {
      const sent = layer.sendRequest(parseRequest(text), to, {
        onResponse: (response) => response.status >= 200 && resolve(response),
        onTimeout: () => resolve('timeout'),
        onTransportError: () => resolve('timeout'),
      });
      if (E.isLeft(sent)) resolve('timeout');
    });
  /** Sends and lets virtual time run until the answer (or Timer F). */
  const ask = async (text: string, to?: Endpoint): Promise<SipResponse | 'timeout'> => {
    const answer = send(text, to);
    let settled: SipResponse | 'timeout' | undefined;
    void answer.then((a) => (settled = a));
    for (let i = 0; i < 400 && settled === undefined; i++) await clock.advanceBy(100);
    return answer;
  };
  const close = async (): Promise<void> => {
    layer.close();
    await transport.close();
  };
  return { transport, user, layer, send, ask, close };
};

export type RawClient = ReturnType<typeof rawClient>;
