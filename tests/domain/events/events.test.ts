import test from 'ava';
import { formatDialogInfo } from '../../../domain/events/dialog-info.js';
import { formatMessageSummary, parseMessageSummary } from '../../../domain/events/message-summary.js';
import { escapeXml, formatPidf, readPidf } from '../../../domain/events/presence.js';
import {
  eventOf, grantedExpiry, notifyDelayMs, refreshAfterSec, subscriptionStateHeader, subscriptionStateOf,
} from '../../../domain/events/subscription.js';
import type { SipHeader, SipMessage } from '../../../domain/sip/message.js';

const message = (...headers: Array<[string, string]>): SipMessage => ({
  kind: 'request', method: 'SUBSCRIBE', headers: headers.map(([name, value]): SipHeader => ({ name, value })),
  body: new Uint8Array(),
}) as unknown as SipMessage;

test('Event and Subscription-State (RFC 6665 §8.2): package lowercased with its id; states with expires, reasons, retry-after', (t) => {
  t.deepEqual(eventOf(message(['Event', 'Message-Summary;id=7'])), { package: 'message-summary', id: '7' });
  t.is(eventOf(message()), undefined);
  t.deepEqual(subscriptionStateOf(message(['Subscription-State', 'active;expires=599'])), {
    state: 'active', expiresSec: 599,
  });
  t.deepEqual(subscriptionStateOf(message(['Subscription-State', 'terminated;reason=timeout;retry-after=30'])), {
    state: 'terminated', reason: 'timeout', retryAfterSec: 30,
  });
  t.like(subscriptionStateOf(message(['Subscription-State', 'terminated;reason=made-up'])), { reason: undefined });
  t.is(subscriptionStateHeader({ state: 'terminated', reason: 'noresource' }).value, 'terminated;reason=noresource');
  t.is(subscriptionStateHeader({ state: 'pending', expiresSec: 60 }).value, 'pending;expires=60');
});

test('expiry: default when none is asked, capped at the maximum, 423 below the minimum, 0 ends; refresh and pacing', (t) => {
  const limits = { minSec: 60, maxSec: 3600, defaultSec: 600 };
  t.deepEqual(grantedExpiry(message(), limits), { kind: 'Grant', expiresSec: 600 });
  t.deepEqual(grantedExpiry(message(['Expires', '86400']), limits), { kind: 'Grant', expiresSec: 3600 });
  t.deepEqual(grantedExpiry(message(['Expires', '10']), limits), { kind: 'TooBrief', minSec: 60 });
  t.deepEqual(grantedExpiry(message(['Expires', '0']), limits), { kind: 'Grant', expiresSec: 0 });
  t.is(refreshAfterSec(3600), 3568);
  t.is(refreshAfterSec(60), 40);
  t.is(notifyDelayMs(undefined, 100, 5000), 0);
  t.is(notifyDelayMs(1000, 2000, 5000), 4000);
  t.is(notifyDelayMs(1000, 9000, 5000), 0);
});

test('message-summary (RFC 3842): written and read back; a body without Messages-Waiting is not one; CRLF cannot be injected', (t) => {
  const text = formatMessageSummary({
    waiting: true, account: 'sip:alice@example.com', voice: { new: 2, old: 8, urgentNew: 0, urgentOld: 2 },
  });
  t.is(text, 'Messages-Waiting: yes\r\nMessage-Account: sip:alice@example.com\r\nVoice-Message: 2/8 (0/2)\r\n');
  t.deepEqual(parseMessageSummary(text), {
    waiting: true, account: 'sip:alice@example.com', voice: { new: 2, old: 8, urgentNew: 0, urgentOld: 2 },
  });
  t.is(parseMessageSummary('Voice-Message: 1/1\r\n'), undefined);
  const injected = formatMessageSummary({ waiting: false, account: 'sip:x\r\nMessages-Waiting: yes' });
  t.false(injected.includes('\r\nMessages-Waiting: yes'));
});

test('PIDF and dialog-info: values escaped; the reader refuses DTDs (entity expansion), big bodies, and takes nothing from deep nesting', (t) => {
  t.is(escapeXml(`<a href="x">&'\u0001`), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
  const doc = formatPidf('sip:a&b@example.com', { basic: 'open', note: '</note><script>' });
  t.true(doc.includes('entity="sip:a&amp;b@example.com"'));
  t.deepEqual(readPidf(doc), { basic: 'open', note: '</note><script>' });
  const bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
    + '<presence><tuple><status><basic>open</basic></status><note>&lol2;</note></tuple></presence>';
  t.is(readPidf(bomb), undefined);
  t.is(readPidf(`<presence>${'x'.repeat(1024 * 1024)}<basic>open</basic></presence>`), undefined);
  const deep = `${'<a>'.repeat(100_000)}<basic>closed</basic>${'</a>'.repeat(100_000)}`;
  t.is(readPidf(deep), undefined, 'too big to read');
  t.is(readPidf('<presence><basic>maybe</basic></presence>'), undefined);
  const info = formatDialogInfo('sip:bob@h', 3, [
    { id: 'x"y', direction: 'recipient', phase: 'early', remote: 'sip:a<b>@h' },
  ]);
  t.true(info.includes('version="3"') && info.includes('id="x&quot;y"') && info.includes('sip:a&lt;b&gt;@h'));
});
