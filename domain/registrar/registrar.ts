/**
 * A registrar's REGISTER processing (RFC 3261 §10.3) as a pure function: the
 * request, the bindings the address of record has, the time and the policy in;
 * the new bindings (or the refusal) and what changed out. Path (RFC 3327),
 * the source address (for contacts behind NAT) and RFC 5626's instance and
 * reg-id are kept with each binding.
 */
import * as E from 'fp-ts/lib/Either.js';
import { formatUri } from '../sip/format-uri.js';
import { coreHeaders } from '../sip/core-headers.js';
import { headerValues, type SipHeader, type SipRequest } from '../sip/message.js';
import { formatNameAddr, type NameAddr } from '../sip/name-addr.js';
import { paramValue } from '../sip/params.js';
import { parseUri } from '../sip/parse-uri.js';
import { getExpires, getPaths } from '../sip/typed-headers.js';
import type { Uri } from '../sip/uri.js';
import type { Endpoint } from '../transport/endpoint.js';

export interface Binding {
  readonly aor: string;
  /** The Contact as registered (name-addr text, its parameters but not expires or q kept). */
  readonly contact: string;
  /** Its URI alone, where requests for the AOR are sent. */
  readonly uri: string;
  readonly expiresAtMs: number;
  /** Preference among the AOR's contacts (0–1, higher first), when given. */
  readonly q: number | undefined;
  readonly callId: string;
  readonly cseq: number;
  /** Where the REGISTER came from: the address to use for a contact behind NAT. */
  readonly source: Endpoint;
  /** The connection it came on (TCP, TLS), to reach the contact through it while it lasts. */
  readonly connectionId: number | undefined;
  /** Path header values (RFC 3327), the route to reach the contact through the proxies it came by. */
  readonly path: ReadonlyArray<string>;
  /** RFC 5626 `+sip.instance` and `reg-id`, when given. */
  readonly instance: string | undefined;
  readonly regId: number | undefined;
  readonly userAgent: string | undefined;
}

export interface RegistrarPolicy {
  readonly minExpiresSec: number;
  readonly maxExpiresSec: number;
  readonly defaultExpiresSec: number;
  /** Contacts one AOR may have at once; more is refused (403). */
  readonly maxContacts: number;
}

export type RegisterOutcome =
  | {
    readonly kind: 'Accepted';
    /** Every binding the AOR has now (the 200 lists them). */
    readonly bindings: ReadonlyArray<Binding>;
    readonly added: ReadonlyArray<Binding>;
    readonly refreshed: ReadonlyArray<Binding>;
    readonly removed: ReadonlyArray<Binding>;
  }
  | {
    readonly kind: 'Refused'; readonly status: number; readonly reason: string;
    readonly headers: ReadonlyArray<SipHeader>;
  };

/** Where the REGISTER came from, as the transport saw it. */
export interface RegisterSource {
  readonly endpoint: Endpoint;
  readonly connectionId: number | undefined;
}

/** §10.3 step 7: a REGISTER older than the one that made a binding (same Call-ID, CSeq not higher). */
const OUT_OF_ORDER = 'Server Internal Error (out of order)';

const refuse = (status: number, reason: string, headers: ReadonlyArray<SipHeader> = []): RegisterOutcome => ({
  kind: 'Refused', status, reason, headers,
});

/** The canonical address of record of a To URI (§10.3 step 5): scheme, user and host, lower-case host. */
export const aorOf = (uri: Uri): string | undefined => {
  if (uri.kind !== 'sip') return undefined;
  // RFC 5630 §3.1.3: sip: and sips: forms of an address are one address of record (TLS is a way to reach it).
  return `sip:${uri.user === undefined ? '' : `${uri.user}@`}${uri.host.toLowerCase()}`;
};

/** Two contact URIs name the same contact (§10.3 step 7, by the URI comparison rules of §19.1.4, simplified). */
const contactKey = (uri: Uri): string => {
  if (uri.kind !== 'sip') return formatUri(uri);
  const port = uri.port ?? (uri.scheme === 'sips' ? 5061 : 5060);
  const transport = (paramValue(uri.params, 'transport') ?? '').toLowerCase();
  return `${uri.scheme}:${uri.user ?? ''}@${uri.host.toLowerCase()}:${port};${transport}`;
};

/** The Contact as stored: its parameters without expires and q (which the 200 states afresh). */
const storedContact = (contact: NameAddr): string => formatNameAddr({
  ...contact, params: contact.params.filter((p) => p.name.toLowerCase() !== 'expires' && p.name.toLowerCase() !== 'q'),
});

const qOf = (contact: NameAddr): number | undefined => {
  const q = paramValue(contact.params, 'q');
  const value = q === undefined ? NaN : Number(q);
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : undefined;
};

