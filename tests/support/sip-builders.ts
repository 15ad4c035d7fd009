import * as E from 'fp-ts/lib/Either.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import type { SipRequest, SipResponse } from '../../domain/sip/message.js';
import { parseMessage } from '../../domain/sip/parse-message.js';

/** A parsed request of `method` with a given branch, for transaction tests. */
export const request = (method: string, branch = 'z9hG4bKtx1', extra = ''): SipRequest => {
  const text = [
    `${method} sip:bob@10.0.0.2 SIP/2.0`,
    `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=${branch}`,
    'Max-Forwards: 70',
    'From: <sip:alice@10.0.0.1>;tag=a1',
    'To: <sip:bob@10.0.0.2>',
    `Call-ID: tx-${branch}@10.0.0.1`,
    `CSeq: 1 ${method}`,
    extra,
    'Content-Length: 0',
    '',
    '',
  ].filter((line, i, all) => line !== '' || i >= all.length - 2).join('\r\n');
  const parsed = parseMessage(text);
  if (E.isLeft(parsed) || parsed.right.kind !== 'request') throw new Error(
    `bad test request: ${JSON.stringify(parsed)}`,
  );
  return parsed.right;
};

export const response = (req: SipRequest, status: number, toTag = 'b1'): SipResponse => buildResponse(
  req, status, { toTag },
);
