/**
 * A call queue with the deferred decision pattern: incoming calls are parked
 * (Defer keeps them ringing), and a worker answers the oldest one every second.
 *
 *   npx tsx examples/deferred-queue.ts --port 5090
 */
import {
  CallDecision, SessionManagerBuilder, type CallHandler, type SessionCoordinator,
} from '../adapters/composition/index.js';
import { commandLine } from './support/command-line.js';

const HELP = `Usage: npx tsx examples/deferred-queue.ts [options]

Queues incoming calls (each keeps ringing: CallDecision.defer) and answers the
oldest one every second; Ctrl-C stops.

Options:
  --port PORT          SIP port on 127.0.0.1; 0 picks a free one (default 5090)
  --help               show this help`;

const { values } = commandLine('deferred-queue', HELP, {
  options: { port: { type: 'string', default: '5090' }, help: { type: 'boolean', default: false } },
});
const queue: string[] = [];
const handler: CallHandler = {
  onIncomingCall: (call) => {
    queue.push(call.id);
    console.log(`queued ${call.id} (${queue.length} waiting)`);
    return CallDecision.defer();
  },
  onCallEnded: (call, reason) => console.log(`ended ${call.id}: ${reason}`),
};
const coordinator: SessionCoordinator = await new SessionManagerBuilder()
  .withLocalBindAddr(`127.0.0.1:${values.port}`).withDeferTimeout(60_000).withHandler(handler).build();
await coordinator.start();
console.log(`deferred-queue listening on 127.0.0.1:${coordinator.localEndpoint?.port}`);
const worker = setInterval(() => {
  const next = queue.shift();
  if (next !== undefined) coordinator.acceptIncomingCall(next).then(
    () => console.log(`answered ${next}`), (e: { message: string }) => console.log(`${next}: ${e.message}`),
  );
}, 1_000);
process.once('SIGINT', () => {
  clearInterval(worker);
  void coordinator.stop().then(() => process.exit(0));
});
