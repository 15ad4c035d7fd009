import * as E from 'fp-ts/lib/Either.js';
import { SimulatedNetwork, type LinkImpairment } from '../../adapters/sim/simulated-network.js';
import { SimulatedSipTransport } from '../../adapters/sim/simulated-sip-transport.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import { TransactionLayer, type ServerTransaction, type TransactionUser } from '../../application/transaction-layer.js';
import type { SipRequest, SipResponse } from '../../domain/sip/message.js';
import type { TransportProtocol } from '../../domain/transport/endpoint.js';
import type { InboundMessage } from '../../ports/sip-transport.js';
import { unwrap } from './either.js';

/** A TU whose behaviour a test sets, recording what reached it. */
export class RecordingUser implements TransactionUser {
  readonly requests: Array<{ request: SipRequest; tx: ServerTransaction; cancelled: ServerTransaction | undefined }> = [];
  readonly acks: SipRequest[] = [];
  readonly strays: SipResponse[] = [];
  readonly serverEnds: Array<{ method: string; reason: string; atMs: number }> = [];
  answer: (request: SipRequest, tx: ServerTransaction, cancelled: ServerTransaction | undefined) =>
    void = () => undefined;

  constructor(private readonly clock: VirtualClock) {}

  onRequest(request: SipRequest, tx: ServerTransaction, cancelled: ServerTransaction | undefined): void {
    this.requests.push({ request, tx, cancelled });
    this.answer(request, tx, cancelled);
  }
  onAck(ack: SipRequest, _inbound: InboundMessage): void {
    this.acks.push(ack);
  }
  onStrayResponse(response: SipResponse): void {
    this.strays.push(response);
  }
  onServerTerminated(tx: ServerTransaction, reason: string): void {
    this.serverEnds.push({ method: tx.method, reason, atMs: this.clock.nowMs() });
  }
}

export interface Node {
  readonly transport: SimulatedSipTransport;
  readonly layer: TransactionLayer;
  readonly user: RecordingUser;
}

/** Two hosts, alice (10.0.0.1) and bob (10.0.0.2), each with a transaction layer, on one simulated network. */
export const twoNodes = (
  seed: number, link: Partial<LinkImpairment> = {}, protocols: ReadonlyArray<TransportProtocol> = ['udp', 'tcp'],
) => {
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed, link });
  const node = (host: string): Node => {
    const transport = unwrap(SimulatedSipTransport.listen(network, { host, port: 5060, protocols }));
    const user = new RecordingUser(clock);
    return { transport, user, layer: new TransactionLayer(transport, clock, user) };
  };
  return { clock, network, alice: node('10.0.0.1'), bob: node('10.0.0.2') };
};

/** Send times (ms) of trace lines whose summary starts with `startLine`. */
export const sendTimes = (trace: ReadonlyArray<string>, startLine: string): number[] =>
  trace.filter(
    (line) =>
      line.split(' ')[1] === 'send' && line.includes(`> `) && line.split(' ').slice(5).join(' ').replace(/^tcp#\d+ /, '').startsWith(startLine),
  )
    .map((line) => Number(line.split(' ')[0]));

export const isRight = E.isRight;
