import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { CryptoRandom } from '../../adapters/node/crypto-random.js';
import { SystemClock } from '../../adapters/node/system-clock.js';
import { TcpSipTransport } from '../../adapters/node/tcp-sip-transport.js';
import { UdpSipTransport } from '../../adapters/node/udp-sip-transport.js';
import { MultiTransport } from '../../adapters/shared/multi-transport.js';
import { UaCore } from '../../application/ua/ua-core.js';
import { sipUri } from '../../domain/sip/uri.js';
import type { SipTransport } from '../../ports/sip-transport.js';
import { right } from '../support/either.js';
import { waitFor } from '../support/wait.js';
import { listeningSipp, requireSipp, runSipp } from '../support/sipp.js';

const scenarios = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sipp');
const answerSdp = new TextEncoder().encode(
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n',
);

/** Our UA core on loopback: answers every call, except user "ringonly", which rings until cancelled. */
const startUas = async (t: ExecutionContext, protocol: 'udp' | 'tcp') => {
  const transport: SipTransport = protocol === 'udp'
    ? new MultiTransport([right(t, await UdpSipTransport.listen({ host: '127.0.0.1', port: 0 }))])
    : new MultiTransport([right(t, await TcpSipTransport.listen({ host: '127.0.0.1', port: 0 }))]);
  const ua = new UaCore(transport, new SystemClock(), new CryptoRandom(), {
    onIncomingInvite: (invite) => {
      void invite.provisional(180);
      const user = invite.request.uri.kind === 'sip' ? invite.request.uri.user : undefined;
      if (user !== 'ringonly') void invite.accept({ body: answerSdp, contentType: 'application/sdp' });
    },
  });
  t.teardown(async () => {
    ua.close();
    await transport.close();
  });
  return { ua, transport, port: transport.localEndpoint(protocol)!.port };
};

const sippArgs = (protocol: 'udp' | 'tcp', port: number, extra: string[]): string[] =>
  [
    ...extra, '-m', '100', '-r', '50', '-l', '50', '-t', protocol === 'udp' ? 'u1' : 't1', '-i', '127.0.0.1',
    '-timeout', '60s', '-timeout_error', `127.0.0.1:${port}`,
  ];

for (const protocol of ['udp', 'tcp'] as const) {
  test(`SIPp uac → our UAS over ${protocol}: 100 calls (INVITE, 180, 200, ACK, BYE), none failed`, async (t) => {
    if (!requireSipp(t)) return;
    const server = await startUas(t, protocol);
    const result = await runSipp(sippArgs(protocol, server.port, ['-sn', 'uac']), 90_000);
    t.is(result.failed, 0, result.errors || result.stdout.slice(-1500));
    t.is(result.successful, 100);
    // The last BYEs may still be on their way: wait for the dialogs to go, as they must.
    await waitFor(() => server.ua.counts().dialogs === 0, 30_000, 'every dialog released after BYE');
    t.is(server.ua.counts().dialogs, 0, 'every dialog released after BYE');
  });
}

for (const [scenario, service] of [['uac-reinvite', 'reinvite'], ['uac-cancel', 'ringonly'], ['bye-unknown-dialog', 'nobody'], ['uac-session-timer', 'timer']] as const) {
  test(`SIPp ${scenario} → our UAS over udp: 100 calls, none failed`, async (t) => {
    if (!requireSipp(t)) return;
    const server = await startUas(t, 'udp');
    const result = await runSipp(
      sippArgs('udp', server.port, ['-sf', path.join(scenarios, `${scenario}.xml`), '-s', service]), 90_000,
    );
    t.is(result.failed, 0, result.stdout.slice(-1500) + result.stderr);
    t.is(result.successful, 100);
    await waitFor(() => server.ua.counts().dialogs === 0, 30_000, 'every dialog released');
    t.is(server.ua.counts().dialogs, 0);
  });
}

test('our UAC → SIPp uas over udp: 100 calls answered and hung up, none failed', async (t) => {
  if (!requireSipp(t)) return;
  const { port: sippPort, done: sipp } = await listeningSipp(
    () => ['-sf', path.join(scenarios, 'uas-answers.xml'), '-m', '100', '-t', 'u1', '-i', '127.0.0.1', '-timeout',
      '60s'],
    90_000,
  );
  const transport = new MultiTransport([right(t, await UdpSipTransport.listen({ host: '127.0.0.1', port: 0 }))]);
  const ua = new UaCore(
    transport, new SystemClock(), new CryptoRandom(), { onIncomingInvite: (i) => void i.reject(486) },
  );
  t.teardown(async () => {
    ua.close();
    await transport.close();
  });
  const from = { uri: sipUri('127.0.0.1', { user: 'caller', port: transport.localEndpoint('udp')!.port }), params: [] };
  const to = { uri: sipUri('127.0.0.1', { user: 'service', port: sippPort }), params: [] };
  let answered = 0;
  const calls: Array<Promise<void>> = [];
  for (let i = 0; i < 100; i++) {
    const call = right(t, ua.invite({ to, from, body: answerSdp, contentType: 'application/sdp' }));
    calls.push(call.outcome.then(async (outcome) => {
      if (outcome.kind !== 'Answered') return;
      answered++;
      const bye = await outcome.session.bye();
      if (bye.kind !== 'Response' || bye.response.status !== 200) t.log(`BYE outcome ${bye.kind}`);
    }));
    if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await Promise.all(calls);
  const result = await sipp;
  t.is(answered, 100);
  t.is(result.failed, 0, result.errors || result.stdout.slice(-1500));
  t.is(result.successful, 100);
  t.is(ua.counts().dialogs, 0);
});
