/**
 * Bencode (the BitTorrent encoding rtpengine's ng control protocol speaks): byte strings, integers, lists and
 * dictionaries. Strings are UTF-8 text here (SDP and ng keys are). Decoding is strict and bounded: a
 * malformed or over-deep value is a Left, never an exception.
 */
import * as E from 'fp-ts/lib/Either.js';
import { decodeUtf8, utf8Length } from '../sip/text-codec.js';

export type Bencoded = string | number | ReadonlyArray<Bencoded> | { readonly [key: string]: Bencoded };

export interface BencodeError {
  readonly kind: 'BencodeError';
  readonly detail: string;
}

const MAX_DEPTH = 32;

const fail = (detail: string): E.Either<BencodeError, never> => E.left({ kind: 'BencodeError', detail });

/** The bencoded text of a value; dictionary keys sorted (by their bytes, as the format asks). */
export const bencode = (value: Bencoded): string => {
  if (typeof value === 'string') return `${utf8Length(value)}:${value}`;
  if (typeof value === 'number') return `i${Math.trunc(value)}e`;
  if (Array.isArray(value)) return `l${value.map((v: Bencoded) => bencode(v)).join('')}e`;
  const dict = value as { readonly [key: string]: Bencoded };
  const keys = Object.keys(dict).sort();
  return `d${keys.map((k) => bencode(k) + bencode(dict[k]!)).join('')}e`;
};

/** Decodes exactly one value filling `bytes`. */
export const bdecode = (bytes: Uint8Array): E.Either<BencodeError, Bencoded> => {
  const read = readValue(bytes, 0, 0);
  if (E.isLeft(read)) return read;
  return read.right.end === bytes.length ? E.right(read.right.value) : fail('bytes after the value');
};

type Read = E.Either<BencodeError, { readonly value: Bencoded; readonly end: number }>;

const DIGIT_0 = 0x30;
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= DIGIT_0 && c <= DIGIT_0 + 9;

const readValue = (bytes: Uint8Array, at: number, depth: number): Read => {
  if (depth > MAX_DEPTH) return fail('nested too deeply');
  const c = bytes[at];
  if (c === undefined) return fail('truncated');
  if (isDigit(c)) return readString(bytes, at);
  if (c === 0x69 /* i */) return readInteger(bytes, at + 1);
  if (c === 0x6c /* l */) return readList(bytes, at + 1, depth);
  if (c === 0x64 /* d */) return readDict(bytes, at + 1, depth);
  return fail(`unexpected byte ${c} at ${at}`);
};

const readString = (bytes: Uint8Array, at: number): Read => {
  let i = at;
  let length = 0;
  while (isDigit(bytes[i])) {
    length = length * 10 + (bytes[i]! - DIGIT_0);
    if (length > bytes.length) return fail('string longer than the message');
    i++;
  }
  if (bytes[i] !== 0x3a /* : */) return fail(`no ':' after a string length at ${i}`);
  const start = i + 1;
  const end = start + length;
  if (end > bytes.length) return fail('truncated string');
  return E.right({ value: decodeUtf8(bytes, start, end), end });
};

const readInteger = (bytes: Uint8Array, at: number): Read => {
  let i = at;
  const negative = bytes[i] === 0x2d;
  if (negative) i++;
  const first = i;
  let n = 0;
  while (isDigit(bytes[i]) && i - first < 16) n = n * 10 + (bytes[i++]! - DIGIT_0);
  if (i === first || bytes[i] !== 0x65 /* e */) return fail(`malformed integer at ${at}`);
  return E.right({ value: negative ? -n : n, end: i + 1 });
};

const readList = (bytes: Uint8Array, at: number, depth: number): Read => {
  const items: Bencoded[] = [];
  let i = at;
  while (bytes[i] !== 0x65) {
    const item = readValue(bytes, i, depth + 1);
    if (E.isLeft(item)) return item;
    items.push(item.right.value);
    i = item.right.end;
  }
  return E.right({ value: items, end: i + 1 });
};

const readDict = (bytes: Uint8Array, at: number, depth: number): Read => {
  const dict: Record<string, Bencoded> = Object.create(null) as Record<string, Bencoded>;
  let i = at;
  while (bytes[i] !== 0x65) {
    if (!isDigit(bytes[i])) return fail(bytes[i] === undefined ? 'truncated' : `dictionary key not a string at ${i}`);
    const key = readString(bytes, i);
    if (E.isLeft(key)) return key;
    const value = readValue(bytes, key.right.end, depth + 1);
    if (E.isLeft(value)) return value;
    dict[key.right.value as string] = value.right.value;
    i = value.right.end;
  }
  return E.right({ value: dict, end: i + 1 });
};
