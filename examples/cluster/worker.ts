/**
 * One worker of a cluster behind Kamailio's dispatcher: it answers calls, keeps each answered call in Redis,
 * carries on the calls of a dead worker when their requests reach it, and drains on SIGTERM.
 *
 *   npx tsx examples/cluster/worker.ts --port 5081 --redis redis://127.0.0.1:6379
 */
import {
  B2bua, CallDecision, ForkingRouter, PinoLogger, SessionManagerBuilder, type AudioSource, type CallHandler,
  type SessionCoordinator,
} from '../../adapters/composition/index.js';
import { commandLine, integerFlag, sipHost, usageError } from '../support/command-line.js';

const HELP = `Usage: npx tsx examples/cluster/worker.ts [options]

A cluster worker: answers every call with a 440 Hz tone (role auto-answer), bridges every
call to --target (role b2bua), or serves phones (role registrar: their registrations kept
in Redis, so any worker reaches them; a call to a registered user rings its phones and is
bridged); keeps each answered call in the dialog store, and carries on a dead worker's
calls — both legs of a bridged call together (a re-INVITE moves their audio here).

Options:
  --host HOST            address to bind and advertise (default 127.0.0.1)
  --port PORT            SIP port; 0 picks a free one (default 5081)
  --role ROLE            auto-answer (default), b2bua or registrar
  --target URI           b2bua: where every call is bridged to
  --domain DOMAIN        registrar: the domain served (default: --host)
  --user NAME:PASSWORD   registrar: a user, Digest-authenticated (repeat; none: open registrar)
  --digest LIST          registrar: Digest algorithms offered, in order (default SHA-256,MD5;
                         MD5 alone for baresip 1.x)
  --redis URL            the dialog store (and the registrar's bindings), redis://host:port
                         (without it: no recovery, bindings in memory)
  --worker-id ID         this worker's name in the store (default: made at start)
  --media-ports A-B      RTP port range (default 20000-29999)
  --no-media             SDP only, no RTP (signaling load tests)
  --max-sessions N       concurrent calls before 503 (default 10000)
  --drain-deadline S     on SIGTERM: stop taking calls (INVITE and OPTIONS get 503),
                         wait up to S seconds for the calls to end, then BYE the rest
                         and exit 0 (default 30)
  --quiet                do not log each call
  --help                 show this help

Prints a line containing "listening" once ready. SIGINT stops at once (BYE to every call).`;

