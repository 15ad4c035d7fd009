import test from 'ava';
import { sipDate } from '../../../domain/sip/sip-date.js';

test('Date header: RFC 1123 dates in GMT, matching the platform\'s own formatting across centuries, leap days and weekdays', (t) => {
  t.is(sipDate(Date.UTC(2010, 10, 13, 23, 29, 0)), 'Sat, 13 Nov 2010 23:29:00 GMT');
  for (let i = 0; i < 2_000; i++) {
    const ms = Date.UTC(1970, 0, 1) + Math.floor(((i * 7_919_323) % 4_102_444_800) * 1000);
    t.is(sipDate(ms), new Date(ms).toUTCString(), String(ms));
  }
  t.is(sipDate(Date.UTC(2024, 1, 29, 12, 0, 0)), 'Thu, 29 Feb 2024 12:00:00 GMT');
  t.is(sipDate(Date.UTC(2100, 2, 1)), 'Mon, 01 Mar 2100 00:00:00 GMT');
});
