import type { ExecutionContext } from 'ava';
import * as E from 'fp-ts/lib/Either.js';

/** The Right value, failing the test (with the Left shown) otherwise. */
export const right = <L, R>(t: ExecutionContext, either: E.Either<L, R>): R => {
  if (E.isLeft(either)) {
    t.fail(`expected Right, got Left: ${JSON.stringify(either.left)}`);
    throw new Error('unreachable');
  }
  return either.right;
};

/** The Left value, failing the test otherwise. */
export const left = <L, R>(t: ExecutionContext, either: E.Either<L, R>): L => {
  if (E.isRight(either)) {
    t.fail('expected Left, got Right');
    throw new Error('unreachable');
  }
  return either.left;
};

/** The Right value outside a test body (setup helpers); throws with the Left otherwise. */
export const unwrap = <L, R>(either: E.Either<L, R>): R => {
  if (E.isLeft(either)) throw new Error(`expected Right, got Left: ${JSON.stringify(either.left)}`);
  return either.right;
};
