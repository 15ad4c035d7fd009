/**
 * examples/auto-answer.ts --no-media answers as SIPp's uas does: SDP in the
 * 200 naming the first port of its media range, and no RTP socket behind it.
 */
import { createSocket, type Socket } from 'node:dgram';
import test from 'ava';
import { runExample, startExample } from '../support/example-process.js';
import { freeUdpPort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';

const request = (method: 'INVITE' | 'ACK' | 'BYE', port: number, target: number, cseq: number, toTag = ''): string => {
  const sdp = method !== 'INVITE' ? '' : 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n'
    + `m=audio ${port + 2} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n`;
  return [
    `${method} sip:service@127.0.0.1:${target} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKnomedia${method === 'ACK' ? 'ack' : cseq};rport`,
    'Max-Forwards: 70',
    `From: <sip:caller@127.0.0.1:${port}>;tag=nm1`,
    `To: <sip:service@127.0.0.1:${target}>${toTag === '' ? '' : `;tag=${toTag}`}`,
    'Call-ID: no-media@127.0.0.1',
    `CSeq: ${cseq} ${method}`,
    `Contact: <sip:caller@127.0.0.1:${port}>`,
    ...(sdp === '' ? [] : ['Content-Type: application/sdp']),
    `Content-Length: ${sdp.length}`,
    '',
    sdp,
  ].join('\r\n');
};

const bindable = async (port: number): Promise<boolean> => {
  const probe: Socket = createSocket({ type: 'udp4', reuseAddr: false });
  const free = await new Promise<boolean>((resolve) => {
    probe.once('error', () => resolve(false));
    probe.bind({ port, address: '127.0.0.1', exclusive: true }, () => resolve(true));
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return free;
};

test('examples/auto-answer.ts --no-media: the 200 carries SDP naming the first port of --media-ports, nothing is bound there, and the call ends with BYE → 200', async (t) => {
  const mediaPort = (await freeUdpPort()) & ~1;
  const server = await startExample(
    'auto-answer', ['--port', '0', '--no-media', '--media-ports', `${mediaPort}-${mediaPort + 99}`],
    /listening on 127\.0\.0\.1:(\d+)/,
  );
  t.teardown(() => server.child.kill('SIGKILL'));
  const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(server.output())![1]);
  const caller = createSocket('udp4');
  await new Promise<void>((resolve) => caller.bind(0, '127.0.0.1', resolve));
  t.teardown(() => caller.close());
  const own = caller.address().port;
  let received = '';
  caller.on('message', (m) => (received += m.toString()));
  caller.send(request('INVITE', own, port, 1), port, '127.0.0.1');
  await waitFor(() => /SIP\/2\.0 200 OK[\s\S]*\r\n\r\nv=0/.test(received), 30_000, 'the 200 OK with SDP');
  const ok = received.slice(received.indexOf('SIP/2.0 200 OK'));
  t.regex(ok, new RegExp(`\\r\\nm=audio ${mediaPort} RTP/AVP 0( \\d+)*\\r\\n`), 'PCMU answered at the range start');
  t.regex(ok, /\r\nc=IN IP4 127\.0\.0\.1\r\n/);
  t.regex(ok, /a=rtpmap:101 telephone-event\/8000/);
  const toTag = /^To:.*;tag=([^;\s]+)/im.exec(ok)![1]!;
  caller.send(request('ACK', own, port, 1, toTag), port, '127.0.0.1');
  t.true(await bindable(mediaPort), 'no RTP socket holds the port named in the SDP');
  t.true(await bindable(mediaPort + 1), 'nor its RTCP port');
  received = '';
  caller.send(request('BYE', own, port, 2, toTag), port, '127.0.0.1');
  await waitFor(() => /SIP\/2\.0 200 OK[^\n]*\r\n(?:[^\r]*\r\n)*CSeq: 2 BYE/.test(received), 30_000, 'the 200 to the BYE');
  await waitFor(() => /ended sess-/.test(server.output()), 30_000, 'the call logged as ended');
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0, server.output());
});

test('examples/auto-answer.ts --no-media refuses --wav and --early-media with a usage error (exit 2)', async (t) => {
  for (const extra of [['--wav', 'x.wav'], ['--answer-after', '100', '--early-media']]) {
    const { code, output } = await runExample('auto-answer', ['--port', '0', '--no-media', ...extra]);
    t.is(code, 2, output);
    t.regex(output, /--no-media sends no audio/);
  }
});
