/**
 * One worker of a cluster behind Kamailio's dispatcher: it answers calls, keeps each answered call in Redis,
 * carries on the calls of a dead worker when their requests reach it, and drains on SIGTERM.
 *
 *   npx tsx examples/cluster/worker.ts --port 5081 --redis redis://127.0.0.1:6379
 */
import {
  CallDecision, PinoLogger, SessionManagerBuilder, type AudioSource, type CallHandler, type SessionCoordinator,
} from '../../adapters/composition/index.js';
import { commandLine, integerFlag, sipHost, usageError } from '../support/command-line.js';

const HELP = `Usage: npx tsx examples/cluster/worker.ts [options]

A cluster worker: answers every call with a 440 Hz tone (role auto-answer), keeps each
answered call in the dialog store, and carries on a dead worker's calls when their
in-dialog requests reach it (a re-INVITE moves their audio here).

Options:
  --host HOST            address to bind and advertise (default 127.0.0.1)
  --port PORT            SIP port; 0 picks a free one (default 5081)
  --role ROLE            auto-answer (default; the only role so far)
  --redis URL            the dialog store, redis://host:port (without it: no recovery)
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
  if (values.role !== 'auto-answer') fail(`--role ${values.role}: only auto-answer is available`);
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
      .withHandler(handler)
      .withLogger(PinoLogger.create({ level: 'warn' }));
    const workerId = values['worker-id'];
    if (values.redis !== undefined) {
      builder.withDialogStore(values.redis, workerId === undefined ? {} : { workerId });
    }
    coordinator = await builder.build();
  } catch (error) {
    return fail((error as Error).message);
  }
  await coordinator.start();
  coordinator.events.subscribe((event) => {
    if (event.type === 'CallRecovered') log(`recovered ${event.sessionId} (call ${event.callId}) from ${event.owner}`);
  }, { types: ['CallRecovered'] });
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
