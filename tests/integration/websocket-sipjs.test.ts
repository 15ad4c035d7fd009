/**
 * SIP over WebSocket with SIP.js, the library browsers use, running in Node: registration, MESSAGE and
 * calls through a coordinator serving phones (registrar + forking router) on WS beside UDP; a client whose
 * connection drops mid-call has its call ended and its bindings forgotten.
 */
import test, { type ExecutionContext } from 'ava';
import { SessionState } from 'sip.js';
import { ForkingRouter, SessionManagerBuilder } from '../../adapters/composition/index.js';
import type { SessionCoordinator } from '../../application/session/session-coordinator.js';
import type { SessionEvent } from '../../domain/session/session-event.js';
import { CONNECTION_LOST } from '../../application/session/flow-watch.js';
import { sipJsClient } from '../support/sipjs.js';
import { waitFor, waitForAsync } from '../support/wait.js';

interface Server {
  readonly coordinator: SessionCoordinator;
  readonly router: ForkingRouter;
  readonly events: SessionEvent[];
  readonly url: string;
}

const server = async (t: ExecutionContext, transports: ReadonlyArray<string> = ['udp', 'ws']): Promise<Server> => {
  const router = new ForkingRouter({ ringTimeoutMs: 10_000 });
  const coordinator = await new SessionManagerBuilder()
    .withLocalBindAddr('127.0.0.1:0')
    .withTransports(transports)
    .withWebSocket({ path: '/sip' })
    .withRegistrar({ domains: ['example.test'] })
    // Real media: the router bridges the two legs' RTP (SIP.js's fixed SDP points at the discard port).
    .withMediaPorts(44600, 44799)
    .withHandler(router)
    .build();
  router.attach(coordinator);
  t.teardown(() => coordinator.stop());
  await coordinator.start();
  const events: SessionEvent[] = [];
  coordinator.events.subscribe((e) => events.push(e));
  const port = coordinator.localEndpointFor('ws')!.port;
  return { coordinator, router, events, url: `ws://127.0.0.1:${port}/sip` };
};

test('SIP.js over WebSocket: registers with its .invalid contact, exchanges MESSAGEs through its flow', async (t) => {
  const s = await server(t);
  const alice = await sipJsClient(t, s.url, 'alice', 'example.test');
  const bob = await sipJsClient(t, s.url, 'bob', 'example.test');
  await alice.register();
  await bob.register();
  const [binding] = await s.coordinator.lookup('sip:alice@example.test');
  t.regex(binding!.uri, /@[a-z0-9]+\.invalid;transport=ws/i, 'the contact names a flow');
  t.is(binding!.source.protocol, 'ws');
  const sent = alice.ua.userAgentCore;
  t.truthy(sent);
  const { Messager } = await import('sip.js');
  await new Messager(alice.ua, bob.ua.configuration.uri, 'hello over a websocket').message();
  await waitFor(() => bob.messages.length === 1, 20_000, 'bob got the MESSAGE');
  t.is(bob.messages[0], 'hello over a websocket');
  await alice.registerer.unregister();
  await waitForAsync(async () => (await s.coordinator.lookup('sip:alice@example.test')).length === 0);
});

test('SIP.js over WebSocket: a call between two browsers\' users; one tab closing ends both legs cleanly', async (t) => {
  const s = await server(t);
  const alice = await sipJsClient(t, s.url, 'alice', 'example.test');
  const bob = await sipJsClient(t, s.url, 'bob', 'example.test');
  await alice.register();
  await bob.register();
  const session = await alice.call('sip:bob@example.test');
  t.is(session.state, SessionState.Established, 'bob answered over his flow');
  t.is(s.coordinator.listActiveSessions().length, 2, 'a B2BUA pair');
  await bob.drop();
  await waitFor(() => session.state === SessionState.Terminated, 20_000, 'alice hears the hang-up');
  await waitFor(() => s.coordinator.listActiveSessions().length === 0, 20_000, 'both legs over');
  const ends = s.events.flatMap((e) => (e.type === 'CallEnded' ? [e.reason] : []));
  t.true(ends.includes(CONNECTION_LOST), `ended: ${ends.join(', ')}`);
  await waitForAsync(async () => (await s.coordinator.lookup('sip:bob@example.test')).length === 0,
    20_000, 'bob\'s binding went with his connection');
  t.is(s.router.live(), 0);
  t.is(s.coordinator.health().transport.openConnections, 1, 'only alice is still connected');
});

test('SIP.js over WebSocket: a phone on UDP is not needed — a WS-only server answers a call itself', async (t) => {
  const coordinator = await new SessionManagerBuilder()
    .withLocalBindAddr('127.0.0.1:0').withTransports(['ws']).withMedia('sdp-only').build();
  t.teardown(() => coordinator.stop());
  await coordinator.start();
  const url = `ws://127.0.0.1:${coordinator.localEndpointFor('ws')!.port}/`;
  const carol = await sipJsClient(t, url, 'carol', '127.0.0.1');
  const session = await carol.call(`sip:echo@127.0.0.1:${coordinator.localEndpointFor('ws')!.port};transport=ws`);
  t.is(session.state, SessionState.Established);
  const [id] = coordinator.listActiveSessions();
  await coordinator.terminateSession(id!);
  await waitFor(() => session.state === SessionState.Terminated, 20_000, 'our BYE reached carol over her flow');
  await waitFor(() => coordinator.listActiveSessions().length === 0);
});
