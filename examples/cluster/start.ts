/**
 * A whole cluster on loopback in one command: Redis, N workers, Kamailio's dispatcher in front.
 *
 *   npm run cluster                      (two workers)
 *   npx tsx examples/cluster/start.ts --workers 3
 */
import { commandLine, integerFlag } from '../support/command-line.js';
import { startCluster } from './processes.js';

const HELP = `Usage: npx tsx examples/cluster/start.ts [options]

Starts redis-server, N workers (examples/cluster/worker.ts, auto-answer with a 440 Hz tone,
calls kept in Redis) and Kamailio with its dispatcher in front of them, each on a free
loopback port, prints where to send calls, and stops them all on SIGINT or SIGTERM.
Needs the Debian packages redis-server and kamailio.

Options:
  --workers N     how many workers (default 2)
  --no-media      workers answer with SDP but send no RTP (signaling load tests)
  --help          show this help`;

const { values } = commandLine('cluster', HELP, {
  options: {
    workers: { type: 'string', default: '2' },
    'no-media': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const main = async (): Promise<void> => {
  const count = integerFlag('cluster', HELP, 'workers', values.workers, 1);
  const cluster = await startCluster(count, values['no-media'] ? ['--no-media', '--quiet'] : ['--quiet']);
  console.log(`redis on 127.0.0.1:${cluster.redis.port}`);
  for (const worker of cluster.workers) console.log(`${worker.name} on 127.0.0.1:${worker.port}`);
  console.log(`cluster listening: send calls to sip:anyone@127.0.0.1:${cluster.kamailio.port} (Kamailio, udp)`);
  console.log(`  e.g. sipp -sf examples/cluster/uac.xml -r 10 -d 10000 127.0.0.1:${cluster.kamailio.port}`);
  console.log('kill a worker (kill -9) mid-call: its calls carry on at the others; Ctrl-C stops everything');
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
};

main().catch((error: unknown) => {
  console.error(`cluster: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
