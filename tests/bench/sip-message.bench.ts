import * as E from 'fp-ts/lib/Either.js';
import { getCSeq, getTopVia } from '../../domain/sip/core-headers.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import type { SipHeader, SipRequest } from '../../domain/sip/message.js';
import { parseMessage } from '../../domain/sip/parse-message.js';
import { serializeMessage } from '../../domain/sip/serialize-message.js';
import { decodeUtf8, encodeUtf8 } from '../../domain/sip/text-codec.js';
import { knownHeaderName } from '../../domain/sip/header-names.js';
import { INVITE_ASTERISK } from '../fixtures/sip/messages.js';
import { measure } from './bench-util.js';

const splitOnly = (bytes: Uint8Array): ReadonlyArray<SipHeader> => {
  const text = decodeUtf8(bytes);
  const headers: SipHeader[] = [];
  let pos = text.indexOf('\n') + 1;
  for (;;) {
    const end = text.indexOf('\n', pos);
    if (end === -1 || end === pos + 1) break;
    const colon = text.indexOf(':', pos);
    const name = text.slice(pos, colon);
    headers.push({ name: knownHeaderName(name) ?? name, value: text.slice(colon + 2, end - 1) });
    pos = end + 1;
  }
  return bytes.subarray(pos + 1).length > 0 ? headers : [];
};

export const run = (): void => {
  const inviteBytes = encodeUtf8(INVITE_ASTERISK);
  const invite = parseMessage(inviteBytes);
  if (E.isLeft(invite) || invite.right.kind !== 'request') throw new Error('fixture does not parse');
  const ok = buildResponse(
    invite.right as SipRequest, 200,
    { toTag: 'as1f2e3d', headers: [{ name: 'Contact', value: '<sip:bob@192.0.2.20:5060>' }] },
  );
  const okBytes = serializeMessage(ok);
  console.log(`fixtures: INVITE ${inviteBytes.length} bytes, 200 OK ${okBytes.length} bytes`);
  const n = 200_000;
  let sink = 0;
  measure(`parseMessage: ${inviteBytes.length}-byte INVITE with SDP`, n, () => {
    for (let i = 0; i < n; i++) sink += E.isRight(parseMessage(inviteBytes)) ? 1 : 0;
  });
  measure(`parseMessage: ${okBytes.length}-byte 200 OK`, n, () => {
    for (let i = 0; i < n; i++) sink += E.isRight(parseMessage(okBytes)) ? 1 : 0;
  });
  measure(`serializeMessage: ${inviteBytes.length}-byte INVITE with SDP`, n, () => {
    for (let i = 0; i < n; i++) sink += serializeMessage(invite.right).length;
  });
  measure(`serializeMessage: ${okBytes.length}-byte 200 OK`, n, () => {
    for (let i = 0; i < n; i++) sink += serializeMessage(ok).length;
  });
  measure('parse INVITE + read top Via and CSeq (transaction key inputs)', n, () => {
    for (let i = 0; i < n; i++) {
      const m = parseMessage(inviteBytes);
      if (E.isRight(m)) sink += E.isRight(getTopVia(m.right)) && E.isRight(getCSeq(m.right)) ? 1 : 0;
    }
  });
  // The least any parser producing this model must do: decode, cut each header
  // line into a {name, value} with the canonical name, view the body. Nothing
  // is validated; it shows how much of a parse is the model itself.
  measure('reference: decode + split header lines + body view, no checks', n, () => {
    for (let i = 0; i < n; i++) sink += splitOnly(inviteBytes).length;
  });
  if (sink === 0) console.log('(sink)');
};
