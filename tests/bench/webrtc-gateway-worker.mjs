// The gateway of `npm run bench -- webrtc` (see webrtc-gateway.bench.ts), in its own process so its CPU is
// its own: a B2BUA that bridges each incoming call (WebRTC, or plain RTP for the comparison) to a plain RTP
// far end, media decoded and re-encoded between the legs. Prints {port} when ready; on a line
// "measure SECONDS" measures its CPU over that long and prints it. Runs the compiled package (dist).
import { createInterface } from 'node:readline';
import { B2bua, SessionManagerBuilder } from '../../dist/adapters/composition/index.js';

const [farEnd, mediaPorts] = process.argv.slice(2);
const [portMin, portMax] = mediaPorts.split('-').map(Number);
const b2bua = new B2bua(() => farEnd);
const coordinator = await new SessionManagerBuilder()
  .withLocalBindAddr('127.0.0.1:0').withWebRtc({ connectTimeoutMs: 60_000 }).withMediaPorts(portMin, portMax)
  .withMaxSessions(100_000).withMaxSessionsPerUser(100_000).withHandler(b2bua).build();
b2bua.attach(coordinator);
await coordinator.start();
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
process.stdout.write(`${JSON.stringify({ port: coordinator.localEndpoint.port })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const [command, value] = line.split(' ');
  if (command === 'measure') {
    const startCpu = cpu();
    const start = performance.now();
    await new Promise((resolve) => setTimeout(resolve, Number(value) * 1000));
    const calls = coordinator.listActiveSessions().length / 2;
    process.stdout.write(`${JSON.stringify({ cpuMicros: cpu() - startCpu, wallMicros: (performance.now() - start) * 1000,
      calls, bridged: b2bua.bridged() })}\n`);
  } else if (command === 'stop') {
    await coordinator.stop();
    process.exit(0);
  }
}