const NAME = 'cluster-worker';
const { values } = commandLine(NAME, HELP, {
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '5081' },
    role: { type: 'string', default: 'auto-answer' },
    domain: { type: 'string' },
    target: { type: 'string' },
    user: { type: 'string', multiple: true, default: [] },
    digest: { type: 'string', default: 'SHA-256,MD5' },
    redis: { type: 'string' },
    'worker-id': { type: 'string' },
    'media-ports': { type: 'string', default: '20000-29999' },
    'no-media': { type: 'boolean', default: false },
    'max-sessions': { type: 'string', default: '10000' },
    'drain-deadline': { type: 'string', default: '30' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const fail = (message: string): never => usageError(NAME, HELP, message);

const ALGORITHMS = ['SHA-512-256', 'SHA-256', 'MD5'] as const;
const isAlgorithm = (a: string): a is typeof ALGORITHMS[number] => (ALGORITHMS as ReadonlyArray<string>).includes(a);

const log = (line: string): void => {
  if (!values.quiet) console.log(`${new Date().toISOString()} ${line}`);
};

/** Waits until no call is left or the deadline passes (checked each 100 ms: the calls end on their own). */
const drained = async (coordinator: SessionCoordinator, deadlineMs: number): Promise<void> => {
  const until = Date.now() + deadlineMs;
  while (coordinator.listActiveSessions().length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

const main = async (): Promise<void> => {
  const registrar = values.role === 'registrar';
  const target = values.target;
  if (!['auto-answer', 'b2bua', 'registrar'].includes(values.role)) fail(`--role ${values.role}: no such role`);
  if (values.role === 'b2bua' && target === undefined) fail('--role b2bua needs --target URI');
  const b2bua = values.role === 'b2bua' ? new B2bua(() => target!) : undefined;
  const users: Record<string, string> = {};
  for (const pair of values.user ?? []) {
    const colon = pair.indexOf(':');
    if (colon <= 0) fail(`--user ${JSON.stringify(pair)}: expected NAME:PASSWORD`);
    users[pair.slice(0, colon)] = pair.slice(colon + 1);
  }
  const router = new ForkingRouter({ ringTimeoutMs: 25_000 });
  const withMedia = !values['no-media'];
  const maxSessions = integerFlag(NAME, HELP, 'max-sessions', values['max-sessions'], 1);
  const drainDeadlineMs = integerFlag(NAME, HELP, 'drain-deadline', values['drain-deadline']) * 1000;
  const [portMin, portMax] = values['media-ports'].split('-').map(Number);
  const tone: AudioSource = { kind: 'tone', frequenciesHz: [440], amplitude: 6000 };
  const handler: CallHandler = {
    onIncomingCall: (call) => {
      log(`incoming ${call.id} from ${call.from}`);
      return CallDecision.accept();
    },
    // Answered here, or recovered from a dead worker: either way the caller hears our tone.
    onCallEstablished: (call, _local, _remote, handle) => {
      log(`answered ${call.id}`);
      if (!withMedia) return;
      try {
        handle.play(tone);
      } catch {
        // Already gone.
      }
    },
    onCallEnded: (call, reason) => log(`ended ${call.id}: ${reason}`),
  };
  let coordinator: SessionCoordinator;
  try {
    const builder = new SessionManagerBuilder()
      .withLocalBindAddr(`${sipHost(values.host)}:${values.port}`)
      .withMediaPorts(portMin ?? 20000, portMax ?? 29999)
      .withMedia(withMedia ? true : 'sdp-only')
      .withMaxSessions(maxSessions)
      .withMaxSessionsPerUser(maxSessions)
      .withHandler(registrar ? router : b2bua ?? handler)
      .withLogger(PinoLogger.create({ level: 'warn' }));
    if (registrar) {
      const domain = values.domain ?? values.host;
      builder.withRegistrar({ domains: [domain] }).withDeferTimeout(30_000);
      const algorithms = values.digest.split(',').map((a) => a.trim().toUpperCase());
      if (!algorithms.every(isAlgorithm)) fail(`--digest takes ${ALGORITHMS.join(', ')}, not ${values.digest}`);
      if (Object.keys(users).length > 0) {
        builder.withAuthentication({ realm: domain, users, algorithms: algorithms.filter(isAlgorithm) });
      }
      if (values.redis !== undefined) builder.withLocationStore(values.redis);
    }
    const workerId = values['worker-id'];
    if (values.redis !== undefined) {
      builder.withDialogStore(values.redis, workerId === undefined ? {} : { workerId });
    }
    coordinator = await builder.build();
  } catch (error) {
    return fail((error as Error).message);
  }
  if (registrar) router.attach(coordinator);
  b2bua?.attach(coordinator);
  await coordinator.start();
  coordinator.events.subscribe((event) => {
    if (event.type === 'CallRecovered') log(`recovered ${event.sessionId} (call ${event.callId}) from ${event.owner}`);
    // What phones send is theirs: quoted as JSON, so no control character reaches the terminal.
    if (event.type === 'RegistrationAdded') {
      log(`registered ${JSON.stringify(event.aor)} at ${JSON.stringify(event.contact)}`);
    }
  }, { types: ['CallRecovered', 'RegistrationAdded'] });
  console.log(`worker ${values['worker-id'] ?? ''} listening on ${sipHost(values.host)}:`
    + `${coordinator.localEndpoint?.port} (udp), store ${values.redis ?? 'none'}`);
  let stopping = false;
  const stop = async (drainFirst: boolean): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (drainFirst) {
      coordinator.drain();
      console.log(`draining: ${coordinator.listActiveSessions().length} calls in progress`);
      await drained(coordinator, drainDeadlineMs);
    }
    await coordinator.stop();
    console.log(`stopped: ${JSON.stringify(coordinator.clusterStats() ?? {})}`);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop(true));
  process.on('SIGINT', () => void stop(false));
};

void main();
