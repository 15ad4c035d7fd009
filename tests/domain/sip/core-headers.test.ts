import test from 'ava';
import { isValidCallId, MAX_CSEQ, parseCSeq } from '../../../domain/sip/core-headers.js';
import { left, right } from '../../support/either.js';

const goodCSeqs: ReadonlyArray<[string, number, string]> = [
  ['1 INVITE', 1, 'INVITE'],
  ['  12 \t OPTIONS  ', 12, 'OPTIONS'],
  [`${MAX_CSEQ} BYE`, MAX_CSEQ, 'BYE'],
  ['0 NEWMETHOD', 0, 'NEWMETHOD'],
];
for (const [value, seq, method] of goodCSeqs) {
  test(
    `parseCSeq: ${JSON.stringify(value)} → ${seq} ${method} (§20.16)`,
    (t) => t.deepEqual(right(t, parseCSeq(value)), { seq, method }),
  );
}

const badCSeqs: ReadonlyArray<[string, RegExp]> = [
  ['INVITE', /sequence number/],
  [`${MAX_CSEQ + 1} INVITE`, /below 2\^31/],
  ['1INVITE', /bad method/],
  ['1 ', /bad method/],
  ['1 INVITE extra', /bad method/],
  ['1 INV@TE', /bad method/],
];
for (const [value, detail] of badCSeqs) {
  test(`parseCSeq: ${JSON.stringify(value)} → error`, (t) => t.regex(left(t, parseCSeq(value)).detail, detail));
}

test('isValidCallId: word [ "@" word ] (§25.1)', (t) => {
  for (const ok of ['a84b4c76e66710', 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com', '3848276298220188511@atlanta.example.com',
    "x!%*_+`'~()<>:\\\"/[]?{}.-", 'left@[2001:db8::1]']) t.true(isValidCallId(ok), ok);
  for (const bad of ['', '@host', 'id@', 'a@b@c', 'with space', 'semi;colon', 'né']) t.false(isValidCallId(bad), bad);
});
