import test from 'ava';
import { ladder } from '../../../adapters/shared/ladder.js';
import type { SipTraceEntry } from '../../../adapters/shared/tracing-transport.js';

const A = '10.0.0.1:5060';
const B = '10.0.0.2:5060';
type Dir = SipTraceEntry['sdpDirection'];
const entry = (atMs: number, direction: 'in' | 'out', from: string, summary: string, key: string, inDialog = false, sdpDirection?: Dir): SipTraceEntry => ({
  atMs, direction, local: direction === 'out' ? from : (from === A ? B : A), remote: direction === 'out' ? (from === A ? B : A) : from,
  summary, callId: 'c1', bodyLength: sdpDirection === undefined ? 0 : 100, key, inDialog, sdpDirection,
  // The ladder draws from the summary fields; the message itself is not read.
  message: { kind: 'response', version: 'SIP/2.0', status: 200, reason: 'OK', headers: [], body: new Uint8Array(0) },
});
/** A message from `from` sent at `atMs` and received `delayMs` later (once per receipt given). */
const crossing = (atMs: number, from: string, summary: string, key: string, receipts: ReadonlyArray<number>, inDialog = false, sdp?: Dir) => [
  entry(atMs, 'out', from, summary, key, inDialog, sdp),
  ...receipts.map((delay) => entry(atMs + delay, 'in', from, summary, key, inDialog, sdp)),
];

const parties = [{ label: 'alice', address: A }, { label: 'bob', address: B }] as const;

test('ladder: times count from the call\'s first message; re-INVITEs say hold and resume', (t) => {
  const trace = [
    ...crossing(5_000, A, 'INVITE sip:b@h', 'i1', [10], false, 'sendrecv'),
    ...crossing(5_020, B, '200 OK', 'o1', [10]),
    ...crossing(6_000, A, 'INVITE sip:b@h', 'i2', [10], true, 'sendonly'),
    ...crossing(7_000, A, 'INVITE sip:b@h', 'i3', [10], true, 'sendrecv'),
    ...crossing(8_000, A, 'INVITE sip:b@h', 'i4', [10], true, 'sendrecv'),
  ];
  const lines = ladder(trace, ...parties).split('\n');
  t.regex(lines[1]!, /^ +0\.000s \|-+ INVITE sip:b@h -+>\|$/);
  t.regex(lines[2]!, /^ +0\.020s \|<-+ 200 OK -+\|$/);
  t.regex(lines[3]!, /INVITE \(hold\) sip:b@h/);
  t.regex(lines[4]!, /INVITE \(resume\) sip:b@h/);
  t.regex(lines[5]!, /INVITE \(re-INVITE\) sip:b@h/, 'a refresh after a resume is neither');
});

test('ladder: with both sides traced, a message never received is drawn lost and a copy received twice gets its own line', (t) => {
  const trace = [
    ...crossing(0, A, 'INVITE sip:b@h', 'i1', []),
    ...crossing(500, A, 'INVITE sip:b@h', 'i1', [40, 45]),
    ...crossing(600, B, '200 OK', 'o1', [40]),
  ];
  const lines = ladder(trace, ...parties).split('\n');
  t.regex(lines[1]!, /^ +0\.000s \|-+ INVITE sip:b@h \(lost\) -+x $/);
  t.regex(lines[2]!, /^ +0\.500s \|-+ INVITE sip:b@h -+>\|$/);
  t.regex(lines[3]!, /^ +0\.545s \|-+ INVITE sip:b@h \(duplicate\) -+>\|$/);
  t.regex(lines[4]!, /^ +0\.600s \|<-+ 200 OK -+\|$/);
});

test('ladder: when the other side was not traced (a SIPp or a phone), nothing is called lost, and what it sent is drawn as received', (t) => {
  const trace = [
    entry(0, 'out', A, 'OPTIONS sip:b@h', 'x1'), entry(100, 'out', A, 'OPTIONS sip:b@h', 'x1'),
    entry(130, 'in', B, '200 OK', 'x2'),
  ];
  const drawn = ladder(trace, ...parties);
  t.notRegex(drawn, /lost|duplicate/);
  t.regex(drawn.split('\n')[3]!, /^ +0\.130s \|<-+ 200 OK -+\|$/);
});

test('ladder: over TCP or TLS the far end sees our connection\'s port, not our listening one; its answers are still matched, not drawn as duplicates', (t) => {
  const ephemeral = '10.0.0.1:49152';
  const trace: SipTraceEntry[] = [
    entry(0, 'out', A, 'INVITE sip:bob@10.0.0.2', 'i'),
    { ...entry(5, 'in', A, 'INVITE sip:bob@10.0.0.2', 'i'), remote: ephemeral },
    { ...entry(10, 'out', B, '200 OK', 'o'), remote: ephemeral },
    entry(15, 'in', B, '200 OK', 'o'),
  ];
  const drawn = ladder(trace, { label: 'alice', address: A }, { label: 'bob', address: B });
  t.notRegex(drawn, /duplicate|lost/);
  t.is(drawn.split('\n').length, 3, 'a header and one line per message');
});
