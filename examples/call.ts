/**
 * Places one call and reports how it went.
 *
 *   npx tsx examples/call.ts sip:service@127.0.0.1:5080 --duration 3000 --dtmf 123
 */
import {
  SessionManagerBuilder, RejectAllHandler, type MediaStatistics, type SessionError,
} from '../adapters/composition/index.js';
import { commandLine, integerFlag, sipHost, usageError } from './support/command-line.js';
import { applySecurity, SECURITY_HELP, SECURITY_OPTIONS } from './support/security-flags.js';

const HELP = `Usage: npx tsx examples/call.ts sip:user@host:port [options]

Calls the target, plays a 440 Hz tone while connected, optionally sends DTMF,
hangs up after the duration (unless the other side hangs up first) and prints
the media statistics. Early media (a 183 with SDP: ringback, announcements)
is listened to before the answer, and reported.
Exits 0 when the call was answered and ended cleanly, 1 otherwise.

Options:
  --duration MS        how long to stay connected (default 3000)
  --dtmf DIGITS        send these digits after answer (RFC 4733, or SIP INFO)
  --host HOST          local address (default 127.0.0.1)
  --port PORT          local SIP port, 0 = any (default 0)
  --from URI           caller identity (default sip:caller@HOST)
  --timeout MS         give up if not answered in time (default 30000)
  --delayed-offer      send the INVITE without SDP: the callee offers in its
                       200 and we answer in the ACK (RFC 3261 §13.2.2.4)
  --proxy URI          send the call through this proxy or SBC (outbound proxy)
  --dns IP[:PORT]      DNS server to locate the target with (RFC 3263: NAPTR,
                       SRV, then A/AAAA; the next server is tried when one fails);
                       repeatable; default the system's
  --user NAME          username for Digest challenges (401/407) from the callee
                       or a proxy (RFC 3261 §22, RFC 7616: MD5, SHA-256, SHA-512-256)
  --password PW        its password (or set SESSION_CORE_PASSWORD, which keeps it
                       out of the process list)
${SECURITY_HELP}
  --help               show this help

A sips: target (npx tsx examples/call.ts sips:alice@pbx.example.com) goes over
TLS on port 5061, the PBX's certificate verified against the system's
authorities (or --tls-ca).`;

