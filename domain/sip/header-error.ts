/** A header value that does not match its grammar; `at` is the offset inside the value. */
export interface HeaderError {
  readonly kind: 'HeaderError';
  readonly header: string;
  readonly detail: string;
  readonly at: number;
}

export const headerError = (header: string, detail: string, at = 0): HeaderError => ({
  kind: 'HeaderError', header, detail, at,
});
