/** Whether a callback answered later (a promise) rather than at once: most answer at once, and stay synchronous. */
export const isPromise = <T>(value: T | Promise<T>): value is Promise<T> =>
  typeof (value as { then?: unknown } | undefined)?.then === 'function';
