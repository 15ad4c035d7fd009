import test from 'ava';
import { ANSWERED_ELSEWHERE, reasonHeader } from '../../../domain/sip/reason-header.js';

test('the answered-elsewhere Reason is RFC 3326 text', (t) => {
  t.deepEqual(reasonHeader(ANSWERED_ELSEWHERE), { name: 'Reason', value: 'SIP;cause=200;text="Call completed elsewhere"' });
});

test('a Q.850 cause without text', (t) => {
  t.is(reasonHeader({ protocol: 'Q.850', cause: 16 })?.value, 'Q.850;cause=16');
});

test('quotes and backslashes in the text are escaped, control characters dropped', (t) => {
  t.is(reasonHeader({ protocol: 'SIP', cause: 480, text: 'a "b"\\c\r\nInjected: x' })?.value,
    'SIP;cause=480;text="a \\"b\\"\\\\cInjected: x"');
});

test('causes outside their range are refused', (t) => {
  t.is(reasonHeader({ protocol: 'SIP', cause: 99 }), undefined);
  t.is(reasonHeader({ protocol: 'SIP', cause: 700 }), undefined);
  t.is(reasonHeader({ protocol: 'Q.850', cause: 0 }), undefined);
  t.is(reasonHeader({ protocol: 'Q.850', cause: 2.5 }), undefined);
});
