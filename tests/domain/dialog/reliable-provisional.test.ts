import test from 'ava';
import {
  onRetransmitTimer, rackHeader, rackOf, requires100rel, rseqOf, sendsReliably, supports100rel, uacProvisional,
  uasReliability,
} from '../../../domain/dialog/reliable-provisional.js';
import type { SipHeader, SipMessage } from '../../../domain/sip/message.js';

const message = (...headers: Array<[string, string]>): SipMessage => ({
  kind: 'response', version: 'SIP/2.0', status: 183, reason: 'Session Progress',
  headers: headers.map(([name, value]): SipHeader => ({ name, value })), body: new Uint8Array(),
}) as unknown as SipMessage;

test('100rel in Supported and Require, in lists and any case; Require implies support', (t) => {
  t.true(supports100rel(message(['Supported', 'timer, 100REL'])));
  t.false(requires100rel(message(['Supported', '100rel'])));
  t.false(requires100rel(message(['Require', 'timer'])));
  t.true(requires100rel(message(['Require', 'timer'], ['Require', ' 100rel '])));
  t.true(supports100rel(message(['Require', '100rel'])));
  t.false(supports100rel(message(['Supported', '100relx'])));
});

test('RSeq and RAck: 1 to 2^31-1, exactly one header, RAck with three parts (RFC 3262 §7)', (t) => {
  t.is(rseqOf(message(['RSeq', '988789'])), 988789);
  t.is(rseqOf(message(['RSeq', '0'])), undefined);
  t.is(rseqOf(message(['RSeq', '2147483648'])), undefined);
  t.is(rseqOf(message(['RSeq', '1'], ['RSeq', '2'])), undefined);
  t.is(rseqOf(message(['RSeq', '12a'])), undefined);
  t.deepEqual(rackOf(message(['RAck', '776656 1 INVITE'])), { rseq: 776656, cseq: 1, method: 'INVITE' });
  t.is(rackOf(message(['RAck', '776656 INVITE'])), undefined);
  t.is(rackOf(message(['RAck', '1 1 INVITE x'])), undefined);
  t.is(rackOf(message(['RAck', '0 1 INVITE'])), undefined);
  t.deepEqual(rackHeader({ rseq: 5, cseq: 2, method: 'INVITE' }), { name: 'RAck', value: '5 2 INVITE' });
});

test('UAS policy: 420 when off and required, 421 when we require it and it lacks it, early media reliably when supported', (t) => {
  const plain = message();
  const supported = message(['Supported', '100rel']);
  const required = message(['Require', '100rel']);
  t.like(uasReliability(required, 'off'), { kind: 'Refuse', status: 420, headers: [{ name: 'Unsupported' }] });
  t.deepEqual(uasReliability(supported, 'off'), { kind: 'Unreliable' });
  t.like(uasReliability(plain, 'required'), { kind: 'Refuse', status: 421, headers: [{ name: 'Require' }] });
  t.deepEqual(uasReliability(supported, 'required'), { kind: 'Reliable' });
  t.deepEqual(uasReliability(required, 'supported'), { kind: 'Reliable' });
  t.deepEqual(uasReliability(plain, 'supported'), { kind: 'Unreliable' });
  const early = uasReliability(supported, 'supported');
  t.true(sendsReliably(early, 183, true));
  t.false(sendsReliably(early, 180, false));
  t.false(sendsReliably({ kind: 'Reliable' }, 100, false), '100 Trying is never reliable');
  t.true(sendsReliably({ kind: 'Reliable' }, 180, false));
});

test('UAC: the next RSeq is acknowledged, an old one is a retransmission, a gap waits, no Require is unreliable', (t) => {
  const reliable = (rseq: string): SipMessage => message(['Require', '100rel'], ['RSeq', rseq]);
  t.deepEqual(uacProvisional(reliable('10'), undefined), { kind: 'Acknowledge', rseq: 10 });
  t.deepEqual(uacProvisional(reliable('11'), 10), { kind: 'Acknowledge', rseq: 11 });
  t.deepEqual(uacProvisional(reliable('10'), 10), { kind: 'Retransmission' });
  t.deepEqual(uacProvisional(reliable('13'), 11), { kind: 'OutOfOrder' });
  t.deepEqual(uacProvisional(message(['RSeq', '5']), undefined), { kind: 'Unreliable' });
  t.deepEqual(uacProvisional(message(['Require', '100rel']), undefined), { kind: 'Unreliable' });
});

test('retransmissions: T1 doubling, given up once 64·T1 has passed (RFC 3262 §3)', (t) => {
  let interval = 500;
  let elapsed = 0;
  const sent: number[] = [];
  for (;;) {
    elapsed += interval;
    const next = onRetransmitTimer(500, elapsed, interval);
    if (next.kind === 'GiveUp') break;
    sent.push(elapsed);
    interval = next.nextIntervalMs;
  }
  t.deepEqual(sent, [500, 1500, 3500, 7500, 15500, 31500]);
  t.is(elapsed, 64 * 500, 'the 5xx at 64·T1');
});
