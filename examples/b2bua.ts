/**
 * A B2BUA: bridges every incoming call to a fixed target, media relayed (and
 * transcoded between PCMU and PCMA when the legs differ).
 *
 *   npx tsx examples/b2bua.ts --port 5070 --target sip:service@127.0.0.1:5080
 *   npx tsx examples/b2bua.ts --target sip:service@127.0.0.1:5080 --media-relay rtpengine:127.0.0.1:2223
 */
import {
  B2bua, parseRtpengineSpec, PinoLogger, RelayedB2bua, SessionManagerBuilder,
} from '../adapters/composition/index.js';
import { commandLine, sipHost, usageError } from './support/command-line.js';
import { applySecurity, SECURITY_HELP, SECURITY_OPTIONS } from './support/security-flags.js';
import { OPS_HELP, OPS_OPTIONS, prepareOps } from './support/ops-flags.js';

const HELP = `Usage: npx tsx examples/b2bua.ts --target sip:user@host:port [options]

Bridges every incoming call to the target once it answers; media is relayed
(PCMU and PCMA transcoded). Early media from the target (a 183 with SDP:
ringback, announcements) is passed on to the caller before the answer.

Options:
  --host HOST          address to bind and advertise (default 127.0.0.1)
  --port PORT          SIP port; 0 picks a free one (default 5070)
  --target URI         where every call is sent (required)
  --media-ports A-B    RTP port range for both legs (default 30000-39999)
                       (no per-user cap: every call from one caller is bridged)
  --media-relay SPEC   anchor the media in rtpengine instead of this process:
                       rtpengine:HOST:PORT names its ng control port. Both
                       phones then send RTP to rtpengine and this process only
                       signals; if rtpengine fails, calls are refused 503
                       (unreachable) or 488 (it refused the SDP)
  --proxy URI          send the outgoing leg through this proxy or SBC
  --user NAME          username for Digest challenges (401/407) to the outgoing leg
  --password PW        its password (or set SESSION_CORE_PASSWORD)
${SECURITY_HELP}
${OPS_HELP}
                       (--transport and --srtp apply to both legs; a sips:
                       target is reached over TLS)
  --help               show this help

Prints a line containing "listening" once ready; SIGINT/SIGTERM stop gracefully.`;

const NAME = 'b2bua';
const { values } = commandLine(NAME, HELP, {
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '5070' },
    target: { type: 'string' },
    ...SECURITY_OPTIONS,
    ...OPS_OPTIONS,
    'media-ports': { type: 'string', default: '30000-39999' },
    'media-relay': { type: 'string' },
    proxy: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

const target = values.target ?? usageError(NAME, HELP, '--target is required');
const named = values.transport === 'tcp' || values.transport === 'tls' ? values.transport : undefined;
const [portMin, portMax] = (values['media-ports'] ?? '').split('-').map(Number);
const password = values.password ?? process.env['SESSION_CORE_PASSWORD'];
if (values.user !== undefined && password === undefined) usageError(
  NAME, HELP, '--user needs --password (or SESSION_CORE_PASSWORD)',
);
const plainTarget = !target.includes('transport=') && !/^sips:/i.test(target);
const relay = values['media-relay'];
if (relay !== undefined && parseRtpengineSpec(relay) === undefined) {
  usageError(NAME, HELP, `--media-relay: expected rtpengine:HOST:PORT, got ${relay}`);
}
const targetOf = (): string => (named !== undefined && plainTarget ? `${target};transport=${named}` : target);
const b2bua = relay === undefined ? new B2bua(targetOf) : new RelayedB2bua(targetOf);
const builder = new SessionManagerBuilder();
// Relayed: the phones' RTP goes to rtpengine, so this process opens no media ports.
if (relay !== undefined) builder.withMedia(false).withMediaRelay(relay);
prepareOps(NAME, HELP, values, builder);
const security = applySecurity(NAME, HELP, builder, values, [target]);
if (security.note !== undefined) console.log(security.note);
if (values.user !== undefined && password !== undefined) builder.withCredentials(values.user, password);
if (values.proxy !== undefined) builder.withOutboundProxy(values.proxy);
const coordinator = await builder
  .withLocalBindAddr(`${sipHost(values.host)}:${values.port}`)
  .withMediaPorts(portMin ?? 30000, portMax ?? 39999)
  .withMaxSessionsPerUser(100_000)
  .withHandler(b2bua)
  .withLogger(PinoLogger.create({ level: 'warn' }))
  .build()
  .catch((error: unknown) => usageError(NAME, HELP, (error as Error).message));
b2bua.attach(coordinator);
await coordinator.start();
console.log(`b2bua listening on ${sipHost(values.host)}:${coordinator.localEndpoint?.port} → ${target}`);
const stop = async (): Promise<void> => {
  const refused = b2bua instanceof RelayedB2bua ? `, ${b2bua.refusedByRelay()} refused for the relay` : '';
  console.log(`b2bua stopping after ${b2bua.bridged()} bridged calls${refused}`);
  await coordinator.stop();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
