import * as E from 'fp-ts/lib/Either.js';
import { isCallId, parseDecimal, scanToken, skipWs, splitTopLevel } from './grammar.js';
import { headerError, type HeaderError } from './header-error.js';
import { canonicalHeaderName, HEADER } from './header-names.js';
import type { SipHeader, SipMessage } from './message.js';
import { readMemo, writeMemo, type MemoKey } from './message-record.js';
import { knownMethodAt } from './methods.js';
import { parseNameAddr, type NameAddr } from './name-addr.js';
import { parseVia, type Via } from './via.js';

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

/** Contact is either `*` (REGISTER removal, §10.2.2) or a list of addresses. */
export type ContactValue = '*' | ReadonlyArray<NameAddr>;

/**
 * The headers every layer reads, memoized per message (messages are immutable).
 * Via, Call-ID, CSeq and Max-Forwards are parsed eagerly by the parser; From,
 * To and Contact on first use (validateRequest checks them for requests).
 */
export interface CoreHeaders {
  readonly vias: ReadonlyArray<Via>;
  readonly from?: NameAddr;
  readonly to?: NameAddr;
  readonly callId?: string;
  readonly cseq?: CSeq;
  readonly maxForwards?: number;
  readonly contacts: ContactValue;
}

/** RFC 3261 §8.1.1.5: the CSeq sequence number must be below 2^31. */
export const MAX_CSEQ = 2 ** 31 - 1;

export const parseCSeq = (value: string): E.Either<HeaderError, CSeq> => {
  const i = skipWs(value, 0);
  let end = i;
  let seq = 0;
  // Read in place; the value saturates just above the range, so leading zeros stay legal.
  for (; end < value.length; end++) {
    const digit = value.charCodeAt(end) - 0x30;
    if (digit < 0 || digit > 9) break;
    seq = Math.min(seq * 10 + digit, MAX_CSEQ + 1);
  }
  if (end === i || seq > MAX_CSEQ) return E.left(
    headerError(HEADER.CSeq, 'sequence number missing or not below 2^31', i),
  );
  // LWS, then the method token, then nothing but LWS.
  const methodStart = skipWs(value, end);
  const methodEnd = scanToken(value, methodStart);
  if (methodStart === end || methodEnd === methodStart || skipWs(value, methodEnd) !== value.length) {
    return E.left(headerError(HEADER.CSeq, 'bad method', end));
  }
  return E.right({ seq, method: knownMethodAt(value, methodStart, methodEnd) ?? value.slice(methodStart, methodEnd) });
};

/** callid = word [ "@" word ] (§25.1). */
export const isValidCallId = (value: string): boolean => isCallId(value);

/** Splits every line of a comma-list header and parses each element. */
export const parseListHeader = <T>(
  header: string,
  values: ReadonlyArray<string>,
  parse: (element: string) => E.Either<{ readonly detail: string; readonly at: number }, T>,
): E.Either<HeaderError, T[]> => {
  const out: T[] = [];
  for (const value of values) {
    // Most lines hold one element: skip the splitter when there is no comma at all.
    if (value.indexOf(',') === -1) {
      const parsed = parse(value);
      if (E.isLeft(parsed)) return E.left(headerError(header, parsed.left.detail, parsed.left.at));
      out.push(parsed.right);
      continue;
    }
    const elements = splitTopLevel(value);
    if (elements === undefined) return E.left(headerError(header, 'unbalanced quotes or angle brackets'));
    for (const element of elements) {
      const parsed = parse(element);
      if (E.isLeft(parsed)) return E.left(headerError(header, parsed.left.detail, parsed.left.at));
      out.push(parsed.right);
    }
  }
  return E.right(out);
};

const parseContacts = (values: ReadonlyArray<string>): E.Either<HeaderError, ContactValue> => {
  if (values.length === 1 && (values[0] as string).trim() === '*') return E.right('*');
  return parseListHeader(HEADER.Contact, values, parseNameAddr);
};

const single = <T>(
  header: string,
  values: ReadonlyArray<string>,
  parse: (value: string) => E.Either<HeaderError, T>,
): E.Either<HeaderError, T | undefined> => {
  if (values.length === 0) return E.right(undefined);
  if (values.length > 1) return E.left(headerError(header, 'header appears more than once'));
  return parse(values[0] as string);
};

const nameAddrHeader = (header: string) => (value: string): E.Either<HeaderError, NameAddr> =>
  E.mapLeft((e: { detail: string; at: number }) => headerError(header, e.detail, e.at))(parseNameAddr(value));

/** Via, Call-ID, CSeq, Max-Forwards: what the transport and transaction layers read for every message. */
export interface TransactionHeaders {
  readonly vias: ReadonlyArray<Via>;
  readonly callId: string | undefined;
  readonly cseq: CSeq | undefined;
  readonly maxForwards: number | undefined;
}

/** From, To, Contact: read by dialogs and the TU, so parsed on first use. */
interface AddressHeaders {
  readonly from: NameAddr | undefined;
  readonly to: NameAddr | undefined;
  readonly contacts: ContactValue;
}

