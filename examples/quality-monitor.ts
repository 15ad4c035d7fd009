/**
 * Two coordinators in one process call each other on loopback and print the
 * MediaQuality events of the call once a second.
 *
 *   npx tsx examples/quality-monitor.ts --seconds 5
 */
import { AutoAnswerHandler, SessionManagerBuilder } from '../adapters/composition/index.js';
import { commandLine, integerFlag } from './support/command-line.js';

const HELP = `Usage: npx tsx examples/quality-monitor.ts [options]

Places a loopback call between two coordinators in this process and prints its
MediaQuality events (MOS, loss, jitter, RTT) once a second.

Options:
  --seconds N          how long the call lasts (default 5)
  --help               show this help`;

const { values } = commandLine('quality-monitor', HELP, {
  options: { seconds: { type: 'string', default: '5' }, help: { type: 'boolean', default: false } },
});
const seconds = integerFlag('quality-monitor', HELP, 'seconds', values.seconds, 1);
const a = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMediaPorts(36000, 36999).build();
const b = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMediaPorts(37000, 37999)
  .withHandler(new AutoAnswerHandler()).build();
await a.start();
await b.start();
const call = await a.createOutgoingCall(
  `sip:a@127.0.0.1:${a.localEndpoint?.port}`, `sip:b@127.0.0.1:${b.localEndpoint?.port}`,
);
await a.waitForAnswer(call.id, 5_000);
a.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [800] });
b.startAudioTransmission(b.listActiveSessions()[0]!, { kind: 'tone', frequenciesHz: [400] });
a.events.subscribe((e) => {
  if (e.type === 'MediaQuality') console.log(
    `quality: MOS ${e.mos?.toFixed(2) ?? 'n/a'}, loss ${e.lossPercent.toFixed(2)} %, `
    + `jitter ${e.jitterMs.toFixed(2)} ms, RTT ${e.rttMs?.toFixed(2) ?? 'n/a'} ms`,
  );
}, { sessionId: call.id, types: ['MediaQuality'] });
a.startStatisticsMonitoring(call.id, 1_000);
await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
await a.terminateSession(call.id);
await a.stop();
await b.stop();
