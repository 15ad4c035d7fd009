import * as E from 'fp-ts/lib/Either.js';
import type { TransactionEffect } from './transaction-effect.js';
import type { TransactionError } from './transaction-error.js';

/** One transition: the next state and the effects to carry out, or an error for the caller. */
export type Step<S> = E.Either<TransactionError, readonly [S, ReadonlyArray<TransactionEffect>]>;

export const next = <S>(state: S, effects: ReadonlyArray<TransactionEffect>): Step<S> => E.right(
  [state, effects] as const,
);
