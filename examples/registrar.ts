/**
 * A small PBX: phones register (Digest), call each other by address of
 * record — every contact of the callee rings, the first to answer is bridged
 * — and send each other MESSAGEs, all through this process.
 *
 *   npx tsx examples/registrar.ts --user alice:secret1 --user bob:secret2
 */
import { ForkingRouter, PinoLogger, SessionManagerBuilder } from '../adapters/composition/index.js';
import { accounts as namedAccounts } from './support/accounts.js';
import { commandLine, integerFlag, sipHost, usageError } from './support/command-line.js';
import { applySecurity, SECURITY_HELP, SECURITY_OPTIONS } from './support/security-flags.js';

const HELP = `Usage: npx tsx examples/registrar.ts --user NAME:PASSWORD [--user ...] [options]

A registrar and call router for phones: users register with Digest
authentication (SHA-256 or MD5, as the phone prefers), a call to
sip:NAME@DOMAIN rings every phone NAME registered at once (the first to
answer is bridged, media relayed through us), and a MESSAGE to a user is
relayed to their phones. Phones may subscribe (RFC 6665) to a user's presence
(open while registered), calls (the dialog package: busy-lamp fields) and
message waiting (message-summary). Prints one line per registration, call and
message.

Options:
  --host HOST          address to bind and advertise (default 127.0.0.1)
  --port PORT          SIP port; 0 picks a free one (default 5060)
  --domain NAME        the domain users register in (default: --host)
  --realm NAME         the Digest realm (default: --domain)
  --user NAME:PW       a user and their password (repeatable); seen by other
                       users of this machine in the process list: prefer
  --users-file FILE    one NAME:PASSWORD per line (# comments allowed)
  --open               no authentication: anyone may register any name
                       (a lab on a trusted network only)
  --digest LIST        algorithms offered, in order of preference (default
                       SHA-256,MD5; also SHA-512-256). Phones built on libre
                       (baresip 1.x) give up when the first one offered is not
                       MD5: serve them with --digest MD5
  --min-expires SEC    shortest registration accepted, else 423 (default 60)
  --max-expires SEC    longest registration granted (default 3600)
  --ring-timeout SEC   how long phones ring before the caller gets 480 or
                       486 (default 25)
  --media-ports A-B    RTP port range for both legs (default 30000-39999)
  --mwi NAME:NEW/OLD   voice messages waiting for NAME (repeatable), told to the
                       phones that subscribe to its message-summary
  --quiet              print only the listening and stopping lines (load tests)
${SECURITY_HELP}
  --help               show this help

Prints a line containing "listening" once ready; SIGINT/SIGTERM stop gracefully.`;

const NAME = 'registrar';
const { values } = commandLine(NAME, HELP, {
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '5060' },
    domain: { type: 'string' },
    realm: { type: 'string' },
    user: { type: 'string', multiple: true, default: [] },
    'users-file': { type: 'string' },
    open: { type: 'boolean', default: false },
    digest: { type: 'string', default: 'SHA-256,MD5' },
    'min-expires': { type: 'string', default: '60' },
    'max-expires': { type: 'string', default: '3600' },
    'ring-timeout': { type: 'string', default: '25' },
    'media-ports': { type: 'string', default: '30000-39999' },
    mwi: { type: 'string', multiple: true, default: [] },
    quiet: { type: 'boolean', default: false },
    ...SECURITY_OPTIONS,
    help: { type: 'boolean', default: false },
  },
});

const accounts = namedAccounts(NAME, HELP, values.user ?? [], values['users-file']);
if (!values.open && Object.keys(accounts).length === 0) usageError(
  NAME, HELP, 'no users: give --user NAME:PASSWORD or --users-file (or --open for a lab)',
);
const host = values.host ?? '127.0.0.1';
const domain = values.domain ?? host;
const realm = values.realm ?? domain;
const [portMin, portMax] = (values['media-ports'] ?? '').split('-').map(Number);
const minExpiresSec = integerFlag(NAME, HELP, 'min-expires', values['min-expires'], 1);
const maxExpiresSec = integerFlag(NAME, HELP, 'max-expires', values['max-expires'], minExpiresSec);
const ringTimeoutSec = integerFlag(NAME, HELP, 'ring-timeout', values['ring-timeout'], 1);

