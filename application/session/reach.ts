import * as E from 'fp-ts/lib/Either.js';
import { parseTarget } from '../../domain/session/call-target.js';
import { invalidArgument, type SessionError } from '../../domain/session/session-error.js';
import type { NameAddr } from '../../domain/sip/name-addr.js';
import type { Uri } from '../../domain/sip/uri.js';
import type { Endpoint } from '../../domain/transport/endpoint.js';

/** How a request reaches someone other than where its To URI points (a registered contact of that AOR). */
export interface ReachOptions {
  /** The Request-URI, when it is not the To URI (a registered contact of the AOR in To). */
  readonly requestUri?: string;
  /** The route set to preload instead of the outbound proxy's (a binding's Path, RFC 3327). */
  readonly routes?: ReadonlyArray<string>;
  /**
   * Where the request (and, for a call, every request of its dialog) is sent, whatever the URIs say (no
   * Route is added): the address or connection a contact registered from (`Binding.source`), behind NAT.
   */
  readonly nextHop?: Endpoint;
}

/** The same, parsed for the UA core. */
export interface Reach {
  readonly requestUri?: Uri;
  readonly routes?: ReadonlyArray<NameAddr>;
  readonly flow?: Endpoint;
}

/** The Request-URI, routes and flow of a request: the options' own, else the outbound proxy's routes. */
export const reachOf = (
  options: ReachOptions, outboundRoutes: ReadonlyArray<NameAddr>,
): E.Either<SessionError, Reach> => {
  const requestUri = options.requestUri === undefined ? undefined : parseTarget(options.requestUri);
  if (requestUri !== undefined && E.isLeft(requestUri)) return E.left(
    invalidArgument('requestUri', requestUri.left.message),
  );
  const parsed = (options.routes ?? []).map(parseTarget);
  const bad = parsed.find(E.isLeft);
  if (bad !== undefined) return E.left(invalidArgument('routes', bad.left.message));
  const given = parsed.flatMap((r) => (E.isRight(r) ? [r.right] : []));
  const routes = options.nextHop !== undefined ? [] : options.routes !== undefined ? given : outboundRoutes;
  return E.right({
    ...(requestUri === undefined ? {} : { requestUri: requestUri.right.uri }),
    ...(routes.length === 0 ? {} : { routes }),
    ...(options.nextHop === undefined ? {} : { flow: options.nextHop }),
  });
};
