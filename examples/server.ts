/**
 * A SIP endpoint that decides nothing itself: every incoming call rings (deferred) until a call engine in
 * another process answers, rejects or forwards it through the control API, and drives it from then on.
 *
 *   npx tsx examples/server.ts --port 5080 --http 127.0.0.1:8080
 */
import {
  CallDecision, PinoLogger, SessionManagerBuilder, type CallHandler, type SessionCoordinator,
} from '../adapters/composition/index.js';
import { commandLine, integerFlag, sipHost, usageError } from './support/command-line.js';
import { OPS_HELP, OPS_OPTIONS, prepareOps } from './support/ops-flags.js';
import { applySecurity, SECURITY_HELP, SECURITY_OPTIONS } from './support/security-flags.js';

const HELP = `Usage: npx tsx examples/server.ts [options]

Takes calls and leaves every decision to a remote call engine: an incoming call
rings until the engine answers (POST /calls/{id}/answer), rejects or forwards
it through the control API, or --defer-timeout passes (480). The engine follows
the calls on the /events WebSocket and places, bridges, transfers and hangs up
calls with the same API (its description: GET /openapi.json). The dashboard is
at the HTTP address's root.

Options:
  --host HOST          address to bind and advertise for SIP (default 127.0.0.1)
  --port PORT          SIP port; 0 picks a free one (default 5080)
  --media-ports A-B    RTP port range (default 20000-29999)
  --defer-timeout MS   how long a call rings waiting for the engine (default 30000)
  --max-sessions N     concurrent calls before 503 (default 10000)
  --quiet              do not log each call
${SECURITY_HELP}
${OPS_HELP}
                       (server.ts: --http defaults to 127.0.0.1:8080)
  --help               show this help

Prints a line containing "listening" with the bound addresses once ready;
stops gracefully (BYE/CANCEL live calls) on SIGINT or SIGTERM.`;

const NAME = 'server';
const { values } = commandLine(NAME, HELP, {
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '5080' },
    ...SECURITY_OPTIONS,
    ...OPS_OPTIONS,
    http: { type: 'string', default: '127.0.0.1:8080' },
    'media-ports': { type: 'string', default: '20000-29999' },
    'defer-timeout': { type: 'string', default: '30000' },
    'max-sessions': { type: 'string', default: '10000' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const main = async (): Promise<void> => {
  const deferTimeoutMs = integerFlag(NAME, HELP, 'defer-timeout', values['defer-timeout'], 1);
  const maxSessions = integerFlag(NAME, HELP, 'max-sessions', values['max-sessions'], 1);
  const ports = /^(\d+)-(\d+)$/.exec(values['media-ports']);
  if (ports === null) return usageError(NAME, HELP, `--media-ports: expected A-B, got ${values['media-ports']}`);
  const log = (line: string): void => {
    if (!values.quiet) console.log(`${new Date().toISOString()} ${line}`);
  };
  // Everything waits for the engine; the log says what it was handed.
  const handler: CallHandler = {
    onIncomingCall: (call) => {
      log(`incoming ${call.id} from ${call.from} to ${call.to}: waiting for the engine`);
      return CallDecision.defer();
    },
    onCallEnded: (call, reason) => log(`ended ${call.id}: ${reason}`),
  };
  const builder = new SessionManagerBuilder();
  prepareOps(NAME, HELP, values, builder);
  let coordinator: SessionCoordinator;
  try {
    const security = applySecurity(NAME, HELP, builder, values, []);
    if (security.note !== undefined) console.log(security.note);
    coordinator = await builder
      .withLocalBindAddr(`${sipHost(values.host)}:${values.port}`)
      .withMediaPorts(Number(ports[1]), Number(ports[2]))
      .withMaxSessions(maxSessions)
      .withMaxSessionsPerUser(maxSessions)
      .withDeferTimeout(deferTimeoutMs)
      .withHandler(handler)
      .withLogger(PinoLogger.create({ level: 'warn' }))
      .build();
  } catch (error) {
    return usageError(NAME, HELP, (error as Error).message);
  }
  await coordinator.start();
  console.log(`server listening on ${sipHost(values.host)}:${coordinator.localEndpoint?.port}`);
  const stop = async (): Promise<void> => {
    console.log('server stopping');
    await coordinator.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
};

void main();