const ALGORITHMS = ['SHA-512-256', 'SHA-256', 'MD5'] as const;
type Algorithm = typeof ALGORITHMS[number];
const algorithms = (values.digest ?? '').split(',').map((a) => a.trim().toUpperCase());
const known = (a: string): a is Algorithm => (ALGORITHMS as ReadonlyArray<string>).includes(a);
if (algorithms.length === 0 || !algorithms.every(known)) usageError(
  NAME, HELP, `--digest takes a list of ${ALGORITHMS.join(', ')}, not ${JSON.stringify(values.digest)}`,
);

const router = new ForkingRouter({ ringTimeoutMs: ringTimeoutSec * 1000 });
const builder = new SessionManagerBuilder();
const security = applySecurity(NAME, HELP, builder, values);
if (security.note !== undefined) console.log(security.note);
if (!values.open) builder.withAuthentication({
  realm, users: accounts, methods: ['REGISTER', 'INVITE', 'MESSAGE', 'SUBSCRIBE'],
  algorithms: algorithms.filter(known),
});
const coordinator = await builder
  .withLocalBindAddr(`${sipHost(host)}:${values.port}`)
  .withRegistrar({ domains: [domain], minExpiresSec, maxExpiresSec, defaultExpiresSec: maxExpiresSec })
  .withEventPackages(['message-summary', 'presence', 'dialog'])
  .withMediaPorts(portMin ?? 30000, portMax ?? 39999)
  .withMaxSessionsPerUser(100_000)
  // A caller waits as long as the phones ring, and a little more for the answer to travel.
  .withDeferTimeout((ringTimeoutSec + 5) * 1000)
  .withHandler(router)
  .withLogger(PinoLogger.create({ level: 'warn' }))
  .build()
  .catch((error: unknown) => usageError(NAME, HELP, (error as Error).message));
router.attach(coordinator);

// What phones send is theirs: printed as JSON strings, so no control character reaches the terminal.
const say = (text: string): void => console.log(text);
const q = (value: string): string => JSON.stringify(value);
if (values.quiet !== true) coordinator.events.subscribe((event) => {
  switch (event.type) {
    case 'RegistrationAdded': return say(`registered ${q(event.aor)} at ${q(event.contact)} for ${event.expiresSec} s`);
    case 'RegistrationRefreshed': return say(`refreshed ${q(event.aor)} at ${q(event.contact)}`);
    case 'RegistrationRemoved': return say(`unregistered ${q(event.aor)} at ${q(event.contact)}`);
    case 'RegistrationExpired': return say(`expired ${q(event.aor)} at ${q(event.contact)}`);
    case 'IncomingCall': return say(`call ${event.sessionId} from ${q(event.from)} to ${q(event.to)}`);
    case 'CallEstablished': return say(`answered ${event.sessionId}`);
    case 'CallEnded': return say(`ended ${event.sessionId}: ${event.reason}`);
    case 'MessageReceived': return say(`message from ${q(event.from)} to ${q(event.to)} (${event.body.length} chars)`);
    default: return undefined;
  }
});
const waiting = (values.mwi ?? []).map((flag) => {
  const m = /^([^:\s]+):(\d{1,6})\/(\d{1,6})$/.exec(flag);
  if (m === null) return usageError(NAME, HELP, `--mwi takes NAME:NEW/OLD, not ${JSON.stringify(flag)}`);
  return { name: m[1]!, fresh: Number(m[2]), old: Number(m[3]) };
});
for (const { name, fresh, old } of waiting) coordinator.publishState(`${name}@${domain}`, 'message-summary', {
  waiting: fresh > 0, account: `sip:${name}@${domain}`, voice: { new: fresh, old },
});
// Presence follows registration: open while a user has a phone bound, closed once the last one leaves.
coordinator.events.subscribe(async (event) => {
  if (!('aor' in event)) return;
  const bound = (await coordinator.lookup(event.aor)).length > 0;
  coordinator.publishState(event.aor, 'presence', { basic: bound ? 'open' : 'closed' });
}, { types: ['RegistrationAdded', 'RegistrationRemoved', 'RegistrationExpired'] });
await coordinator.start();
const where = security.transports.map((p) => `${p}:${coordinator.localEndpointFor(p)?.port}`).join(' ');
say(`registrar listening on ${host} (${where}) for domain ${domain}, `
  + `${values.open ? 'open (no authentication)' : `realm ${realm}, ${Object.keys(accounts).length} users`}`);

const stop = async (): Promise<void> => {
  say(`registrar stopping after ${router.bridged()} bridged calls`);
  await coordinator.stop();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
