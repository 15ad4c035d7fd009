import test from 'ava';
import { buildRequest } from '../../../domain/sip/build-request.js';
import { sipUri } from '../../../domain/sip/uri.js';
import {
  isReferNotify, referEvent, referState, wantsReferSubscription,
} from '../../../domain/events/refer.js';

const refer = (headers: Array<{ name: string; value: string }>) => buildRequest({
  method: 'REFER', uri: sipUri('h'), from: { uri: sipUri('a'), params: [{ name: 'tag', value: '1' }] },
  to: { uri: sipUri('b'), params: [] }, callId: 'c', cseq: 7, vias: [], headers,
});

test('refer: the subscription is named by the REFER CSeq; a NOTIFY without id matches (one REFER), another id does not', (t) => {
  const ours = referEvent(7);
  t.deepEqual(ours, { package: 'refer', id: '7' });
  t.true(isReferNotify({ package: 'refer', id: '7' }, ours));
  t.true(isReferNotify({ package: 'refer', id: undefined }, ours));
  t.false(isReferNotify({ package: 'refer', id: '8' }, ours));
  t.false(isReferNotify({ package: 'presence', id: '7' }, ours));
  t.false(isReferNotify(undefined, ours));
});

test('refer: Refer-Sub: false (RFC 4488) asks for no subscription; anything else or nothing keeps it', (t) => {
  t.false(wantsReferSubscription(refer([{ name: 'Refer-Sub', value: ' FALSE ' }])));
  t.true(wantsReferSubscription(refer([{ name: 'Refer-Sub', value: 'true' }])));
  t.true(wantsReferSubscription(refer([])));
});

test('refer: progress is active with what is left of the grant; the final status ends it (noresource), a lapse (timeout)', (t) => {
  t.deepEqual(referState(false, 42), { state: 'active', expiresSec: 42 });
  t.deepEqual(referState(true, 42), { state: 'terminated', reason: 'noresource' });
  t.deepEqual(referState(false, 0), { state: 'terminated', reason: 'timeout' });
});
