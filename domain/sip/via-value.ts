import type { Param } from './params.js';

/** One Via value (§20.42): `SIP/2.0/UDP host:port;params`. Its own module: both Via readers build it. */
export interface Via {
  readonly protocolName: string;
  readonly protocolVersion: string;
  readonly transport: string;
  readonly host: string;
  readonly port?: number;
  readonly params: ReadonlyArray<Param>;
}
