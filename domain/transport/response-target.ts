import { findParam, paramValue } from '../sip/params.js';
import { defaultPort, viaReceived, viaRport, type Via } from '../sip/via.js';
import { endpoint, protocolOfVia, type Endpoint, type TransportProtocol } from './endpoint.js';

/**
 * Where a response goes (§18.2.2, RFC 3581 §4), for the top Via of the request
 * as stamped on receipt. Reliable transports first try the connection the
 * request came on (the caller's job); this is the address to use otherwise:
 * maddr, else received with rport (or the Via port), else sent-by.
 */
export const responseTarget = (via: Via, source?: Endpoint): Endpoint => {
  const protocol: TransportProtocol = protocolOfVia(via.transport) ?? 'udp';
  const port = via.port ?? defaultPort(via.transport);
  const maddr = paramValue(via.params, 'maddr');
  if (maddr !== undefined && protocol === 'udp') return endpoint(protocol, maddr, port);
  const received = viaReceived(via);
  const rport = viaRport(via);
  const host = received ?? via.host;
  if (typeof rport === 'number') return endpoint(protocol, host, rport);
  // rport requested but never filled: the request came from `source`.
  if (rport === true && source !== undefined && findParam(via.params, 'rport') !== undefined) return endpoint(
    protocol, source.host, source.port,
  );
  return endpoint(protocol, host, port);
};
