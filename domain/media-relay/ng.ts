/**
 * rtpengine's ng control protocol as values: a command is a bencoded dictionary after a cookie
 * (`<cookie> d7:command5:offer…e`), the reply carries the same cookie and `result` ok (with the rewritten
 * SDP), error (with `error-reason`) or pong. Pure: the socket, cookies and timers are the adapter's.
 */
import * as E from 'fp-ts/lib/Either.js';
import { bdecode, bencode, type Bencoded } from './bencode.js';
import { decodeUtf8 } from '../sip/text-codec.js';

/** Which call and which of its sides a command is about (rtpengine keys calls by Call-ID and tags). */
export interface RelayCall {
  readonly callId: string;
  /** The side that offered. */
  readonly fromTag: string;
  /** The side that answered (answer, and delete of one branch). */
  readonly toTag?: string;
}

export type NgCommand =
  | { readonly command: 'ping' }
  | { readonly command: 'offer' | 'answer'; readonly call: RelayCall; readonly sdp: string }
  | { readonly command: 'delete'; readonly call: RelayCall };

export type NgReply =
  | { readonly result: 'pong' }
  | { readonly result: 'ok'; readonly sdp: string | undefined }
  | { readonly result: 'error'; readonly reason: string };

export interface NgProtocolError {
  readonly kind: 'NgProtocolError';
  readonly detail: string;
}

/**
 * Options we always ask for: RTCP kept beside RTP (what our peers expect), ICE removed (plain SIP phones on
 * both sides), the SDP's own address trusted (loopback and LAN peers; NAT is the SBC's job).
 */
const COMMON: Readonly<Record<string, Bencoded>> = {
  flags: ['trust-address'], replace: ['origin', 'session-connection'], ICE: 'remove', 'rtcp-mux': ['demux'],
};

/** The dictionary of a command. */
export const ngDictionary = (command: NgCommand): Record<string, Bencoded> => {
  if (command.command === 'ping') return { command: 'ping' };
  const tags: Record<string, Bencoded> = {
    'call-id': command.call.callId, 'from-tag': command.call.fromTag,
    ...(command.call.toTag === undefined ? {} : { 'to-tag': command.call.toTag }),
  };
  if (command.command === 'delete') return { command: 'delete', ...tags };
  return { command: command.command, ...tags, sdp: command.sdp, ...COMMON };
};

/** The datagram for a command under `cookie` (no spaces in it). */
export const encodeNg = (cookie: string, command: NgCommand): string => `${cookie} ${bencode(ngDictionary(command))}`;

/** A reply's cookie and meaning; anything else (no cookie, not bencode, no result) is a protocol error. */
export const decodeNg = (
  bytes: Uint8Array,
): E.Either<NgProtocolError, { readonly cookie: string; readonly reply: NgReply }> => {
  const space = bytes.indexOf(0x20);
  if (space <= 0 || space > 64) return E.left({ kind: 'NgProtocolError', detail: 'no cookie' });
  const cookie = decodeUtf8(bytes, 0, space);
  const body = bdecode(bytes.subarray(space + 1));
  if (E.isLeft(body)) return E.left({ kind: 'NgProtocolError', detail: body.left.detail });
  const dict = body.right;
  if (typeof dict !== 'object' || Array.isArray(dict)) {
    return E.left({ kind: 'NgProtocolError', detail: 'the reply is not a dictionary' });
  }
  const fields = dict as { readonly [key: string]: Bencoded };
  const result = fields['result'];
  const text = (key: string): string | undefined => {
    const value = fields[key];
    return typeof value === 'string' ? value : undefined;
  };
  if (result === 'pong') return E.right({ cookie, reply: { result: 'pong' } });
  if (result === 'ok') return E.right({ cookie, reply: { result: 'ok', sdp: text('sdp') } });
  if (result === 'error') {
    return E.right({ cookie, reply: { result: 'error', reason: text('error-reason') ?? 'unspecified' } });
  }
  return E.left({ kind: 'NgProtocolError', detail: `unknown result ${JSON.stringify(result)}` });
};
