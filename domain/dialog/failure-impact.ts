/**
 * What a failure response to a request inside a dialog destroys (RFC 5057 §5.1):
 * only the transaction, the usage the request belonged to, or the whole dialog.
 */
export type FailureImpact = 'Transaction' | 'Usage' | 'Dialog';

const DIALOG = new Set([404, 410, 416, 482, 483, 484, 485, 502, 604]);
const USAGE = new Set([405, 408, 481, 489, 501]);

export const failureImpact = (status: number): FailureImpact =>
  DIALOG.has(status) ? 'Dialog' : USAGE.has(status) ? 'Usage' : 'Transaction';
