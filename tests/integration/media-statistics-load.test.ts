/**
 * Statistics that mean what their names say, on a loaded process: 200
 * concurrent two-way calls from this process to examples/auto-answer.ts in
 * another. A busy event loop fires its overdue 20 ms ticks at once while the
 * far end keeps sending on time; that used to leave playout just ahead of the
 * stream with nothing buffered, so nearly every later packet counted as late
 * (and was dropped) while jitter read under a millisecond.
 */
import test from 'ava';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import type { MediaStatistics } from '../../application/media/media-session.js';
import { startExample } from '../support/example-process.js';
import { waitFor } from '../support/wait.js';

const CALLS = 200;

/** What a loaded machine does to a process (a GC pause, a busy neighbour): its event loop stops for a while. */
const stall = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

test(`media statistics with ${CALLS} concurrent two-way calls to another process, this one stalling twice for 300 ms: received, lost, late and concealed agree on every call`, async (t) => {
  const server = await startExample(
    'auto-answer', ['--port', '0', '--quiet', '--media-ports', '24000-25999'], /listening on 127\.0\.0\.1:(\d+)/,
    60_000,
  );
  t.teardown(() => server.child.kill('SIGKILL'));
  const port = /listening on 127\.0\.0\.1:(\d+)/.exec(server.output())![1]!;
  const caller = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMediaPorts(26000, 27999)
    .withMaxSessionsPerUser(CALLS).withHandler({ onIncomingCall: () => CallDecision.reject(486) }).build();
  t.teardown(() => caller.stop());
  await caller.start();
  const ids: string[] = [];
  for (let batch = 0; batch < CALLS / 20; batch++) {
    const calls = await Promise.all(
      Array.from({ length: 20 }, () => caller.createOutgoingCall('sip:alice@127.0.0.1', `sip:bob@127.0.0.1:${port}`)),
    );
    await Promise.all(calls.map((call) => caller.waitForAnswer(call.id, 60_000)));
    ids.push(...calls.map((call) => call.id));
  }
  for (const id of ids) caller.startAudioTransmission(id, { kind: 'tone', frequenciesHz: [1000] });
  const received = (n: number) => () => ids.every((id) => caller.getMediaStatistics(id).packetsReceived >= n);
  await waitFor(received(50), 120_000, '50 packets on every call');
  stall(300);
  await waitFor(received(100), 120_000, '100 packets on every call');
  stall(300);
  // Five seconds' worth of packets on every call, however long a loaded machine takes to carry them.
  await waitFor(received(250), 120_000, '250 packets on every call');
  const check = (who: string, s: MediaStatistics): void => {
    t.true(
      s.packetsLost >= 0 && s.packetsLost <= s.packetsExpected, `${who}: lost ${s.packetsLost} of ${s.packetsExpected}`,
    );
    t.true(s.late <= s.packetsReceived, `${who}: late ${s.late} of ${s.packetsReceived} received`);
    t.true(s.concealed <= s.packetsExpected, `${who}: concealed ${s.concealed}`);
    // A stall makes some packets late once; playout then follows the stream again, so late stays a minority —
    // unless arrivals really were irregular (a machine loaded by other work), which the jitter then shows. Most
    // packets late while jitter reads near zero is the contradiction this guards against (the bug made four in
    // five late). A loaded CI machine stalls this process too, for a second or more at a time: a quarter of a
    // call's packets late with the jitter settled again by the end has been seen then, and is not the bug.
    const manyLate = s.late > Math.max(20, s.packetsReceived / 2);
    if (manyLate && s.jitterMs < 5) contradictions.push(
      `${who}: late ${s.late} of ${s.packetsReceived} received, jitter ${s.jitterMs.toFixed(2)} ms`,
    );
  };
  const contradictions: string[] = [];
  for (const id of ids) check(id, caller.getMediaStatistics(id));
  // The bug this guards against left playout ahead of the stream on nearly every call; on a CI machine whose
  // two cores also run another test's SIPp load, calls caught at a bad moment do the same for a while, so up
  // to a quarter are tolerated (the aggregate below still bounds late packets).
  t.true(contradictions.length <= CALLS / 4,
    `${contradictions.length} calls late with low jitter, e.g.\n${contradictions.slice(0, 5).join('\n')}`);
  const late = ids.reduce((n, id) => n + caller.getMediaStatistics(id).late, 0);
  const total = ids.reduce((n, id) => n + caller.getMediaStatistics(id).packetsReceived, 0);
  t.log(`${CALLS} calls: ${total} packets received, ${late} late`);
  // Over all calls, most packets play: playout that stayed ahead of the stream after the first stall made some
  // four in five late. A machine loaded by other work makes more late than an idle one (a fifth has been seen
  // under `npm run test:stress` with other work beside it), but not most.
  t.true(late < total / 2, `${late} of ${total} packets late`);
  await Promise.all(ids.map((id) => caller.terminateSession(id)));
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0);
});
