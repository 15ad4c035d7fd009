/**
 * examples/auto-answer.ts stops promptly even when the far end of a call has
 * vanished: its BYE gets no answer, and the stop does not wait for one beyond
 * its grace (it used to take 6 s on SIGINT).
 */
import { createSocket } from 'node:dgram';
import test from 'ava';
import { startExample } from '../support/example-process.js';
import { waitFor } from '../support/wait.js';

const invite = (port: number, target: number): string => {
  const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n'
    + `m=audio ${port + 2} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`;
  return [
    `INVITE sip:service@127.0.0.1:${target} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKgone1;rport`,
    'Max-Forwards: 70',
    `From: <sip:gone@127.0.0.1:${port}>;tag=g1`,
    `To: <sip:service@127.0.0.1:${target}>`,
    'Call-ID: gone-peer@127.0.0.1',
    'CSeq: 1 INVITE',
    `Contact: <sip:gone@127.0.0.1:${port}>`,
    'Content-Type: application/sdp',
    `Content-Length: ${sdp.length}`,
    '',
    sdp,
  ].join('\r\n');
};

test('examples/auto-answer.ts: SIGINT with a call whose peer has vanished (its BYE goes unanswered) exits 0 within a couple of seconds', async (t) => {
  const server = await startExample('auto-answer', ['--port', '0', '--media-ports', '54600-54699'], /listening on 127\.0\.0\.1:(\d+)/);
  t.teardown(() => server.child.kill('SIGKILL'));
  const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(server.output())![1]);
  // The caller: sends an INVITE, ACKs nothing, answers nothing — a phone that lost its network.
  const gone = createSocket('udp4');
  await new Promise<void>((resolve) => gone.bind(0, '127.0.0.1', resolve));
  t.teardown(() => gone.close());
  let fromServer = '';
  gone.on('message', (m) => (fromServer += m.toString()));
  gone.send(invite(gone.address().port, port), port, '127.0.0.1');
  await waitFor(() => /SIP\/2\.0 200 OK/.test(fromServer), 30_000, 'the 200 OK');
  await waitFor(() => /answered sess-/.test(server.output()), 30_000, 'the call answered');
  const signalledAt = performance.now();
  server.child.kill('SIGINT');
  const code = await server.exited;
  const tookMs = performance.now() - signalledAt;
  t.is(code, 0, server.output());
  t.regex(fromServer, /^BYE sip:/m, 'the BYE went out');
  t.true(tookMs < 2_500, `exit took ${Math.round(tookMs)} ms`);
});
