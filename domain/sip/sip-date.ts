/**
 * SIP-date = rfc1123-date (§20.17): `Sat, 13 Nov 2010 23:29:00 GMT`; only GMT
 * is allowed (RFC 4475 §3.1.2.12 rejects other zones).
 */
const SIP_DATE = new RegExp('^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} '
  + '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$');

export const isValidSipDate = (text: string): boolean => SIP_DATE.test(text.trim());