/** The expiry asked for one contact: its expires parameter, else the Expires header, else the default. */
const requestedExpiry = (contact: NameAddr, header: number | undefined, policy: RegistrarPolicy): number | 'Bad' => {
  const param = paramValue(contact.params, 'expires');
  if (param === undefined) return header ?? policy.defaultExpiresSec;
  return /^\d{1,10}$/.test(param) ? Number(param) : 'Bad';
};

/**
 * REGISTER processing from step 5 on (§10.3): the caller has checked the
 * domain, authenticated the user and found `aor`. `existing` are the AOR's
 * bindings (expired ones may be among them: they do not count).
 */
export const processRegister = (
  request: SipRequest, aor: string, existing: ReadonlyArray<Binding>, nowMs: number, policy: RegistrarPolicy,
  source: RegisterSource,
): RegisterOutcome => {
  const core = coreHeaders(request);
  const expires = getExpires(request);
  if (E.isLeft(core) || E.isLeft(expires)) return refuse(400, 'Bad Request');
  const callId = core.right.callId ?? '';
  const cseq = core.right.cseq?.seq ?? 0;
  const live = existing.filter((b) => b.expiresAtMs > nowMs);
  const contacts = core.right.contacts;
  // A REGISTER without Contact is a query: the current bindings (§10.3 step 6).
  if (contacts.length === 0) return { kind: 'Accepted', bindings: live, added: [], refreshed: [], removed: [] };
  if (contacts === '*') {
    if (expires.right !== 0) return refuse(400, 'Bad Request (Contact * needs Expires: 0)');
    // Removing every binding still follows the Call-ID/CSeq ordering of each.
    if (live.some((b) => b.callId === callId && b.cseq >= cseq)) return refuse(500, OUT_OF_ORDER);
    return { kind: 'Accepted', bindings: [], added: [], refreshed: [], removed: live };
  }
  if (contacts.length > policy.maxContacts) return refuse(403, `Forbidden (more than ${policy.maxContacts} contacts)`);
  const paths = getPaths(request);
  if (E.isLeft(paths)) return refuse(400, 'Bad Request (Path)');
  // One entry per proxy, whether they came in one header or several.
  const path = paths.right.map(formatNameAddr);
  const userAgent = headerValues(request, 'User-Agent')[0];
  let next = [...live];
  const added: Binding[] = [];
  const refreshed: Binding[] = [];
  const removed: Binding[] = [];
  for (const contact of contacts) {
    const asked = requestedExpiry(contact, expires.right, policy);
    if (asked === 'Bad') return refuse(400, 'Bad Request (expires parameter)');
    // §10.3 step 7: an interval shorter than we accept (but not 0) is refused with our minimum.
    if (asked > 0 && asked < policy.minExpiresSec) return refuse(
      423, 'Interval Too Brief', [{ name: 'Min-Expires', value: String(policy.minExpiresSec) }],
    );
    const key = contactKey(contact.uri);
    const current = next.find((b) => contactKey(uriOfBinding(b)) === key);
    if (current !== undefined && current.callId === callId && current.cseq >= cseq) {
      return refuse(500, OUT_OF_ORDER);
    }
    if (asked === 0) {
      if (current !== undefined) {
        next = next.filter((b) => b !== current);
        removed.push(current);
      }
      continue;
    }
    const instance = paramValue(contact.params, '+sip.instance');
    const regIdText = paramValue(contact.params, 'reg-id');
    const binding: Binding = {
      aor, contact: storedContact(contact), uri: formatUri(contact.uri),
      expiresAtMs: nowMs + Math.min(asked, policy.maxExpiresSec) * 1000, q: qOf(contact), callId, cseq,
      source: source.endpoint, connectionId: source.connectionId, path, instance,
      regId: regIdText === undefined || !/^\d+$/.test(regIdText) ? undefined : Number(regIdText), userAgent,
    };
    if (current === undefined) {
      if (next.length >= policy.maxContacts) return refuse(403, `Forbidden (more than ${policy.maxContacts} contacts)`);
      added.push(binding);
    } else refreshed.push(binding);
    next = [...next.filter((b) => b !== current), binding];
  }
  return { kind: 'Accepted', bindings: next, added, refreshed, removed };
};

/** Bindings keep their URI as text (compact); it is read again only to compare with a REGISTER's contacts. */
const uriOfBinding = (binding: Binding): Uri => {
  const parsed = parseUri(binding.uri);
  return E.isRight(parsed) ? parsed.right : { kind: 'absolute', scheme: 'invalid', value: binding.uri };
};

/** The 200's Contact lines: every binding with the seconds it has left (§10.3 step 8). */
export const bindingContacts = (bindings: ReadonlyArray<Binding>, nowMs: number): SipHeader[] =>
  bindings.map((b) => ({
    name: 'Contact',
    value: `${b.contact};expires=${Math.max(0, Math.round((b.expiresAtMs - nowMs) / 1000))}`
      + (b.q === undefined ? '' : `;q=${b.q}`),
  }));
