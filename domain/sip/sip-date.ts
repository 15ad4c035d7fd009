/**
 * SIP-date = rfc1123-date (§20.17): `Sat, 13 Nov 2010 23:29:00 GMT`; only GMT
 * is allowed (RFC 4475 §3.1.2.12 rejects other zones).
 */
const SIP_DATE = new RegExp('^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} '
  + '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$');

export const isValidSipDate = (text: string): boolean => SIP_DATE.test(text.trim());

/** Writing one, from milliseconds since 1970 (computed here rather than read from a clock). */
const DAYS = ['Thu', 'Fri', 'Sat', 'Sun', 'Mon', 'Tue', 'Wed'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const two = (n: number): string => String(n).padStart(2, '0');

/** Year, month (1–12) and day of a count of days since 1970-01-01 (the proleptic Gregorian calendar). */
const civil = (days: number): readonly [number, number, number] => {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524)
    - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
};

/** e.g. `Sat, 13 Nov 2010 23:29:00 GMT`. */
export const sipDate = (epochMs: number): string => {
  const seconds = Math.floor(epochMs / 1000);
  const days = Math.floor(seconds / 86_400);
  const rest = seconds - days * 86_400;
  const [year, month, day] = civil(days);
  const weekday = DAYS[((days % 7) + 7) % 7] as string;
  const time = `${two(Math.floor(rest / 3600))}:${two(Math.floor((rest % 3600) / 60))}:${two(rest % 60)}`;
  return `${weekday}, ${two(day)} ${MONTHS[month - 1]} ${year} ${time} GMT`;
};
