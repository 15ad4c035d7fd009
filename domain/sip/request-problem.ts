/**
 * What is wrong with a well-formed request, as §8.2 sees it. Each kind maps to
 * exactly one response in error-response.ts.
 */
export type RequestProblemKind =
  | 'UnsupportedVersion'
  | 'MissingHeader'
  | 'BadHeaderValue'
  | 'CSeqMethodMismatch'
  | 'UnknownMethod'
  | 'MethodNotAllowed'
  | 'UnsupportedUriScheme'
  | 'HeadersInRequestUri'
  | 'UnsupportedExtension'
  | 'UnsupportedMediaType';

export interface RequestProblem {
  readonly kind: RequestProblemKind;
  readonly detail: string;
  readonly header?: string;
  /** For UnsupportedExtension: the option tags to list in Unsupported. */
  readonly unsupported?: ReadonlyArray<string>;
}
