import * as E from 'fp-ts/lib/Either.js';
import { getContacts } from './core-headers.js';
import { formatUri } from './format-uri.js';
import type { SipResponse } from './message.js';
import { paramValue } from './params.js';
import type { Uri } from './uri.js';

/** How many times a call follows 3xx responses before it gives up (a loop that keeps changing URIs). */
export const MAX_REDIRECTS = 5;

/** The key under which a URI counts as tried: its text without the header part. */
export const redirectKey = (uri: Uri): string => formatUri(uri.kind === 'sip' ? { ...uri, headers: [] } : uri);

/**
 * RFC 3261 §8.1.3.4: the Contacts of a 3xx to try, highest q first (1.0 when absent; equal q keep their
 * order), SIP URIs only, without those already tried — a redirect back to one is a loop and is skipped.
 */
export const redirectTargets = (response: SipResponse, tried: ReadonlySet<string>): Uri[] => {
  const contacts = getContacts(response);
  if (E.isLeft(contacts) || contacts.right === '*') return [];
  const seen = new Set(tried);
  return contacts.right
    .map((c, index) => ({ uri: c.uri, index, q: Number(paramValue(c.params, 'q') ?? '1') }))
    .filter((c) => c.uri.kind === 'sip' && Number.isFinite(c.q))
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .flatMap((c) => {
      const key = redirectKey(c.uri);
      if (seen.has(key)) return [];
      seen.add(key);
      return [c.uri];
    });
};
