import * as E from 'fp-ts/lib/Either.js';
import type { SimulatedNetwork } from '../../adapters/sim/simulated-network.js';
import { SimulatedSipTransport } from '../../adapters/sim/simulated-sip-transport.js';
import { getRoutes, getVias } from '../../domain/sip/index.js';
import {
  headerValue, prependHeader, withoutHeader, withHeader, type SipMessage, type SipRequest,
} from '../../domain/sip/message.js';
import { formatNameAddr } from '../../domain/sip/name-addr.js';
import { formatVia, viaBranch } from '../../domain/sip/via.js';
import { responseTarget } from '../../domain/transport/response-target.js';
import { targetForUri } from '../../domain/transport/outbound.js';
import type { Uri } from '../../domain/sip/uri.js';
import { unwrap } from './either.js';

/**
 * A minimal stateless loose-routing proxy (RFC 3261 §16, §16.12) for dialog
 * tests: pops its own Route, Record-Routes initial INVITEs, pushes its Via, and
 * sends each response back along the Vias.
 */
export const looseProxy = (network: SimulatedNetwork, host: string, nextHopFor: (request: SipRequest) => Uri) => {
  const transport = unwrap(SimulatedSipTransport.listen(network, { host, port: 5060 }));
  const self = `${host}:5060`;
  const forwarded: string[] = [];
  transport.onMessage(({ message }) => {
    if (message.kind === 'response') {
      const vias = unwrap(getVias(message));
      const next = vias[1];
      if (next === undefined) return;
      // Drop our Via line (it is the first one on the first Via header line).
      const stripped = withoutHeader(message, 'Via');
      const restored = vias.slice(1).reduceRight<SipMessage>(
        (m, via) => prependHeader(m, 'Via', formatVia(via)), stripped,
      );
      void transport.send(restored, responseTarget(next));
      return;
    }
    let request = message;
    const routes = unwrap(getRoutes(request));
    const first = routes[0];
    const remaining = first !== undefined && first.uri.kind === 'sip' && `${first.uri.host}:${first.uri.port ?? 5060}` === self
      ? routes.slice(1)
      : routes;
    request = withoutHeader(request, 'Route');
    for (const route of remaining) request = {
      ...request, headers: [...request.headers, { name: 'Route', value: formatNameAddr(route) }],
    };
    const initial = !/;\s*tag=/i.test(headerValue(request, 'To') ?? '');
    if (request.method === 'INVITE' && initial) {
      request = prependHeader(request, 'Record-Route', `<sip:${host}:5060;lr>`);
    }
    const top = unwrap(getVias(request))[0];
    const branch = `z9hG4bK${host.replace(/\./g, '')}${viaBranch(top!) ?? ''}`;
    request = prependHeader(request, 'Via', `SIP/2.0/UDP ${host}:5060;branch=${branch}`);
    request = withHeader(request, 'Max-Forwards', '69');
    const target = targetForUri(remaining[0]?.uri ?? nextHopFor(request));
    if (E.isLeft(target)) return;
    forwarded.push(`${request.method}`);
    void transport.send(request, target.right);
  });
  return { transport, forwarded };
};