/**
 * Per-message memo. Messages from the parser and builders are records with
 * private memo fields (message-record); any other message (a spread copy, a
 * hand-made literal) keeps it in a non-enumerable symbol slot: spreads and
 * comparisons never see it, and unlike a WeakMap it costs the garbage
 * collector nothing extra.
 */
interface MemoSlot<T> {
  readonly get: (message: SipMessage) => T | undefined;
  readonly set: (message: SipMessage, value: T) => void;
}

const memoSlot = <T>(key: MemoKey): MemoSlot<T> => {
  const symbol = Symbol(`sip.${key}Headers`);
  return {
    get: (message) =>
      (readMemo(message, key) ?? (message as unknown as Record<symbol, unknown>)[symbol]) as T | undefined,
    set: (message, value) => {
      if (writeMemo(message, key, value) || !Object.isExtensible(message)) return;
      Object.defineProperty(message, symbol, { value, enumerable: false, writable: true, configurable: true });
    },
  };
};

const transactionCache = memoSlot<TransactionHeaders>('transaction');
const addressCache = memoSlot<AddressHeaders>('address');

const parseMaxForwards = (v: string): E.Either<HeaderError, number> => {
  const n = parseDecimal(v, 255);
  return n === undefined ? E.left(headerError(HEADER.MaxForwards, 'not an integer from 0 to 255')) : E.right(n);
};

const parseCallId = (v: string): E.Either<HeaderError, string> =>
  isValidCallId(v) ? E.right(v) : E.left(headerError(HEADER.CallId, 'not a valid Call-ID'));

const ABSENT = -1;
const REPEATED = -2;

/**
 * Where Via, Call-ID, CSeq and Max-Forwards sit in a header list: indices of
 * every Via line, and of each single header's line (-1 when absent, -2 when
 * it appears more than once).
 */
export interface TransactionLines {
  readonly vias: number[];
  callId: number;
  cseq: number;
  maxForwards: number;
}

export const emptyTransactionLines = (): TransactionLines => ({
  vias: [], callId: ABSENT, cseq: ABSENT, maxForwards: ABSENT,
});

/** Records that header `index` is named `name` (canonical) if it is one of the four. */
export const noteTransactionLine = (lines: TransactionLines, name: string, index: number): void => {
  switch (name) {
    case HEADER.Via: lines.vias.push(index); return;
    case HEADER.CallId: lines.callId = lines.callId === ABSENT ? index : REPEATED; return;
    case HEADER.CSeq: lines.cseq = lines.cseq === ABSENT ? index : REPEATED; return;
    case HEADER.MaxForwards: lines.maxForwards = lines.maxForwards === ABSENT ? index : REPEATED; return;
  }
};

const valueAt = (headers: ReadonlyArray<SipHeader>, index: number): string => (headers[index] as SipHeader).value;

const parseOne = <T>(
  headers: ReadonlyArray<SipHeader>, name: string, index: number, parse: (value: string) => E.Either<HeaderError, T>,
): E.Either<HeaderError, T | undefined> => {
  if (index === ABSENT) return E.right(undefined);
  if (index === REPEATED) return E.left(headerError(name, 'header appears more than once'));
  return parse(valueAt(headers, index));
};

/** One Via line, as most requests carry: parsed without building a list of lines first. */
const parseOnlyVia = (value: string): E.Either<HeaderError, Via[]> => {
  if (value.indexOf(',') !== -1) return parseListHeader(HEADER.Via, [value], parseVia);
  const via = parseVia(value);
  return E.isLeft(via) ? E.left(headerError(HEADER.Via, via.left.detail, via.left.at)) : E.right([via.right]);
};

/** Parses the four headers the parser located while reading lines (no caching). */
export const parseTransactionLines = (
  headers: ReadonlyArray<SipHeader>, lines: TransactionLines,
): E.Either<HeaderError, TransactionHeaders> => {
  const vias = lines.vias.length === 1 ? parseOnlyVia(valueAt(headers, lines.vias[0] as number))
    : parseListHeader(HEADER.Via, lines.vias.map((index) => valueAt(headers, index)), parseVia);
  if (E.isLeft(vias)) return vias;
  const callId = parseOne(headers, HEADER.CallId, lines.callId, parseCallId);
  if (E.isLeft(callId)) return callId;
  const cseq = parseOne(headers, HEADER.CSeq, lines.cseq, parseCSeq);
  if (E.isLeft(cseq)) return cseq;
  const mf = parseOne(headers, HEADER.MaxForwards, lines.maxForwards, parseMaxForwards);
  if (E.isLeft(mf)) return mf;
  return E.right({ vias: vias.right, callId: callId.right, cseq: cseq.right, maxForwards: mf.right });
};

/** Parses Via, Call-ID, CSeq and Max-Forwards of any header list, whatever the spelling of the names (no caching). */
export const parseTransactionHeaders = (
  headers: ReadonlyArray<SipHeader>
): E.Either<HeaderError, TransactionHeaders> => {
  const lines = emptyTransactionLines();
  for (let i = 0; i < headers.length; i++) noteTransactionLine(
    lines, canonicalHeaderName((headers[i] as SipHeader).name), i,
  );
  return parseTransactionLines(headers, lines);
};

