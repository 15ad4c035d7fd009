/**
 * Limits that do not surprise: a call refused by a limit is counted by the
 * limit that fired and logged naming it — a load test sending every call
 * from one user sees why some calls got 503.
 */
import test from 'ava';
import { InMemoryLogger } from '../../adapters/memory/in-memory-logger.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import { simPeers, stopAndExpectReleased } from '../support/coordinator-harness.js';

test('admission: the per-user cap answers 503 to the caller beyond it, counts it and logs the limit (rate-limited)', async (t) => {
  const logger = new InMemoryLogger();
  const sim = await simPeers(701, [{ onIncomingCall: () => CallDecision.reject(486) }, { onIncomingCall: () => CallDecision.accept() }],
    {}, (b, i) => (i === 1 ? b.withMaxSessionsPerUser(2).withLogger(logger) : b.withMaxSessionsPerUser(10)));
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const calls = await Promise.all(Array.from({ length: 5 }, () => a.coordinator.createOutgoingCall(a.uri, b.uri)));
  const outcomes = calls.map((call) => a.coordinator.waitForAnswer(call.id, 10_000).then(() => 200, (e: { status?: number }) => e.status));
  await sim.clock.advanceBy(3_000);
  t.deepEqual((await Promise.all(outcomes)).sort(), [200, 200, 503, 503, 503]);
  t.deepEqual(b.coordinator.getStats().refused, { stopped: 0, draining: 0, maxSessions: 0, maxSessionsPerUser: 3 });
  const refusals = logger.lines.filter((l) => l.message === 'call refused: limit reached');
  t.is(refusals.length, 1, 'logged once in the interval, not per call');
  t.like(refusals[0], { level: 'warn', fields: { limit: 'maxSessionsPerUser' } });
  t.regex(String(refusals[0]!.fields['detail']), /per-user limit reached for user1 \(maxSessionsPerUser 2\)/);
  for (const call of calls) await a.coordinator.terminateSession(call.id).catch(() => undefined);
  await sim.clock.advanceBy(2_000);
  await stopAndExpectReleased(t, sim);
});
