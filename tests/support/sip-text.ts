/** Small well-formed messages for transport tests. */
export const optionsRequest = (opts: { via?: string; callId?: string; cseq?: number; body?: string } = {}): string => {
  const body = opts.body ?? '';
  return [
    'OPTIONS sip:bob@127.0.0.1 SIP/2.0',
    `Via: ${opts.via ?? 'SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKtest1;rport'}`,
    'Max-Forwards: 70',
    'From: <sip:alice@127.0.0.1>;tag=a1',
    'To: <sip:bob@127.0.0.1>',
    `Call-ID: ${opts.callId ?? 'call-1@127.0.0.1'}`,
    `CSeq: ${opts.cseq ?? 1} OPTIONS`,
    ...(body.length > 0 ? ['Content-Type: text/plain'] : []),
    `Content-Length: ${new TextEncoder().encode(body).length}`,
    '',
    body,
  ].join('\r\n');
};
