import test from 'ava';
import { SessionMetrics } from '../../../adapters/http/session-metrics.js';
import { CallDecision } from '../../../domain/session/call-decision.js';
import { simPeers, stopAll } from '../../support/coordinator-harness.js';
import { parseExposition } from '../../support/prometheus-text.js';

test('metrics on the simulated network: an answered, a rejected and a cancelled call, each counted once, in valid exposition', async (t) => {
  const metrics = new SessionMetrics({ processMetrics: false });
  const sim = await simPeers(91, [{ onIncomingCall: () => CallDecision.accept() }, {
    onIncomingCall: (call) => (call.to.includes('busy') ? CallDecision.reject(486)
      : call.to.includes('ring') ? CallDecision.defer() : CallDecision.accept()),
  }], {}, (b, i) => (i === 0 ? b.withSipTrace(metrics.sipTrace) : b));
  const [a] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  metrics.attach(a.coordinator);
  const answered = await a.coordinator.createOutgoingCall(a.uri, 'sip:ok@10.0.0.2:5060');
  await a.coordinator.createOutgoingCall(a.uri, 'sip:busy@10.0.0.2:5060');
  const ringing = await a.coordinator.createOutgoingCall(a.uri, 'sip:ring@10.0.0.2:5060');
  a.coordinator.startAudioTransmission(answered.id, { kind: 'tone', frequenciesHz: [440] });
  await sim.clock.advanceBy(2_000);
  await a.coordinator.terminateSession(ringing.id);
  await a.coordinator.terminateSession(answered.id);
  await sim.clock.advanceBy(2_000);
  const e = parseExposition(await metrics.text());
  t.is(e.sum('sessioncore_calls_total'), 3);
  t.is(e.sum('sessioncore_calls_total', { direction: 'outgoing', outcome: 'answered', status_class: '2xx' }), 1);
  t.is(e.sum('sessioncore_calls_total', { outcome: 'rejected', status_class: '4xx' }), 1);
  t.is(e.sum('sessioncore_calls_total', { outcome: 'cancelled' }), 1);
  t.is(e.sum('sessioncore_call_setup_seconds_count'), 1);
  t.is(e.sum('sessioncore_sip_messages_total', { direction: 'out', method: 'INVITE' }), 3);
  t.is(e.sum('sessioncore_sip_messages_total', { direction: 'in', status_class: '4xx' }) >= 2, true, '486 and 487');
  t.true(e.sum('sessioncore_rtp_packets_total', { direction: 'sent' }) >= 50);
  t.is(e.sum('sessioncore_call_mos_count'), 1, 'the answered call (the callee sends silence) has a MOS');
  t.is(e.sum('sessioncore_call_loss_ratio_count'), 1);
  t.is(e.types.get('sessioncore_call_setup_seconds'), 'histogram');
  // The same counters without Prometheus, for an exporter of one's own.
  const own = a.coordinator.metrics();
  t.like(own, { running: true, sessions: { active: 0, total: 3 }, resources: { sessions: 0, dialogs: 0 } });
  t.is(own.transport.sent, e.sum('sessioncore_transport_messages', { counter: 'sent' }));
  t.true(own.eventsPublished > 3);
  await stopAll(sim);
});

test('the exposition reader refuses what Prometheus would: a counter without _total, non-cumulative buckets, a sample before its TYPE', (t) => {
  t.throws(() => parseExposition('# TYPE x counter\nx 1\n'), { message: /_total/ });
  t.throws(() => parseExposition('# TYPE h histogram\nh_bucket{le="1"} 5\nh_bucket{le="+Inf"} 3\nh_count 3\n'),
    { message: /cumulative/ });
  t.throws(() => parseExposition('y 1\n'), { message: /before its TYPE/ });
  t.throws(() => parseExposition('# TYPE g gauge\ng{a="1"} 1\ng{a="1"} 2\n'), { message: /duplicate/ });
  t.notThrows(() => parseExposition('# HELP g a gauge\n# TYPE g gauge\ng{a="x\\"y"} Nan\n'));
});
