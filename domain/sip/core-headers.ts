import * as E from 'fp-ts/lib/Either.js';
import { isToken, isWord, parseDecimal, skipWs, splitTopLevel } from './grammar.js';
import { headerError, type HeaderError } from './header-error.js';
import { canonicalHeaderName, HEADER } from './header-names.js';
import type { SipHeader, SipMessage } from './message.js';
import { parseNameAddr, type NameAddr } from './name-addr.js';
import { parseVia, type Via } from './via.js';

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

/** Contact is either `*` (REGISTER removal, §10.2.2) or a list of addresses. */
export type ContactValue = '*' | ReadonlyArray<NameAddr>;

/**
 * The headers every layer reads: parsed once per message (eagerly by the parser,
 * which thereby validates them) and memoized, since messages are immutable.
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

const cache = new WeakMap<SipMessage, CoreHeaders>();

export const parseCSeq = (value: string): E.Either<HeaderError, CSeq> => {
  const i = skipWs(value, 0);
  let end = i;
  while (end < value.length && value.charCodeAt(end) >= 0x30 && value.charCodeAt(end) <= 0x39) end++;
  const seq = parseDecimal(value.slice(i, end), MAX_CSEQ);
  if (seq === undefined) return E.left(headerError(HEADER.CSeq, 'sequence number missing or not below 2^31', i));
  const method = value.slice(end).trim();
  if (end === value.length || !isToken(method)) return E.left(headerError(HEADER.CSeq, 'bad method', end));
  return E.right({ seq, method });
};

/** callid = word [ "@" word ] (§25.1). */
export const isValidCallId = (value: string): boolean => {
  const at = value.indexOf('@');
  return at === -1 ? isWord(value) : isWord(value.slice(0, at)) && isWord(value.slice(at + 1));
};

/** Splits every line of a comma-list header and parses each element. */
export const parseListHeader = <T>(
  header: string,
  values: ReadonlyArray<string>,
  parse: (element: string) => E.Either<{ readonly detail: string; readonly at: number }, T>,
): E.Either<HeaderError, T[]> => {
  const out: T[] = [];
  for (const value of values) {
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

/** Parses the core headers of a message's header list (no caching). */
export const parseCoreHeaders = (headers: ReadonlyArray<SipHeader>): E.Either<HeaderError, CoreHeaders> => {
  const vias: string[] = [];
  const froms: string[] = [];
  const tos: string[] = [];
  const callIds: string[] = [];
  const cseqs: string[] = [];
  const maxForwards: string[] = [];
  const contacts: string[] = [];
  for (const { name, value } of headers) {
    switch (canonicalHeaderName(name)) {
      case HEADER.Via: vias.push(value); break;
      case HEADER.From: froms.push(value); break;
      case HEADER.To: tos.push(value); break;
      case HEADER.CallId: callIds.push(value); break;
      case HEADER.CSeq: cseqs.push(value); break;
      case HEADER.MaxForwards: maxForwards.push(value); break;
      case HEADER.Contact: contacts.push(value); break;
      default: break;
    }
  }
  const parsedVias = parseListHeader(HEADER.Via, vias, parseVia);
  if (E.isLeft(parsedVias)) return parsedVias;
  const from = single(HEADER.From, froms, nameAddrHeader(HEADER.From));
  if (E.isLeft(from)) return from;
  const to = single(HEADER.To, tos, nameAddrHeader(HEADER.To));
  if (E.isLeft(to)) return to;
  const callId = single(HEADER.CallId, callIds, (v) =>
    isValidCallId(v) ? E.right(v) : E.left(headerError(HEADER.CallId, 'not a valid Call-ID')));
  if (E.isLeft(callId)) return callId;
  const cseq = single(HEADER.CSeq, cseqs, parseCSeq);
  if (E.isLeft(cseq)) return cseq;
  const mf = single(HEADER.MaxForwards, maxForwards, (v) => {
    const n = parseDecimal(v, 255);
    return n === undefined ? E.left(headerError(HEADER.MaxForwards, 'not an integer from 0 to 255')) : E.right(n);
  });
  if (E.isLeft(mf)) return mf;
  const parsedContacts = parseContacts(contacts);
  if (E.isLeft(parsedContacts)) return parsedContacts;
  return E.right({
    vias: parsedVias.right,
    ...(from.right === undefined ? {} : { from: from.right }),
    ...(to.right === undefined ? {} : { to: to.right }),
    ...(callId.right === undefined ? {} : { callId: callId.right }),
    ...(cseq.right === undefined ? {} : { cseq: cseq.right }),
    ...(mf.right === undefined ? {} : { maxForwards: mf.right }),
    contacts: parsedContacts.right,
  });
};

/** Records the core headers the parser already computed for `message`. */
export const rememberCoreHeaders = (message: SipMessage, core: CoreHeaders): void => {
  cache.set(message, core);
};

/** The message's core headers, parsed at most once per message object. */
export const coreHeaders = (message: SipMessage): E.Either<HeaderError, CoreHeaders> => {
  const cached = cache.get(message);
  if (cached !== undefined) return E.right(cached);
  const parsed = parseCoreHeaders(message.headers);
  if (E.isRight(parsed)) cache.set(message, parsed.right);
  return parsed;
};

const required = <T>(message: SipMessage, header: string, pick: (core: CoreHeaders) => T | undefined): E.Either<HeaderError, T> => {
  const core = coreHeaders(message);
  if (E.isLeft(core)) return core;
  const value = pick(core.right);
  return value === undefined ? E.left(headerError(header, 'missing header')) : E.right(value);
};

export const getVias = (m: SipMessage): E.Either<HeaderError, ReadonlyArray<Via>> => E.map((c: CoreHeaders) => c.vias)(coreHeaders(m));
export const getTopVia = (m: SipMessage): E.Either<HeaderError, Via> => required(m, HEADER.Via, (c) => c.vias[0]);
export const getFrom = (m: SipMessage): E.Either<HeaderError, NameAddr> => required(m, HEADER.From, (c) => c.from);
export const getTo = (m: SipMessage): E.Either<HeaderError, NameAddr> => required(m, HEADER.To, (c) => c.to);
export const getCallId = (m: SipMessage): E.Either<HeaderError, string> => required(m, HEADER.CallId, (c) => c.callId);
export const getCSeq = (m: SipMessage): E.Either<HeaderError, CSeq> => required(m, HEADER.CSeq, (c) => c.cseq);
export const getMaxForwards = (m: SipMessage): E.Either<HeaderError, number | undefined> => E.map((c: CoreHeaders) => c.maxForwards)(coreHeaders(m));
export const getContacts = (m: SipMessage): E.Either<HeaderError, ContactValue> => E.map((c: CoreHeaders) => c.contacts)(coreHeaders(m));
