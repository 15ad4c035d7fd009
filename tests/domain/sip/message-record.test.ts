import test from 'ava';
import { inspect } from 'node:util';
import { getCallId, getFrom, getTopVia } from '../../../domain/sip/core-headers.js';
import { EMPTY_BODY, withBody, type SipRequest } from '../../../domain/sip/message.js';
import { readMemo, requestRecord, responseRecord } from '../../../domain/sip/message-record.js';
import { parseMessage } from '../../../domain/sip/parse-message.js';
import type { Uri } from '../../../domain/sip/uri.js';
import { INVITE_ASTERISK } from '../../fixtures/sip/messages.js';
import { right } from '../../support/either.js';

const uri: Uri = { kind: 'sip', scheme: 'sip', user: 'bob', host: 'example.com', params: [], headers: [] };

test('a record lists, prints and deep-compares like the object literal with the same fields', (t) => {
  const headers = [{ name: 'Call-ID', value: 'a1' }];
  const record = requestRecord('OPTIONS', uri, 'SIP/2.0', headers, EMPTY_BODY);
  const literal: SipRequest = {
    kind: 'request', method: 'OPTIONS', uri, version: 'SIP/2.0', headers, body: EMPTY_BODY,
  };
  t.deepEqual(Object.keys(record), Object.keys(literal));
  t.deepEqual(record, literal);
  t.is(inspect(record), inspect(literal));
  t.is(JSON.stringify(record), JSON.stringify(literal));
  const response = responseRecord('SIP/2.0', 200, 'OK', headers, EMPTY_BODY);
  t.deepEqual(response, { kind: 'response', version: 'SIP/2.0', status: 200, reason: 'OK', headers, body: EMPTY_BODY });
});

test('the memo lives in the record, is parsed once, and a spread copy starts without it', (t) => {
  const parsed = right(t, parseMessage(INVITE_ASTERISK));
  t.truthy(readMemo(parsed, 'transaction'), 'the parser stores the transaction headers it computed');
  t.is(readMemo(parsed, 'address'), undefined, 'From/To/Contact wait for first use');
  const from = right(t, getFrom(parsed));
  t.is(right(t, getFrom(parsed)), from, 'second read returns the memoized value');
  const copy = withBody(parsed, EMPTY_BODY);
  t.is(readMemo(copy, 'transaction'), undefined, 'a plain copy carries no record memo');
  t.is(right(t, getTopVia(copy)), right(t, getTopVia(copy)), 'a plain message memoizes in its hidden slot');
  t.is(right(t, getCallId(copy)), right(t, getCallId(parsed)));
});
