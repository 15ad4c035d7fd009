import test from 'ava';
import { SeededRandom } from '../../../adapters/sim/seeded-random.js';
import { parseMessage } from '../../../domain/sip/parse-message.js';
import { INITIAL_FRAMER_STATE, pushChunk, type FramerState } from '../../../domain/sip/stream-framer.js';
import { encodeUtf8 } from '../../../domain/sip/text-codec.js';
import { INVITE_ASTERISK, OK_THROUGH_PROXIES, REGISTER_AUTH } from '../../fixtures/sip/messages.js';

const feed = (chunks: ReadonlyArray<Uint8Array>, maxMessageBytes = 65_535): {
  messages: Uint8Array[]; oversized: Uint8Array[]; pings: number; errors: string[]; state: FramerState;
} => {
  let state = INITIAL_FRAMER_STATE;
  const messages: Uint8Array[] = [];
  const oversized: Uint8Array[] = [];
  const errors: string[] = [];
  let pings = 0;
  for (const chunk of chunks) {
    const result = pushChunk(state, chunk, { maxMessageBytes });
    state = result.state;
    messages.push(...result.messages);
    oversized.push(...result.oversized);
    pings += result.pings;
    if (result.error !== undefined) errors.push(result.error.reason);
  }
  return { messages, oversized, pings, errors, state };
};

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
};

test('stream framer: three messages in one chunk come out whole, in order', (t) => {
  const stream = concat(encodeUtf8(INVITE_ASTERISK), encodeUtf8(REGISTER_AUTH), encodeUtf8(OK_THROUGH_PROXIES));
  const { messages, errors, state } = feed([stream]);
  t.deepEqual(errors, []);
  t.deepEqual(messages.map((m) => new TextDecoder().decode(m)), [INVITE_ASTERISK, REGISTER_AUTH, OK_THROUGH_PROXIES]);
  t.is(state.pending.length, 0);
});

test('stream framer: a 20 KB message split into random chunks (1–700 bytes) is reassembled exactly', (t) => {
  const body = 'x'.repeat(20_000);
  const text = `MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const bytes = concat(encodeUtf8(text), encodeUtf8(INVITE_ASTERISK));
  for (const seed of [1, 2, 3, 4, 5]) {
    const random = new SeededRandom(seed);
    const chunks: Uint8Array[] = [];
    for (let offset = 0; offset < bytes.length;) {
      const size = 1 + (random.nextUint32() % 700);
      chunks.push(bytes.slice(offset, offset + size));
      offset += size;
    }
    const { messages, errors } = feed(chunks);
    t.deepEqual(errors, [], `seed ${seed}`);
    t.is(messages.length, 2);
    t.is(new TextDecoder().decode(messages[0]), text);
    t.is(parseMessage(messages[1]!)._tag, 'Right');
  }
});

test('stream framer: CRLF keep-alives between messages are skipped and double-CRLF pings counted (RFC 5626 §3.5.1)', (
  t,
) => {
  const { messages, pings } = feed([
    encodeUtf8('\r\n\r\n'), encodeUtf8(`\r\n\r\n${REGISTER_AUTH}\r\n`), encodeUtf8('\r\n\r\n\r\n'),
  ]);
  t.is(messages.length, 1);
  t.is(pings, 3);
});

test('stream framer: a missing Content-Length is a framing error on a stream (§18.3)', (t) => {
  t.deepEqual(
    feed([encodeUtf8('OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n\r\n')]).errors, ['MissingContentLength'],
  );
});

test('stream framer: repeated or malformed Content-Length is a framing error', (t) => {
  t.deepEqual(
    feed([encodeUtf8('OPTIONS sip:a@b SIP/2.0\r\nl: 0\r\nContent-Length: 0\r\n\r\n')]).errors, ['BadContentLength'],
  );
  t.deepEqual(feed([encodeUtf8('OPTIONS sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n')]).errors, ['BadContentLength']);
  t.deepEqual(
    feed([encodeUtf8('OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 1000000000\r\n\r\n')]).errors, ['BadContentLength'],
  );
});

test('stream framer: Content-Length may carry any number of leading zeros, as parseMessage reads it', (t) => {
  const { messages, errors } = feed([
    encodeUtf8(
      'MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 000000000002\r\n\r\nhiOPTIONS sip:a@b SIP/2.0\r\nl: 0000000000\r\n\r\n',
    ),
  ]);
  t.deepEqual(errors, []);
  t.is(messages.length, 2);
});

test('stream framer: a header section that does not end within the limit fails without waiting for more; its head is kept to answer', (t) => {
  const chunk = encodeUtf8(`OPTIONS sip:a@b SIP/2.0\r\n${'X-Filler: yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n'.repeat(100)}`);
  const chunks = Array.from({ length: 6 }, () => chunk);
  const { errors, oversized } = feed(chunks, 16_384);
  t.deepEqual(errors, ['TooLarge']);
  t.is(oversized.length, 1);
  t.true(new TextDecoder().decode(oversized[0]).startsWith('OPTIONS sip:a@b SIP/2.0'));
});

test('stream framer: a message above the limit yields its head, its body is skipped as it arrives (not buffered), and the next message frames (§21.5.14)', (t) => {
  const head = encodeUtf8('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 50000\r\n\r\n');
  const body = new Uint8Array(50_000).fill(0x41);
  const next = encodeUtf8('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 2\r\n\r\nok');
  const stream = concat(head, body, next);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < stream.length; at += 1_000) chunks.push(stream.subarray(at, at + 1_000));
  let state = INITIAL_FRAMER_STATE;
  let largestPending = 0;
  const messages: Uint8Array[] = [];
  const oversized: Uint8Array[] = [];
  for (const chunk of chunks) {
    const result = pushChunk(state, chunk, { maxMessageBytes: 10_000 });
    state = result.state;
    largestPending = Math.max(largestPending, state.pending.length);
    messages.push(...result.messages);
    oversized.push(...result.oversized);
    t.is(result.error, undefined);
  }
  t.deepEqual(oversized.map((h) => new TextDecoder().decode(h)), [new TextDecoder().decode(head)]);
  t.deepEqual(messages.map((m) => new TextDecoder().decode(m)), [new TextDecoder().decode(next)]);
  t.true(largestPending < 2_000, `buffered ${largestPending} bytes`);
});

test('stream framer: compact l: and case-insensitive names are understood', (t) => {
  const { messages } = feed([
    encodeUtf8('MESSAGE sip:a@b SIP/2.0\r\nL : 2\r\n\r\nhiMESSAGE sip:a@b SIP/2.0\r\ncontent-LENGTH:1\r\n\r\nx'),
  ]);
  t.deepEqual(messages.map((m) => new TextDecoder().decode(m).slice(-2)), ['hi', '\nx']);
});
