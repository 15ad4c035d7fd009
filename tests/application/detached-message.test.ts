import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { detachedMessage } from '../../application/detached-message.js';
import { detachedString } from '../../application/own-string.js';
import { getCSeq, getTopVia } from '../../domain/sip/core-headers.js';
import { parseMessage } from '../../domain/sip/parse-message.js';
import { serializeMessage } from '../../domain/sip/serialize-message.js';
import { INVITE_ASTERISK, INVITE_COMPACT, OK_THROUGH_PROXIES, REGISTER_AUTH } from '../fixtures/sip/messages.js';
import { right } from '../support/either.js';

test('detachedString: equal text, whatever its length', (t) => {
  const text = `prefix ${'x'.repeat(40)};branch=z9hG4bK1 suffix`;
  for (const [from, to] of [[0, 3], [7, 47], [0, text.length], [10, 22]] as const) t.is(
    detachedString(text.slice(from, to)), text.slice(from, to),
  );
  t.is(detachedString(''), '');
});

for (const [name, fixture] of [['INVITE', INVITE_ASTERISK], ['compact INVITE', INVITE_COMPACT], ['REGISTER', REGISTER_AUTH], ['200 through proxies', OK_THROUGH_PROXIES]] as const) {
  test(`detachedMessage (${name}): serializes byte for byte like the original and reads the same core headers`, (t) => {
    const original = right(t, parseMessage(fixture));
    const copy = detachedMessage(original);
    t.not(copy, original);
    t.deepEqual(serializeMessage(copy), serializeMessage(original));
    t.deepEqual(copy, original, 'same fields and values');
    t.deepEqual(getTopVia(copy), getTopVia(original));
    t.deepEqual(
      E.map((c: { seq: number }) => c.seq)(getCSeq(copy)), E.map((c: { seq: number }) => c.seq)(getCSeq(original)),
    );
  });
}