const FROM_HEADER = nameAddrHeader(HEADER.From);
const TO_HEADER = nameAddrHeader(HEADER.To);

const parseAddressHeaders = (headers: ReadonlyArray<SipHeader>): E.Either<HeaderError, AddressHeaders> => {
  // One pass collects the three; names are canonical for parsed messages, so the lookup is the rare path.
  const from: string[] = [];
  const to: string[] = [];
  const contact: string[] = [];
  for (const h of headers) {
    const name = h.name === HEADER.From || h.name === HEADER.To || h.name === HEADER.Contact
      ? h.name
      : canonicalHeaderName(h.name);
    if (name === HEADER.From) from.push(h.value);
    else if (name === HEADER.To) to.push(h.value);
    else if (name === HEADER.Contact) contact.push(h.value);
  }
  const fromValue = single(HEADER.From, from, FROM_HEADER);
  if (E.isLeft(fromValue)) return fromValue;
  const toValue = single(HEADER.To, to, TO_HEADER);
  if (E.isLeft(toValue)) return toValue;
  const contacts = parseContacts(contact);
  if (E.isLeft(contacts)) return contacts;
  return E.right({ from: fromValue.right, to: toValue.right, contacts: contacts.right });
};

/** Records the transaction headers the parser already computed for `message`. */
export const rememberTransactionHeaders = (message: SipMessage, headers: TransactionHeaders): void => {
  transactionCache.set(message, headers);
};

const memo = <T>(cache: MemoSlot<T>, parse: (h: ReadonlyArray<SipHeader>) => E.Either<HeaderError, T>) =>
  (message: SipMessage): E.Either<HeaderError, T> => {
    const cached = cache.get(message);
    if (cached !== undefined) return E.right(cached);
    const parsed = parse(message.headers);
    if (E.isRight(parsed)) cache.set(message, parsed.right);
    return parsed;
  };

export const transactionHeaders = memo(transactionCache, parseTransactionHeaders);
const addressHeaders = memo(addressCache, parseAddressHeaders);

/** Every core header, parsed at most once per message object. */
export const coreHeaders = (message: SipMessage): E.Either<HeaderError, CoreHeaders> => {
  const tx = transactionHeaders(message);
  if (E.isLeft(tx)) return tx;
  const address = addressHeaders(message);
  if (E.isLeft(address)) return address;
  const { vias, callId, cseq, maxForwards } = tx.right;
  const { from, to, contacts } = address.right;
  // Absent headers are absent keys (not undefined values); built without spreads, which cost here.
  const core: { -readonly [K in keyof CoreHeaders]: CoreHeaders[K] } = { vias, contacts };
  if (from !== undefined) core.from = from;
  if (to !== undefined) core.to = to;
  if (callId !== undefined) core.callId = callId;
  if (cseq !== undefined) core.cseq = cseq;
  if (maxForwards !== undefined) core.maxForwards = maxForwards;
  return E.right(core);
};

/** Parses every core header of a header list (no caching): validation for hand-built or echoed headers. */
export const parseCoreHeaders = (headers: ReadonlyArray<SipHeader>): E.Either<HeaderError, unknown> =>
  E.chain(() => parseAddressHeaders(headers))(parseTransactionHeaders(headers));

const required = <C, T>(
  message: SipMessage, header: string, source: (m: SipMessage) =>
    E.Either<HeaderError, C>, pick: (c: C) => T | undefined,
): E.Either<HeaderError, T> => {
  const parsed = source(message);
  if (E.isLeft(parsed)) return parsed;
  const value = pick(parsed.right);
  return value === undefined ? E.left(headerError(header, 'missing header')) : E.right(value);
};

export const getVias = (m: SipMessage): E.Either<HeaderError, ReadonlyArray<Via>> =>
  E.map((c: TransactionHeaders) => c.vias)(transactionHeaders(m));
export const getTopVia = (m: SipMessage): E.Either<HeaderError, Via> =>
  required(m, HEADER.Via, transactionHeaders, (c) => c.vias[0]);
export const getCallId = (m: SipMessage): E.Either<HeaderError, string> =>
  required(m, HEADER.CallId, transactionHeaders, (c) => c.callId);
export const getCSeq = (m: SipMessage): E.Either<HeaderError, CSeq> =>
  required(m, HEADER.CSeq, transactionHeaders, (c) => c.cseq);
export const getMaxForwards = (m: SipMessage): E.Either<HeaderError, number | undefined> =>
  E.map((c: TransactionHeaders) => c.maxForwards)(transactionHeaders(m));
export const getFrom = (m: SipMessage): E.Either<HeaderError, NameAddr> =>
  required(m, HEADER.From, addressHeaders, (c) => c.from);
export const getTo = (m: SipMessage): E.Either<HeaderError, NameAddr> =>
  required(m, HEADER.To, addressHeaders, (c) => c.to);
export const getContacts = (m: SipMessage): E.Either<HeaderError, ContactValue> =>
  E.map((c: AddressHeaders) => c.contacts)(addressHeaders(m));
