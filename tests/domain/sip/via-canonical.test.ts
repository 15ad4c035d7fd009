/**
 * The canonical-Via fast path must agree with the general grammar: whenever it
 * answers, the general reader gives the same Via; it gives up on everything
 * else. Checked on a table, on every Via line of the fixtures and the RFC 4475 /
 * 5118 corpora, and on seeded mutations of them.
 */
import test from 'ava';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { SeededRandom } from '../../../adapters/sim/seeded-random.js';
import { parseAnyVia, parseVia } from '../../../domain/sip/via.js';
import { parseCanonicalVia } from '../../../domain/sip/via-canonical.js';
import {
  INVITE_ASTERISK, INVITE_COMPACT, INVITE_FREESWITCH, NOTIFY_SIPFRAG, OK_THROUGH_PROXIES, REGISTER_AUTH, RINGING_CISCO,
} from '../../fixtures/sip/messages.js';
import { corpusTest, hasTestdata, readTestdata, TESTDATA_DIR } from '../../support/testdata.js';

const canonical = (text: string) => parseCanonicalVia(text, 0, text.length);

const TAKEN = [
  'SIP/2.0/UDP 192.0.2.10:5060;rport;branch=z9hG4bKPj5c8f3b2e-1d2a-4b8e',
  'SIP/2.0/TCP host.example.com;branch=z9hG4bK1;received=192.0.2.1;rport=5062',
  'SIP/2.0/TLS h:5061;received=[2001:db8::1]',
  'SIP/2.0/UDP h:0',
  'SIP/2.0/SCTP h',
  'SIP/2.0/WSS a-b_c.d',
];
for (const text of TAKEN) {
  test(`canonical Via ${JSON.stringify(text)}: taken by the fast path, same as the grammar`, (t) => {
    const fast = canonical(text);
    t.not(fast, undefined);
    t.deepEqual(E.right(fast), parseAnyVia(text));
  });
}

const LEFT_TO_GRAMMAR = [
  ' SIP/2.0/UDP h', 'SIP/2.0/udp h', 'SIP / 2.0 / UDP h', 'SIP/2.0/UDP  h', 'SIP/2.0/UDP h :5060', 'SIP/2.0/UDP [::1]:5060',
  'SIP/2.0/UDP h;branch="q"', 'SIP/2.0/UDP h;ttl=16', 'SIP/2.0/UDP h;TTL=300', 'SIP/2.0/UDP h:0005060', 'SIP/2.0/UDP h:65536',
  'SIP/2.0/UDP h ;branch=x', 'SIP/2.0/UDP h;branch=x ', 'SIP/2.0/UDP h;branch=', 'SIP/2.0/UDP h, SIP/2.0/UDP g', 'SIP/2.0/X-NEW h',
  'SIP/3.0/UDP h', 'SIP/2.0/UDP', 'SIP/2.0/UDP h;;x',
];
for (const text of LEFT_TO_GRAMMAR) {
  test(`canonical Via ${JSON.stringify(text)}: left to the general grammar`, (t) => {
    t.is(canonical(text), undefined);
    // parseVia still reads or refuses it exactly as the grammar does.
    t.deepEqual(parseVia(text), parseAnyVia(text));
  });
}

const FIXTURES = [
  INVITE_ASTERISK, INVITE_COMPACT, INVITE_FREESWITCH, NOTIFY_SIPFRAG, OK_THROUGH_PROXIES, REGISTER_AUTH, RINGING_CISCO,
];

/** The RFC 4475 / 5118 corpora's messages, as text (none when the folders are absent). */
const corpusTexts = (): string[] => ['rfc4475', 'rfc5118'].filter(hasTestdata).flatMap((folder) =>
  readdirSync(path.join(TESTDATA_DIR, folder)).filter((n) => n.endsWith('.dat'))
    .map((name) => readTestdata(`${folder}/${name}`).toString('latin1')));

/** Every Via value (one line, not split at commas) of the given messages. */
const viaLines = (texts: ReadonlyArray<string>): string[] => {
  const out: string[] = [];
  for (const text of texts) {
    for (const line of text.split(/\r?\n/)) {
      const match = /^(?:via|v)\s*:\s*(.*?)\s*$/i.exec(line);
      if (match?.[1] !== undefined) out.push(match[1]);
    }
  }
  return out;
};

/** Checks each line and `mutations` seeded mutations of them; returns how many took the fast path. */
const agreeOn = (fail: (message: string) => void, lines: ReadonlyArray<string>, mutations: number): number => {
  const random = new SeededRandom(7);
  const alphabet = ' \t;:=,"[]/.-SIPUDPTCPtl0123456789abc';
  let taken = 0;
  const check = (text: string): void => {
    const fast = canonical(text);
    if (fast === undefined) return;
    taken++;
    const general = parseAnyVia(text);
    if (E.isLeft(general) || JSON.stringify(general.right) !== JSON.stringify(fast)) fail(
      `disagree on ${JSON.stringify(text)}`,
    );
  };
  for (const line of lines) check(line);
  for (let i = 0; i < mutations; i++) {
    const chars = Array.from(lines[random.nextUint32() % lines.length] as string);
    const at = random.nextUint32() % (chars.length + 1);
    const ch = alphabet[random.nextUint32() % alphabet.length] as string;
    if (random.nextUint32() % 2 === 0) chars.splice(at, 1, ch);
    else chars.splice(at, 0, ch);
    check(chars.join(''));
  }
  return taken;
};

test('canonical Via: agrees with the grammar on every fixture Via and 10,000 mutations of them', (t) => {
  const lines = viaLines(FIXTURES);
  t.true(lines.length >= 9, `${lines.length} Via lines in the fixtures`);
  const taken = agreeOn((m) => t.fail(m), lines, 10_000);
  t.true(taken > 2_500, `${taken} inputs took the fast path`);
});

corpusTest('rfc4475')('canonical Via: agrees with the grammar on every corpus Via and 20,000 mutations of them', (
  t,
) => {
  const fixtureLines = viaLines(FIXTURES).length;
  const lines = viaLines([...FIXTURES, ...corpusTexts()]);
  t.true(lines.length > fixtureLines, `${lines.length - fixtureLines} Via lines from the corpora`);
  const taken = agreeOn((m) => t.fail(m), lines, 20_000);
  t.true(taken > 5_000, `${taken} inputs took the fast path`);
});
