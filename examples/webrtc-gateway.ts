/**
 * A browser ⇄ phone gateway: browsers register over secure WebSocket and talk WebRTC, phones and PBXs
 * speak SIP over UDP with plain RTP; calls between them are bridged here (B2BUA, media decoded and
 * re-encoded between DTLS-SRTP and RTP). The HTTPS port also serves the softphone page.
 *
 *   npx tsx examples/webrtc-gateway.ts --port 8443 --tls-cert cert.pem --tls-key key.pem \
 *     --target sip:pbx.example.com
 */
import {
  ForkingRouter, PinoLogger, SessionManagerBuilder, type SessionCoordinator,
} from '../adapters/composition/index.js';
import { selfSigned } from './support/certificates.js';
import { accounts } from './support/accounts.js';
import { commandLine, integerFlag, sipHost, usageError } from './support/command-line.js';
import { softphonePage } from './support/softphone-page.js';

const HELP = `Usage: npx tsx examples/webrtc-gateway.ts [options]

Lets browsers call phones and phones call browsers. Browsers load the softphone
page from https://HOST:PORT/, register over WSS (SIP over WebSocket, RFC 7118)
and carry audio with WebRTC (ICE, DTLS-SRTP); phones and PBXs use SIP over UDP
with plain RTP on --sip-port. A call to a registered user (a browser or a phone)
rings every device they registered; a call to anyone else goes to --target.

Options:
  --host HOST          address to bind and advertise (default 127.0.0.1)
  --port PORT          HTTPS/WSS port for browsers; 0 picks a free one (default 8443)
  --sip-port PORT      UDP port for phones and PBXs; 0 picks one (default 5060)
  --tls-cert FILE      certificate chain (PEM) browsers will see; without it one
                       is made for the run (self-signed: browsers warn)
  --tls-key FILE       its private key (PEM)
  --target URI         where calls to unregistered users go (a PBX or trunk);
                       without a user part the dialled user is kept
                       (sip:pbx.example.com + bob → sip:bob@pbx.example.com)
  --domain NAME        the domain users register in (default: --host)
  --user NAME:PW       a user allowed to register, with Digest MD5 (repeatable;
                       what SIP.js answers); their calls and MESSAGEs are
                       challenged too; without any, anyone may register
  --ring-timeout SEC   how long a callee rings (default 25)
  --media-ports A-B    RTP port range for both legs (default 30000-39999)
  --quiet              print only the listening and stopping lines
  --help               show this help

Prints a line containing "listening" once ready; SIGINT/SIGTERM stop gracefully.`;

const NAME = 'webrtc-gateway';
const { values } = commandLine(NAME, HELP, {
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8443' },
    'sip-port': { type: 'string', default: '5060' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    target: { type: 'string' },
    domain: { type: 'string' },
    user: { type: 'string', multiple: true, default: [] },
    'ring-timeout': { type: 'string', default: '25' },
    'media-ports': { type: 'string', default: '30000-39999' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const fail = (message: string): never => usageError(NAME, HELP, message);
const host = values.host;
const domain = values.domain ?? host;
const webPort = integerFlag(NAME, HELP, 'port', values.port);
const sipPort = integerFlag(NAME, HELP, 'sip-port', values['sip-port']);
const ringTimeoutSec = integerFlag(NAME, HELP, 'ring-timeout', values['ring-timeout'], 1);
const [portMin, portMax] = values['media-ports'].split('-').map(Number);
if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) {
  fail('--tls-cert and --tls-key go together');
}
// withTls reads (and checks) certificate files itself at build.
const certificate = values['tls-cert'] === undefined
  ? selfSigned({ commonName: host, names: ['localhost', host] })
  : { cert: values['tls-cert'], key: values['tls-key']! };
const users = accounts(NAME, HELP, values.user);

/** The target for a call to an unregistered user: the dialled user put in a target without one. */
const targetFor = (to: string): string | undefined => {
  const target = values.target;
  if (target === undefined || /^sips?:[^@;>]+@/i.test(target)) return target;
  const user = /^<?sips?:([^@;>]+)@/i.exec(to)?.[1];
  return user === undefined ? target : target.replace(/^(sips?:)/i, `$1${user}@`);
};

const router = new ForkingRouter({ ringTimeoutMs: ringTimeoutSec * 1000, elsewhere: (call) => targetFor(call.to) });
const builder = new SessionManagerBuilder()
  .withLocalBindAddr(`${sipHost(host)}:${sipPort}`)
  .withTransports(['udp', 'wss'])
  .withTls({ ...certificate })
  .withWebSocket({ securePort: webPort, httpHandler: softphonePage() })
  .withWebRtc()
  .withRegistrar({ domains: [domain] })
  .withMediaPorts(portMin ?? 30000, portMax ?? 39999)
  .withMaxSessionsPerUser(100_000)
  .withDeferTimeout((ringTimeoutSec + 5) * 1000)
  .withHandler(router)
  .withLogger(PinoLogger.create({ level: 'warn' }));
if (Object.keys(users).length > 0) builder.withAuthentication({
  realm: domain, users, methods: ['REGISTER', 'INVITE', 'MESSAGE'], algorithms: ['MD5'],
});
let coordinator: SessionCoordinator;
try {
  coordinator = await builder.build();
} catch (error) {
  coordinator = fail((error as Error).message);
}
router.attach(coordinator);
await coordinator.start();

// What devices send is theirs: printed as JSON strings, so no control character reaches the terminal.
const q = (value: string): string => JSON.stringify(value);
if (!values.quiet) coordinator.events.subscribe((event) => {
  switch (event.type) {
    case 'RegistrationAdded': return console.log(`registered ${q(event.aor)} at ${q(event.contact)}`);
    case 'RegistrationRemoved': return console.log(`unregistered ${q(event.aor)} at ${q(event.contact)}`);
    case 'RegistrationExpired': return console.log(`expired ${q(event.aor)} at ${q(event.contact)}`);
    case 'IncomingCall': return console.log(`call ${event.sessionId} from ${q(event.from)} to ${q(event.to)}`);
    case 'CallEstablished': return console.log(`answered ${event.sessionId}`);
    case 'CallEnded': return console.log(`ended ${event.sessionId}: ${event.reason}`);
    case 'Error': return console.log(`error ${event.sessionId ?? ''}: ${q(event.message)}`);
    default: return undefined;
  }
});
const web = coordinator.localEndpointFor('wss')?.port;
console.log(
  `${NAME} listening on ${sipHost(host)}:${coordinator.localEndpointFor('udp')?.port} (udp), `
  + `browsers on https://${sipHost(host)}:${web}/`
  + (values['tls-cert'] === undefined ? ' (self-signed certificate made for this run)' : ''),
);
if (Object.keys(users).length === 0) console.log(`${NAME}: no --user given: anyone may register any name`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  console.log(`${NAME} stopping`);
  void coordinator.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
