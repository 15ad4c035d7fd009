/**
 * Canonical header names and compact forms: §7.3.3 (i m e l c f s k t v), RFC 6665
 * (o u), RFC 3515 (r), RFC 3892 (b), RFC 4028 (x), RFC 4474 (y), RFC 3841 (a j d).
 * Names are case-insensitive (§7.3.1); the parser stores known headers under
 * these canonical spellings.
 */
export const HEADER = {
  Accept: 'Accept',
  AcceptContact: 'Accept-Contact',
  AcceptEncoding: 'Accept-Encoding',
  AcceptLanguage: 'Accept-Language',
  AlertInfo: 'Alert-Info',
  Allow: 'Allow',
  AllowEvents: 'Allow-Events',
  Authorization: 'Authorization',
  CallId: 'Call-ID',
  CallInfo: 'Call-Info',
  Contact: 'Contact',
  ContentDisposition: 'Content-Disposition',
  ContentEncoding: 'Content-Encoding',
  ContentLanguage: 'Content-Language',
  ContentLength: 'Content-Length',
  ContentType: 'Content-Type',
  CSeq: 'CSeq',
  Date: 'Date',
  ErrorInfo: 'Error-Info',
  Event: 'Event',
  Expires: 'Expires',
  From: 'From',
  Identity: 'Identity',
  InReplyTo: 'In-Reply-To',
  MaxForwards: 'Max-Forwards',
  MinExpires: 'Min-Expires',
  MinSE: 'Min-SE',
  MimeVersion: 'MIME-Version',
  Organization: 'Organization',
  Priority: 'Priority',
  ProxyAuthenticate: 'Proxy-Authenticate',
  ProxyAuthorization: 'Proxy-Authorization',
  ProxyRequire: 'Proxy-Require',
  RAck: 'RAck',
  Reason: 'Reason',
  RejectContact: 'Reject-Contact',
  RequestDisposition: 'Request-Disposition',
  RecordRoute: 'Record-Route',
  ReferTo: 'Refer-To',
  ReferredBy: 'Referred-By',
  Replaces: 'Replaces',
  ReplyTo: 'Reply-To',
  Require: 'Require',
  RetryAfter: 'Retry-After',
  Route: 'Route',
  RSeq: 'RSeq',
  Server: 'Server',
  SessionExpires: 'Session-Expires',
  Subject: 'Subject',
  SubscriptionState: 'Subscription-State',
  Supported: 'Supported',
  Timestamp: 'Timestamp',
  To: 'To',
  Unsupported: 'Unsupported',
  UserAgent: 'User-Agent',
  Via: 'Via',
  Warning: 'Warning',
  WwwAuthenticate: 'WWW-Authenticate',
} as const;

export type KnownHeaderName = (typeof HEADER)[keyof typeof HEADER];

const COMPACT: Readonly<Record<string, KnownHeaderName>> = {
  i: 'Call-ID', m: 'Contact', e: 'Content-Encoding', l: 'Content-Length', c: 'Content-Type',
  f: 'From', s: 'Subject', k: 'Supported', t: 'To', v: 'Via', o: 'Event', u: 'Allow-Events',
  r: 'Refer-To', b: 'Referred-By', x: 'Session-Expires', y: 'Identity', d: 'Request-Disposition',
  a: 'Accept-Contact', j: 'Reject-Contact',
};

const BY_LOWER = new Map<string, string>();
// Canonical spellings map to themselves so the common case is one exact lookup.
for (const name of Object.values(HEADER)) {
  BY_LOWER.set(name.toLowerCase(), name);
  BY_LOWER.set(name, name);
}
for (const [compact, name] of Object.entries(COMPACT)) BY_LOWER.set(compact, name);

// Known names (and compact forms) by length and first letter: a fresh name is
// matched in place, case-insensitively, against one or two candidates, without
// slicing or hashing it.
interface Candidate {
  readonly lower: string;
  readonly canonical: string;
}
const slotOf = (length: number, firstCode: number): number => length * 32 + ((firstCode | 0x20) & 31);
const BY_SLOT: Candidate[][] = [];
for (const [spelling, canonical] of BY_LOWER) {
  if (spelling !== spelling.toLowerCase()) continue;
  (BY_SLOT[slotOf(spelling.length, spelling.charCodeAt(0))] ??= []).push({ lower: spelling, canonical });
}

/**
 * The canonical spelling of the known header name at text[from, to), in any
 * case or compact form; undefined for an unknown name.
 */
export const knownHeaderNameAt = (text: string, from: number, to: number): string | undefined => {
  const candidates = BY_SLOT[slotOf(to - from, text.charCodeAt(from))];
  if (candidates === undefined) return undefined;
  next: for (const { lower, canonical } of candidates) {
    for (let i = 0; i < lower.length; i++) {
      const code = text.charCodeAt(from + i);
      const wanted = lower.charCodeAt(i);
      // Only letters fold case: '-' must not match CR (0x0d | 0x20 === 0x2d).
      if (code !== wanted && ((code | 0x20) !== wanted || wanted < 0x61)) continue next;
    }
    return canonical;
  }
  return undefined;
};

// Canonical names by length: a name already spelled canonically (the usual
// case) is found by comparing whole strings, which is native and fast.
const CANONICAL_BY_LENGTH: string[][] = [];
for (const name of Object.values(HEADER)) (CANONICAL_BY_LENGTH[name.length] ??= []).push(name);

/** `name` itself as the interned constant if it is a known name spelled canonically. */
export const exactHeaderName = (name: string): string | undefined => {
  const candidates = CANONICAL_BY_LENGTH[name.length];
  if (candidates !== undefined) for (const candidate of candidates) if (candidate === name) return candidate;
  return undefined;
};

/** The canonical spelling of a header name; unknown names come back unchanged. */
export const canonicalHeaderName = (name: string): string => exactHeaderName(name) ?? knownHeaderNameAt(name, 0, name.length) ?? name;
