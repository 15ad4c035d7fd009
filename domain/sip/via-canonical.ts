import { charRun, charTable, scanRun, TOKEN_EXTRA } from './grammar.js';
import type { Param } from './params.js';
import type { Via } from './via-value.js';

/*
 * Nearly every Via on the wire reads `SIP/2.0/UDP host:port;name;name=value`:
 * no LWS, a plain host, token parameter values. This strict reader handles
 * exactly that form in one pass over text[from, to) and gives up (undefined)
 * at anything else, leaving the case to the general grammar in via.ts: so it
 * never accepts what the general reader refuses, and when it answers, it
 * answers the same Via (a test compares the two on every corpus Via).
 */

const TOKEN = charTable(TOKEN_EXTRA);
const HOST = charTable('-._');
/** Parameter values: token characters plus `:`, `[` and `]` (as params.ts). */
const VALUE_RUN = charRun(`${TOKEN_EXTRA}:[]`);
const TRANSPORTS = ['UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS'];

/** Whether text[from..] starts with `SIP/2.0/`, compared by character codes (cheaper than startsWith at an offset). */
const isSip20Slash = (text: string, i: number): boolean =>
  text.charCodeAt(i) === 0x53 && text.charCodeAt(i + 1) === 0x49 && text.charCodeAt(i + 2) === 0x50
  && text.charCodeAt(i + 3) === 0x2f && text.charCodeAt(i + 4) === 0x32 && text.charCodeAt(i + 5) === 0x2e
  && text.charCodeAt(i + 6) === 0x30 && text.charCodeAt(i + 7) === 0x2f;

const scanTable = (table: Uint8Array, text: string, from: number, to: number): number => {
  let i = from;
  while (i < to) {
    const code = text.charCodeAt(i);
    if (code >= 128 || table[code] === 0) break;
    i++;
  }
  return i;
};

/** An upper-case transport name spelled at text[from, to), as the shared constant. */
const transportAt = (text: string, from: number, to: number): string | undefined => {
  for (const known of TRANSPORTS) {
    if (known.length !== to - from) continue;
    let k = 0;
    while (k < known.length && text.charCodeAt(from + k) === known.charCodeAt(k)) k++;
    if (k === known.length) return known;
  }
  return undefined;
};

const isTtl = (text: string, from: number, to: number): boolean =>
  to - from === 3 && (text.charCodeAt(from) | 0x20) === 0x74 && (text.charCodeAt(from + 1) | 0x20) === 0x74
  && (text.charCodeAt(from + 2) | 0x20) === 0x6c;

/** The Via at text[from, to) if it is in the canonical form, else undefined. */
export const parseCanonicalVia = (text: string, from: number, to: number): Via | undefined => {
  if (to - from < 12 || !isSip20Slash(text, from)) return undefined;
  const transportEnd = scanTable(TOKEN, text, from + 8, to);
  const transport = transportAt(text, from + 8, transportEnd);
  if (transport === undefined || text.charCodeAt(transportEnd) !== 0x20) return undefined;
  const hostStart = transportEnd + 1;
  let i = scanTable(HOST, text, hostStart, to);
  if (i === hostStart) return undefined;
  const host = text.slice(hostStart, i);
  let port = -1;
  if (i < to && text.charCodeAt(i) === 0x3a) {
    const digits = ++i;
    let value = 0;
    for (; i < to && i - digits < 5; i++) {
      const digit = text.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
    if (i === digits || value > 65535) return undefined;
    port = value;
  }
  const params: Param[] = [];
  while (i < to) {
    if (text.charCodeAt(i) !== 0x3b) return undefined;
    const nameStart = ++i;
    i = scanTable(TOKEN, text, nameStart, to);
    // ttl needs a range check: the general reader does it.
    if (i === nameStart || isTtl(text, nameStart, i)) return undefined;
    const name = text.slice(nameStart, i);
    if (i < to && text.charCodeAt(i) === 0x3d) {
      const valueStart = ++i;
      i = Math.min(scanRun(VALUE_RUN, text, valueStart), to);
      if (i === valueStart) return undefined;
      params.push({ name, value: text.slice(valueStart, i) });
    } else {
      params.push({ name });
    }
  }
  // Same shape and key order as the general reader builds.
  const via: { -readonly [K in keyof Via]: Via[K] } = {
    protocolName: 'SIP', protocolVersion: '2.0', transport, host, params,
  };
  if (port !== -1) via.port = port;
  return via;
};
