import { isLogWorthy } from '../../domain/logging/log-scale.js';
import type { SessionEvent } from '../../domain/session/session-event.js';
import type { Logger } from '../../ports/logger.js';

/** A thrown value as text: the message and the stack of an Error, otherwise its string form. */
export const describeError = (error: unknown): { readonly message: string; readonly stack: string | undefined } => {
  if (error instanceof Error) return { message: error.message, stack: error.stack };
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return { message: (error as { message: string }).message, stack: undefined };
  }
  try {
    return { message: typeof error === 'string' ? error : JSON.stringify(error) ?? String(error), stack: undefined };
  } catch {
    return { message: String(error), stack: undefined };
  }
};

/**
 * The application's callbacks and subscribers are foreign code: whatever they
 * throw or reject is caught here, logged with its message and stack, counted,
 * and published as an `Error` event — never allowed to unwind into the stack
 * that called them. An Error event whose own subscriber fails is not
 * published again (no loop).
 */
export class UserCode {
  private failureCount = 0;
  private readonly frequentFailures = new Map<string, number>();
  private publish: (event: SessionEvent) => void = () => undefined;

  constructor(private readonly logger: Logger | undefined) {}

  /** Where failures are published (the event bus, once it exists). */
  reportTo(publish: (event: SessionEvent) => void): void {
    this.publish = publish;
  }

  get failures(): number {
    return this.failureCount;
  }

  /** Runs a callback whose result does not matter; a throw or a rejection is reported. */
  call(what: string, sessionId: string | undefined, callback: () => unknown): void {
    let result: unknown;
    try {
      result = callback();
    } catch (error) {
      this.failed(what, sessionId, error);
      return;
    }
    if (isThenable(result)) result.then(undefined, (error: unknown) => this.failed(what, sessionId, error));
  }

  /**
   * Runs a callback whose answer matters: `fallback` when it throws or
   * rejects. The result is synchronous when the callback is (the caller may
   * act at once), a promise otherwise.
   */
  ask<T>(
    what: string, sessionId: string | undefined, callback: () => T | Promise<T>, fallback: T,
  ): { readonly now: T } | { readonly later: Promise<T> } {
    let result: T | Promise<T>;
    try {
      result = callback();
    } catch (error) {
      this.failed(what, sessionId, error);
      return { now: fallback };
    }
    if (!isThenable(result)) return { now: result as T };
    return { later: Promise.resolve(result).then((value) => value, (error: unknown) => {
      this.failed(what, sessionId, error);
      return fallback;
    }) };
  }

  /** An event-bus subscriber failed on `event`. */
  subscriberFailed(error: unknown, event: SessionEvent): void {
    const sessionId = 'sessionId' in event ? event.sessionId : undefined;
    this.failed(`a subscriber of ${event.type}`, sessionId, error, event.type !== 'Error');
  }

  /**
   * Reports a failure of foreign code caught elsewhere (a bridge listener, an
   * audio callback…). A `frequent` one (called every 20 ms) is logged and
   * published at its 1st, 10th, 100th… failure per call only, counted always.
   */
  report(what: string, sessionId: string | undefined, error: unknown, frequent = false): void {
    if (frequent) {
      const key = `${what}|${sessionId ?? ''}`;
      const count = (this.frequentFailures.get(key) ?? 0) + 1;
      if (this.frequentFailures.size < MAX_FREQUENT_KEYS || this.frequentFailures.has(key)) this.frequentFailures.set(
        key, count,
      );
      if (!isLogWorthy(count)) {
        this.failureCount++;
        return;
      }
    }
    this.failed(what, sessionId, error);
  }

  private failed(what: string, sessionId: string | undefined, error: unknown, publish = true): void {
    this.failureCount++;
    const { message, stack } = describeError(error);
    this.logger?.error(`${what} failed`, { session: sessionId, error: message, stack });
    if (!publish) return;
    const text = `${what} failed: ${message}`;
    this.publish(
      sessionId === undefined ? { type: 'Error', message: text } : { type: 'Error', sessionId, message: text },
    );
  }
}

/** Bounds the per-call failure counts of frequent callbacks (beyond it, every failure is logged). */
const MAX_FREQUENT_KEYS = 10_000;


export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
