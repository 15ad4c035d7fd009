import test from 'ava';
import { SimulatedSipTransport } from '../../adapters/sim/simulated-sip-transport.js';
import { TransactionLayer } from '../../application/transaction-layer.js';
import { AutoAnswerHandler } from '../../application/session/call-handler.js';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import { formatUri } from '../../domain/sip/format-uri.js';
import { headerValue, headerValues } from '../../domain/sip/message.js';
import { unwrap } from '../support/either.js';
import { simPeers, stopAll } from '../support/coordinator-harness.js';
import { RecordingUser } from '../support/transaction-harness.js';

for (const spelling of ['sip:10.0.0.5', '<sip:10.0.0.5;lr>']) test(`withOutboundProxy(${spelling}): calls and registrations go to the proxy with a preloaded loose Route, the Request-URI untouched (§8.1.2)`, async (t) => {
  const sim = await simPeers(121, [new AutoAnswerHandler()], {}, (b) => b.withOutboundProxy(spelling));
  const [a] = sim.peers as [typeof sim.peers[0]];
  // The "proxy": answers REGISTER 200 and turns calls away with 480, so only what reached it is checked.
  const transport = unwrap(
    SimulatedSipTransport.listen(sim.network, { host: '10.0.0.5', port: 5060, protocols: ['udp'] }),
  );
  const proxy = new RecordingUser(sim.clock);
  const layer = new TransactionLayer(transport, sim.clock, proxy);
  proxy.answer = (request, tx) => void tx.respond(
    buildResponse(request, request.method === 'REGISTER' ? 200 : 480, { toTag: 'p' }),
  );
  const call = await a.coordinator.createOutgoingCall(a.uri, 'sip:bob@10.0.0.2:5060');
  const answer = a.coordinator.waitForAnswer(call.id, 10_000).then(
    () => undefined, (e: unknown) => e as Record<string, unknown>,
  );
  const registered = a.coordinator.register('sip:10.0.0.9', { aor: 'sip:alice@10.0.0.9' });
  await sim.clock.advanceBy(2_000);
  t.like(await answer, { kind: 'Rejected', status: 480 });
  t.like(await registered, { state: 'Registered' });
  const [invite, register] = ['INVITE', 'REGISTER'].map(
    (m) => proxy.requests.find((r) => r.request.method === m)?.request,
  );
  t.is(formatUri(invite!.uri), 'sip:bob@10.0.0.2:5060');
  t.deepEqual(headerValues(invite!, 'Route'), ['<sip:10.0.0.5;lr>']);
  t.is(formatUri(register!.uri), 'sip:10.0.0.9');
  t.is(headerValue(register!, 'Route'), '<sip:10.0.0.5;lr>');
  await stopAll(sim);
  layer.close();
  await transport.close();
  await sim.clock.advanceBy(40_000);
  t.is(sim.clock.pendingTimers(), 0);
});

test('withOutboundProxy: a proxy that is not a SIP URI is InvalidConfig', async (t) => {
  const bad = await new SessionManagerBuilder().withOutboundProxy('http://proxy').build().then(
    () => undefined, (e: unknown) => e as Record<string, unknown>,
  );
  t.like(bad, { kind: 'InvalidConfig', field: 'outboundProxy' });
});
