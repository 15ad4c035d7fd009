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

// Every spelling (canonical, any case, compact forms) is looked up by length
// and first letter, which leaves one or two candidates: a name spelled
// canonically (the usual case) is then found by one native string compare,
// any other spelling by a case-insensitive compare.
interface Candidate {
  readonly lower: string;
  readonly canonical: string;
}
const slotOf = (length: number, firstCode: number): number => length * 32 + ((firstCode | 0x20) & 31);
const BY_SLOT: Candidate[][] = [];
const addSpelling = (lower: string, canonical: string): void => {
  (BY_SLOT[slotOf(lower.length, lower.charCodeAt(0))] ??= []).push({ lower, canonical });
};
for (const name of Object.values(HEADER)) addSpelling(name.toLowerCase(), name);
for (const [compact, name] of Object.entries(COMPACT)) addSpelling(compact, name);

const foldedSpelling = (candidates: ReadonlyArray<Candidate>, name: string): string | undefined => {
  next: for (const { lower, canonical } of candidates) {
    for (let i = 0; i < lower.length; i++) {
      const code = name.charCodeAt(i);
      const wanted = lower.charCodeAt(i);
      // Only letters fold case: '-' must not match CR (0x0d | 0x20 === 0x2d).
      if (code !== wanted && ((code | 0x20) !== wanted || wanted < 0x61)) continue next;
    }
    return canonical;
  }
  return undefined;
};

/** The canonical spelling of a known header name in any case or compact form; undefined for an unknown name. */
export const knownHeaderName = (name: string): string | undefined => {
  const candidates = BY_SLOT[slotOf(name.length, name.charCodeAt(0))];
  if (candidates === undefined) return undefined;
  for (const { canonical } of candidates) if (canonical === name) return canonical;
  return foldedSpelling(candidates, name);
};

/** The canonical spelling of a header name; unknown names come back unchanged. */
export const canonicalHeaderName = (name: string): string => knownHeaderName(name) ?? name;
