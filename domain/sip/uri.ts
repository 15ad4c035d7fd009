import type { Param } from './params.js';

/**
 * SIP and SIPS URIs (§19.1). `user`, `password` and parameter names/values are
 * stored unescaped; formatting re-escapes what the grammar requires. `host` is
 * kept as written, IPv6 references with their brackets.
 */
export interface SipUri {
  readonly kind: 'sip';
  readonly scheme: 'sip' | 'sips';
  readonly user?: string;
  readonly password?: string;
  readonly host: string;
  readonly port?: number;
  readonly params: ReadonlyArray<Param>;
  readonly headers: ReadonlyArray<Param>;
}

/** A tel URI (RFC 3966): the number as written and its parameters. */
export interface TelUri {
  readonly kind: 'tel';
  readonly number: string;
  readonly params: ReadonlyArray<Param>;
}

/** Any other absoluteURI (§25.1), kept opaque: scheme plus the rest as written. */
export interface AbsoluteUri {
  readonly kind: 'absolute';
  readonly scheme: string;
  readonly value: string;
}

export type Uri = SipUri | TelUri | AbsoluteUri;

export const sipUri = (host: string, options: Partial<Omit<SipUri, 'kind' | 'host'>> = {}): SipUri => ({
  kind: 'sip',
  scheme: options.scheme ?? 'sip',
  ...(options.user === undefined ? {} : { user: options.user }),
  ...(options.password === undefined ? {} : { password: options.password }),
  host,
  ...(options.port === undefined ? {} : { port: options.port }),
  params: options.params ?? [],
  headers: options.headers ?? [],
});

export const uriScheme = (uri: Uri): string => (
  uri.kind === 'sip' ? uri.scheme : uri.kind === 'tel' ? 'tel' : uri.scheme
);
