/** How digits go out: 'auto' (RFC 4733 when negotiated, else INFO), or one of them whatever was negotiated. */
export type DtmfMethod = 'auto' | 'rfc4733' | 'info';

export interface DtmfOptions {
  readonly method?: DtmfMethod;
}
