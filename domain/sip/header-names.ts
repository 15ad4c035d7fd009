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

// Canonical names grouped by length: comparing a fresh string against a few
// interned candidates is cheaper than hashing it for a Map lookup.
const BY_LENGTH: string[][] = [];
for (const name of Object.values(HEADER)) (BY_LENGTH[name.length] ??= []).push(name);

/** The canonical spelling of a header name; unknown names come back unchanged. */
export const canonicalHeaderName = (name: string): string => {
  const candidates = BY_LENGTH[name.length];
  if (candidates !== undefined) for (const candidate of candidates) if (candidate === name) return candidate;
  return BY_LOWER.get(name.toLowerCase()) ?? name;
};

/**
 * A known name spelled canonically at text[from, to), matched in place without
 * slicing; undefined otherwise (other spellings go through canonicalHeaderName).
 */
export const canonicalHeaderNameAt = (text: string, from: number, to: number): string | undefined => {
  const candidates = BY_LENGTH[to - from];
  if (candidates === undefined) return undefined;
  const first = text.charCodeAt(from);
  for (const candidate of candidates) if (candidate.charCodeAt(0) === first && text.startsWith(candidate, from)) return candidate;
  return undefined;
};
