/**
 * The one final response a forked request's caller gets when every branch
 * failed (RFC 3261 §16.7 step 6): any 6xx wins; otherwise the lowest class,
 * within 4xx preferring what lets the caller try again (401, 407, 415, 420,
 * 484), then a busy callee over an absent one, a timed-out branch last. A 503
 * becomes 500 (§16.7: it speaks of us, not of the callee). No branch at all,
 * or only time-outs, is 480: nobody answered.
 */
const PREFERRED_4XX = [401, 407, 415, 420, 484, 486, 404, 480];

const rank = (status: number): number => {
  if (status >= 600) return status - 600;
  const klass = Math.floor(status / 100) * 1_000;
  const preferred = PREFERRED_4XX.indexOf(status);
  if (status === 408) return klass + 999;
  return klass + (status >= 400 && status < 500 && preferred >= 0 ? preferred : 100 + (status % 100));
};

export const bestResponse = (statuses: ReadonlyArray<number>): number => {
  const finals = statuses.filter((s) => Number.isInteger(s) && s >= 300 && s <= 699);
  if (finals.length === 0 || finals.every((s) => s === 408)) return 480;
  let best = finals[0] as number;
  for (const s of finals) if (rank(s) < rank(best)) best = s;
  return best === 503 ? 500 : best;
};
