/**
 * Registration of a contact with a registrar, from the UA's side (RFC 3261
 * §10.2): the REGISTER, the expiry the registrar granted, and when to refresh.
 */
import * as E from 'fp-ts/lib/Either.js';
import { buildRequest } from '../sip/build-request.js';
import { getContacts } from '../sip/core-headers.js';
import { HEADER } from '../sip/header-names.js';
import type { SipRequest, SipResponse } from '../sip/message.js';
import type { NameAddr } from '../sip/name-addr.js';
import { paramValue, setParam } from '../sip/params.js';
import { getExpires, getMinExpires } from '../sip/typed-headers.js';
import type { Uri } from '../sip/uri.js';
import type { Via } from '../sip/via.js';

export interface RegisterParts {
  /** Request-URI: the registrar's domain (§10.2: no user part). */
  readonly registrar: Uri;
  /** Address of record: To, and From with our tag. */
  readonly aor: NameAddr;
  readonly fromTag: string;
  /** One Call-ID for every REGISTER of this binding (§10.2: refreshes reuse it). */
  readonly callId: string;
  readonly cseq: number;
  readonly contact: NameAddr;
  /** 0 removes the binding. */
  readonly expiresSec: number;
  readonly via: Via;
  readonly userAgent: string;
  /** A preloaded route set, e.g. an outbound proxy (§8.1.2). */
  readonly routes?: ReadonlyArray<NameAddr>;
}

export const buildRegister = (p: RegisterParts): SipRequest =>
  buildRequest({
    method: 'REGISTER', uri: p.registrar, from: { ...p.aor, params: setParam(p.aor.params, 'tag', p.fromTag) },
    to: p.aor, callId: p.callId, cseq: p.cseq, vias: [p.via], contact: p.contact,
    ...(p.routes === undefined ? {} : { routes: p.routes }),
    headers: [{ name: HEADER.Expires, value: String(p.expiresSec) }, { name: HEADER.UserAgent, value: p.userAgent }],
  });

/** Same host (case-insensitive), port and user: how a registrar echoes our Contact among the bindings it lists. */
const sameContact = (a: Uri, b: Uri): boolean =>
  a.kind === 'sip' && b.kind === 'sip' && a.host.toLowerCase() === b.host.toLowerCase()
  && (a.port ?? 5060) === (b.port ?? 5060) && a.user === b.user;

/**
 * The expiry the registrar granted our contact (§10.2.4): its `expires`
 * parameter on our Contact in the 2xx, else the 2xx's Expires header, else
 * what we asked for.
 */
export const grantedExpires = (response: SipResponse, contact: Uri, requestedSec: number): number => {
  const contacts = getContacts(response);
  if (E.isRight(contacts) && contacts.right !== '*') {
    for (const binding of contacts.right) {
      const expires = paramValue(binding.params, 'expires');
      if (sameContact(binding.uri, contact) && expires !== undefined && /^[0-9]+$/.test(expires)) return Number(
        expires,
      );
    }
  }
  const header = getExpires(response);
  return E.isRight(header) && header.right !== undefined ? header.right : requestedSec;
};

/** 423 Interval Too Brief (§10.2.8): the Min-Expires to ask for instead, if it names one above what we asked. */
export const minimumExpires = (response: SipResponse, requestedSec: number): number | undefined => {
  const min = getMinExpires(response);
  return E.isRight(min) && min.right !== undefined && min.right > requestedSec ? min.right : undefined;
};

/**
 * Seconds until the refresh: well before the binding lapses (a minute early for
 * long ones, halfway for short ones), so one lost REGISTER and its
 * retransmissions (up to 32 s over UDP) still land in time.
 */
export const refreshDelaySec = (grantedSec: number): number => (
  grantedSec > 120 ? grantedSec - 60 : Math.max(1, Math.floor(grantedSec / 2))
);
