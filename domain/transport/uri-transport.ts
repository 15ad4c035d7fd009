import * as E from 'fp-ts/lib/Either.js';
import { paramValue } from '../sip/params.js';
import type { SipUri } from '../sip/uri.js';
import type { TransportProtocol } from './endpoint.js';
import { transportError, type TransportError } from './transport-error.js';

const NAMED: Readonly<Record<string, TransportProtocol>> = {
  udp: 'udp', tcp: 'tcp', tls: 'tls', ws: 'ws', wss: 'wss',
};

/**
 * The transport a SIP URI's `transport` parameter names, if any. In a sips URI the transport must be a
 * secure one: `transport=tcp` means TLS over TCP (RFC 5630), `transport=ws` WebSocket over TLS (RFC 7118
 * §5); UDP cannot carry it. `tls` is accepted as the old spelling of TLS.
 */
export const namedTransport = (uri: SipUri): E.Either<TransportError, TransportProtocol | undefined> => {
  const named = paramValue(uri.params, 'transport')?.toLowerCase();
  if (named === undefined) return E.right(undefined);
  const protocol = NAMED[named];
  const secure = uri.scheme === 'sips';
  if (secure && (protocol === undefined || protocol === 'udp')) return E.left(
    transportError('UnsupportedTransport', `a sips URI cannot use transport=${named} (RFC 5630)`),
  );
  if (protocol === undefined) return E.left(transportError('UnsupportedTransport', `transport=${named}`));
  if (!secure) return E.right(protocol);
  return E.right(protocol === 'ws' || protocol === 'wss' ? 'wss' : 'tls');
};