const NAME = 'call';
const { values, positionals } = commandLine(NAME, HELP, {
  allowPositionals: true,
  options: {
    duration: { type: 'string', default: '3000' },
    dtmf: { type: 'string' },
    ...SECURITY_OPTIONS,
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    from: { type: 'string' },
    timeout: { type: 'string', default: '30000' },
    'delayed-offer': { type: 'boolean', default: false },
    proxy: { type: 'string' },
    dns: { type: 'string', multiple: true },
    user: { type: 'string' },
    password: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const main = async (): Promise<number> => {
  const target = positionals[0] ?? usageError(NAME, HELP, 'missing target URI');
  if (positionals.length > 1) usageError(NAME, HELP, `one target only, not ${positionals.join(' ')}`);
  const durationMs = integerFlag(NAME, HELP, 'duration', values.duration);
  const timeoutMs = integerFlag(NAME, HELP, 'timeout', values.timeout, 1);
  // A target without a transport of its own gets the one asked for (UDP is the default anyway).
  const named = values.transport === 'tcp' || values.transport === 'tls' ? values.transport : undefined;
  const to = named !== undefined && !target.includes('transport=') && !/^sips:/i.test(target)
    ? `${target};transport=${named}` : target;
  const password = values.password ?? process.env['SESSION_CORE_PASSWORD'];
  if (values.user !== undefined && password === undefined) usageError(
    NAME, HELP, '--user needs --password (or SESSION_CORE_PASSWORD)',
  );
  const builder = new SessionManagerBuilder();
  const targets = [to, ...(values.proxy === undefined ? [] : [values.proxy])];
  const security = applySecurity(NAME, HELP, builder, values, targets);
  if (security.note !== undefined) console.log(security.note);
  if (values.user !== undefined && password !== undefined) builder.withCredentials(values.user, password);
  if (values.proxy !== undefined) builder.withOutboundProxy(values.proxy);
  if (values.dns !== undefined) builder.withDnsServers(values.dns);
  const coordinator = await builder
    .withLocalBindAddr(`${sipHost(values.host)}:${values.port}`)
    .withMediaPorts(40000, 40999)
    .withHandler(new RejectAllHandler(486))
    .build()
    .catch((error: unknown) => usageError(NAME, HELP, (error as Error).message));
  await coordinator.start();
  // A sips call names a sips caller (§8.1.1.8 asks the same of the Contact).
  const scheme = /^sips:/i.test(to) ? 'sips' : 'sip';
  const port = (scheme === 'sips' ? coordinator.localEndpointFor('tls') : coordinator.localEndpoint)?.port;
  const from = values.from ?? `${scheme}:caller@${sipHost(values.host)}:${port}`;
  try {
    const call = await coordinator.createOutgoingCall(
      from, to, undefined, [], { delayedOffer: values['delayed-offer'] },
    );
    console.log(`calling ${to} (${call.id})`);
    // The other side may hang up first: that ends the call cleanly too.
    const endedByPeer = new Promise<string>((resolve) => {
      coordinator.events.subscribe((event) => {
        if (event.type === 'CallEnded') resolve(event.reason);
      }, { sessionId: call.id, types: ['CallEnded'] });
    });
    coordinator.events.subscribe((event) => {
      if (event.type === 'EarlyMedia') console.log(
        `early media (${event.status}): listening to the callee's side before the answer`,
      );
    }, { sessionId: call.id, types: ['EarlyMedia'] });
    await coordinator.waitForAnswer(call.id, timeoutMs);
    const answeredAt = Date.now();
    const heardEarly = coordinator.getMediaStatistics(call.id).packetsReceived;
    console.log(heardEarly > 0 ? `answered (after ${heardEarly} RTP packets of early media)` : 'answered');
    const info = coordinator.getMediaInfo(call.id);
    if (info.webrtc === true) {
      // DTLS keys the SRTP just after the answer: wait for it (a failure ends the call).
      for (let i = 0; i < 200 && coordinator.getMediaInfo(call.id).srtp === undefined; i++) await sleep(50);
      console.log(`media: WebRTC, DTLS-SRTP ${coordinator.getMediaInfo(call.id).srtp ?? 'not keyed'}`);
    } else console.log(info.srtp === undefined ? 'media: plain RTP' : `media: SRTP ${info.srtp}`);
    coordinator.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [440] });
    if (values.dtmf !== undefined) {
      // A hang-up while the digits go out ends the call cleanly too (below); a DTMF failure after it is moot.
      const dtmf = coordinator.sendDtmf(call.id, values.dtmf).then(() => true);
      dtmf.catch(() => undefined);
      if (await Promise.race([dtmf, endedByPeer.then(() => false)])) console.log(`sent DTMF ${values.dtmf}`);
    }
    const outcome = await Promise.race([sleep(durationMs).then(() => undefined), endedByPeer]);
    if (outcome === undefined) {
      const stats = coordinator.getMediaStatistics(call.id);
      await coordinator.terminateSession(call.id);
      console.log(`hung up; ${describe(stats)}`);
    } else {
      // An ended call's final statistics stay readable for a short linger.
      console.log(
        `the other side hung up after ${((Date.now() - answeredAt) / 1000).toFixed(1)} s (${outcome}); `
        + describe(coordinator.getMediaStatistics(call.id)),
      );
    }
    await coordinator.stop();
    return 0;
  } catch (error) {
    const e = error as SessionError;
    console.error(`call failed: ${e.kind ?? 'Error'}: ${e.message ?? String(error)}`);
    await coordinator.stop();
    return 1;
  }
};

const describe = (s: MediaStatistics): string =>
  `sent ${s.packetsSent} RTP packets, received ${s.packetsReceived}, loss ${s.lossPercent.toFixed(2)} %, `
  + `jitter ${s.jitterMs.toFixed(2)} ms, MOS ${s.mos?.toFixed(2) ?? 'n/a'}`;

main().then((code) => process.exit(code), (error: unknown) => {
  console.error('call failed:', error);
  process.exit(1);
});
