/**
 * Our fuzzing without a fuzzer: a seeded mutation loop over valid messages and
 * random bytes. The parser must never throw, and whatever parses must survive
 * parse → serialize → parse unchanged. A failure names the seed and iteration;
 * SIM_SEED=<n> replays one seed.
 */
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { SeededRandom } from '../../../adapters/sim/seeded-random.js';
import { badRequestResponse } from '../../../domain/sip/bad-request-response.js';
import { coreHeaders } from '../../../domain/sip/core-headers.js';
import { parseMessage } from '../../../domain/sip/parse-message.js';
import { serializeMessage } from '../../../domain/sip/serialize-message.js';
import { INITIAL_FRAMER_STATE, pushChunk } from '../../../domain/sip/stream-framer.js';
import { encodeUtf8 } from '../../../domain/sip/text-codec.js';
import { validateRequest } from '../../../domain/sip/validate-request.js';
import {
  INVITE_ASTERISK, INVITE_COMPACT, INVITE_FREESWITCH, NOTIFY_SIPFRAG, OK_THROUGH_PROXIES, REGISTER_AUTH, RINGING_CISCO,
} from '../../fixtures/sip/messages.js';

const SEEDS = process.env['SIM_SEED'] !== undefined ? [Number(process.env['SIM_SEED'])] : [1, 2, 3, 4];
const ITERATIONS = 2_500;
const CORPUS = [INVITE_ASTERISK, INVITE_COMPACT, INVITE_FREESWITCH, NOTIFY_SIPFRAG, OK_THROUGH_PROXIES, REGISTER_AUTH, RINGING_CISCO].map(encodeUtf8);
const INTERESTING = encodeUtf8(' \t\r\n:;,<>"\\%@=/[]?&0zZ\u0000\u00ff');

const mutate = (random: SeededRandom, input: Uint8Array): Uint8Array => {
  const bytes = Array.from(input);
  const edits = 1 + (random.nextUint32() % 8);
  for (let e = 0; e < edits; e++) {
    const at = random.nextUint32() % Math.max(1, bytes.length);
    switch (random.nextUint32() % 5) {
      case 0: bytes[at] = random.nextUint32() & 0xff; break;
      case 1: bytes[at] = INTERESTING[random.nextUint32() % INTERESTING.length] as number; break;
      case 2: bytes.splice(at, 1 + (random.nextUint32() % 10)); break;
      case 3: bytes.splice(at, 0, ...bytes.slice(random.nextUint32() % bytes.length, random.nextUint32() % bytes.length)); break;
      default: bytes.splice(at, 0, INTERESTING[random.nextUint32() % INTERESTING.length] as number); break;
    }
  }
  return Uint8Array.from(bytes);
};

const exercise = (input: Uint8Array): void => {
  const parsed = parseMessage(input);
  if (E.isLeft(parsed)) {
    badRequestResponse(input, parsed.left);
    return;
  }
  const message = parsed.right;
  if (message.kind === 'request') validateRequest(message);
  const again = parseMessage(serializeMessage(message));
  if (E.isLeft(again)) throw new Error(`re-parse failed: ${JSON.stringify(again.left)}`);
  const a = JSON.stringify({ ...again.right, body: [...again.right.body] });
  const b = JSON.stringify({ ...message, body: [...message.body] });
  if (a !== b) throw new Error('parse → serialize → parse changed the message');
  if (E.isLeft(coreHeaders(again.right)) !== E.isLeft(coreHeaders(message))) throw new Error(
    'address headers changed validity',
  );
};

for (const seed of SEEDS) {
  test(`parser property (seed ${seed}): mutated valid messages never throw and round-trip stably`, (t) => {
    const random = new SeededRandom(seed);
    let parsedCount = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const input = mutate(random, CORPUS[random.nextUint32() % CORPUS.length] as Uint8Array);
      try {
        exercise(input);
        if (E.isRight(parseMessage(input))) parsedCount++;
      } catch (error) {
        t.fail(`SIM_SEED=${seed} iteration ${i}: ${String(error)}\n${JSON.stringify(new TextDecoder().decode(input))}`);
        return;
      }
    }
    t.log(`${parsedCount}/${ITERATIONS} mutants still parsed`);
    t.true(parsedCount > 0 && parsedCount < ITERATIONS, 'the mutations must produce both valid and invalid inputs');
  });

  test(`parser property (seed ${seed}): random bytes never throw, in the parser or the framer`, (t) => {
    const random = new SeededRandom(seed * 7919);
    let framer = INITIAL_FRAMER_STATE;
    for (let i = 0; i < ITERATIONS; i++) {
      const bytes = new Uint8Array(random.nextUint32() % 300);
      for (let k = 0; k < bytes.length; k++) bytes[k] = random.nextUint32() & 0xff;
      t.notThrows(() => exercise(bytes));
      const result = pushChunk(framer, bytes);
      framer = result.error === undefined ? result.state : INITIAL_FRAMER_STATE;
    }
  });
}
