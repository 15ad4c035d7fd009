/**
 * Two coordinators on loopback driven only through their control APIs and event streams: the way a call
 * engine in another process uses session-core.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import {
  CallDecision, SessionManagerBuilder, type HttpServer, type SessionCoordinator, type SessionEvent,
} from '../../../adapters/composition/index.js';
import { controlClient, eventLog } from '../../support/control-client.js';

const deferAll = { onIncomingCall: () => CallDecision.defer() };

const node = async (name: string, token?: string, mediaDirectory?: string) => {
  let server: HttpServer | undefined;
  const coordinator: SessionCoordinator = await new SessionManagerBuilder()
    .withSipPort(0).withLocalAddress('127.0.0.1').withMediaPorts(46_000, 46_999).withHandler(deferAll)
    .withHttp({
      host: '127.0.0.1', port: 0, ...(token === undefined ? {} : { token }), qualityIntervalMs: 0,
      ...(mediaDirectory === undefined ? {} : { mediaDirectory }),
      onListening: (s) => (server = s),
    })
    .build();
  await coordinator.start();
  const base = `http://127.0.0.1:${server!.port}`;
  const sip = `127.0.0.1:${coordinator.localEndpoint!.port}`;
  return {
    name, coordinator, server: server!, sip, api: controlClient(base, token),
    events: await eventLog(`ws://127.0.0.1:${server!.port}`, token === undefined ? '' : `?access_token=${token}`),
  };
};

/** Polls an async condition (an HTTP read) until true. */
const waitFor = async (condition: () => Promise<boolean>, label: string): Promise<void> => {
  for (const deadline = Date.now() + 30_000; !(await condition());) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const is = <T extends SessionEvent['type']>(type: T, sessionId?: string) =>
  (e: SessionEvent): e is Extract<SessionEvent, { type: T }> =>
    e.type === type && (sessionId === undefined || ('sessionId' in e && e.sessionId === sessionId));

test('two coordinators driven only over HTTP and WebSocket: originate, remote answer, DTMF, hold/resume, a tone recorded to WAV, blind transfer, a three-call bridge, hang-up', async (t) => {
  const media = mkdtempSync(path.join(tmpdir(), 'control-media-'));
  t.teardown(() => rmSync(media, { recursive: true, force: true }));
  const a = await node('a');
  const b = await node('b', undefined, media);
  t.teardown(async () => {
    a.events.close();
    b.events.close();
    await Promise.all([a.coordinator.stop(), b.coordinator.stop()]);
  });

  // Originate at A; B's engine sees the deferred call on its stream and answers it remotely.
  const placed = await a.api.post('/calls', { from: 'sip:alice@127.0.0.1', to: `sip:bob@${b.sip}` });
  t.is(placed.status, 201, JSON.stringify(placed.body));
  const callA: string = placed.body.id;
  t.is(placed.body.from, 'sip:alice@127.0.0.1');
  const incoming = await b.events.next(is('IncomingCall'), 'IncomingCall at B');
  const callB = (incoming as Extract<SessionEvent, { type: 'IncomingCall' }>).sessionId;
  t.is((await b.api.post(`/calls/${callB}/answer`)).status, 204);
  await a.events.next(is('CallEstablished', callA), 'established at A');
  const shown = await a.api.get(`/calls/${callA}`);
  t.is(shown.body.state, 'Connected');
  t.is(shown.body.media.codec, 'PCMU');
  t.true(typeof shown.body.callId === 'string');
  t.deepEqual((await a.api.get('/calls')).body.map((c: { id: string }) => c.id), [callA]);

  // DTMF over RFC 4733, hold and resume.
  t.is((await a.api.post(`/calls/${callA}/dtmf`, { digits: '12#' })).status, 204);
  for (const digit of ['1', '2', '#']) {
    await b.events.next((e) => is('DtmfReceived', callB)(e) && e.digit === digit, `digit ${digit} at B`);
  }
  t.is((await a.api.post(`/calls/${callA}/hold`)).status, 204);
  await a.events.next((e) => is('HoldChanged', callA)(e) && e.onHold, 'held');
  t.is((await a.api.post(`/calls/${callA}/resume`)).status, 204);
  await a.events.next((e) => is('HoldChanged', callA)(e) && !e.onHold, 'resumed');

  // A tone played at A, recorded at B into its media directory.
  t.is((await b.api.post(`/calls/${callB}/recording`, { file: 'call.wav' })).status, 201);
  t.is((await a.api.post(`/calls/${callA}/play`, { tone: { frequenciesHz: [440] } })).status, 204);
  await waitFor(async () => (await b.api.get(`/calls/${callB}`)).body.media.packetsReceived >= 50, 'audio at B');
  const recorded = await b.api.delete(`/calls/${callB}/recording`);
  t.is(recorded.status, 200, JSON.stringify(recorded.body));
  t.is(recorded.body.path, 'call.wav');
  t.true(recorded.body.frames > 0);
  t.true(statSync(path.join(media, 'call.wav')).size > 44);
  t.is((await b.api.post(`/calls/${callB}/play`, { file: '../outside.wav' })).body.field, 'file');

  // The trace holds the call's ladder.
  const trace = await a.api.get(`/calls/${callA}/trace`);
  const summaries: string[] = trace.body.messages.map((m: { summary: string }) => m.summary.split(' ')[0]);
  t.true(summaries.includes('INVITE') && summaries.includes('200') && summaries.includes('ACK'), summaries.join());

  // Blind transfer: B refers A to carol (at B again); B's engine answers the new call.
  const seen = b.events.received.length;
  const transfer = b.api.post(`/calls/${callB}/transfer`, { target: `sip:carol@${b.sip}` });
  const toCarol = await b.events.next((e) => is('IncomingCall')(e) && e.to.includes('carol'), 'call to carol', seen);
  t.is((await b.api.post(`/calls/${(toCarol as { sessionId: string }).sessionId}/answer`)).status, 204);
  const transferred = await transfer;
  t.is(transferred.status, 200, JSON.stringify(transferred.body));
  t.is(transferred.body.status, 200);
  // The transferor hangs up once the transfer succeeded.
  const ended = await b.events.next(is('CallEnded', callB), 'the transferred call ended at B');
  t.is((ended as { reason: string }).reason, 'Transferred');
  await a.events.next(is('CallEnded', callA), 'and at A');

  // Three more calls from A, bridged at B.
  const mark = b.events.received.length;
  const legs: string[] = [];
  for (let i = 0; i < 3; i++) {
    const call = await a.api.post('/calls', { from: `sip:a${i}@127.0.0.1`, to: `sip:conf@${b.sip}` });
    t.is(call.status, 201);
  }
  for (let i = 0; i < 3; i++) {
    const at = legs.length === 0 ? mark
      : b.events.received.findIndex((e) => is('IncomingCall', legs.at(-1))(e.event)) + 1;
    const next = await b.events.next(is('IncomingCall'), `conference leg ${i}`, at);
    legs.push((next as { sessionId: string }).sessionId);
    t.is((await b.api.post(`/calls/${legs.at(-1)!}/answer`)).status, 204);
  }
  for (const leg of legs) await b.events.next(is('CallEstablished', leg), `leg ${leg} established`);
  const bridge = await b.api.post('/bridges', { sessions: legs });
  t.is(bridge.status, 201, JSON.stringify(bridge.body));
  t.is(bridge.body.participantCount, 3);
  t.is((await b.api.get('/bridges')).body.length, 1);
  t.is((await b.api.delete(`/bridges/${bridge.body.id}/calls/${legs[0]!}`)).status, 204);
  t.is((await b.api.get(`/bridges/${bridge.body.id}`)).body.participantCount, 2);
  t.is((await b.api.delete(`/bridges/${bridge.body.id}`)).status, 204);

  // Hang everything up from A; both sides end up with nothing live.
  const live: string[] = (await a.api.get('/calls')).body.map((c: { id: string }) => c.id);
  t.is(live.length, 4);
  for (const id of live) t.is((await a.api.delete(`/calls/${id}`)).status, 204);
  for (const leg of legs) await b.events.next(is('CallEnded', leg), `leg ${leg} ended at B`);
  await b.events.next(is('CallEnded', (toCarol as { sessionId: string }).sessionId), 'carol ended');
  t.deepEqual((await a.api.get('/calls')).body, []);
  t.deepEqual((await b.api.get('/calls')).body, []);
  t.is((await b.api.get('/stats')).body.active, 0);
});

test('bad requests name their field (400), unknown ids are 404, wrong states 409, a missing token 401', async (t) => {
  const a = await node('a', 'tok3n');
  t.teardown(async () => {
    a.events.close();
    await a.coordinator.stop();
  });
  const bad = await a.api.post('/calls', { from: 42, to: 'sip:x@127.0.0.1' });
  t.is(bad.status, 400);
  t.is(bad.body.field, 'from');
  t.regex(bad.body.error, /^from: expected a string of 1 to 1024 characters, got 42$/);
  const missing = await a.api.post('/calls', { from: 'sip:a@127.0.0.1' });
  t.is(missing.body.field, 'to');
  t.regex(missing.body.error, /got nothing/);
  const badUri = await a.api.post('/calls', { from: 'sip:a@127.0.0.1', to: 'not a uri' });
  t.is(badUri.status, 400, JSON.stringify(badUri.body));
  t.is((await a.api.post('/calls/sess-nope/hold')).status, 404);
  t.is((await a.api.delete('/calls/sess-nope')).status, 404);
  t.is((await a.api.get('/bridges/br-nope')).status, 404);
  t.is((await a.api.post('/calls/x/dtmf', { digits: 'xyz' })).body.field, 'digits');
  t.is((await a.api.post('/calls/x/reject', { status: 200 })).body.field, 'status');
  t.is((await a.api.post('/calls/x/play', { file: 'a.wav' })).status, 404);
  t.is((await a.api.get('/nowhere')).status, 404);
  t.is((await fetch(`http://127.0.0.1:${a.server.port}/calls`, {
    method: 'PUT', headers: { authorization: 'Bearer tok3n' },
  })).status, 405);

  // An answered outgoing call cannot be answered again: 409 from the SessionError InvalidState.
  const b = await node('b');
  t.teardown(async () => {
    b.events.close();
    await b.coordinator.stop();
  });
  const call = await b.api.post('/calls', { from: 'sip:b@127.0.0.1', to: `sip:a@${a.sip}` });
  const incoming = await a.events.next(is('IncomingCall'), 'incoming at A');
  const id = (incoming as { sessionId: string }).sessionId;
  t.is((await a.api.post(`/calls/${id}/hold`)).status, 409);
  t.is((await a.api.post(`/calls/${id}/forward`, { target: 'not an address <' })).body.field, 'target');
  t.is((await a.api.post(`/calls/${id}/play`, { file: '../etc/passwd' })).status, 403);
  t.is((await a.api.post(`/calls/${id}/reject`, { status: 486 })).status, 204);
  const endedAtB = await b.events.next(is('CallEnded', call.body.id), 'rejected at B');
  t.regex((endedAtB as { reason: string }).reason, /486|Rejected/);

  // The engine forwards the next one: B, told not to follow redirects, sees the 302.
  const forwarded = await b.api.post('/calls', {
    from: 'sip:b@127.0.0.1', to: `sip:a@${a.sip}`, followRedirects: false,
  });
  const second = await a.events.next((e) => is('IncomingCall')(e) && e.sessionId !== id, 'second incoming at A');
  t.is((await a.api.post(`/calls/${(second as { sessionId: string }).sessionId}/forward`, {
    target: 'sip:carol@127.0.0.1',
  })).status, 204);
  await b.events.next(is('CallEnded', forwarded.body.id), 'forwarded call ended at B');
  t.is((await b.api.get(`/calls/${forwarded.body.id}`)).body.status, 302);

  // Without the token: 401 for the API and the stream; the dashboard page itself is public.
  const anonymous = controlClient(`http://127.0.0.1:${a.server.port}`);
  t.is((await anonymous.get('/calls')).status, 401);
  t.is((await anonymous.get('/metrics')).status, 401);
  t.is((await anonymous.get('/')).status, 200);
  await t.throwsAsync(eventLog(`ws://127.0.0.1:${a.server.port}`), { message: /401/ });
  await t.throwsAsync(eventLog(`ws://127.0.0.1:${a.server.port}`, '?access_token=tok3n&type=Nope'), { message: /400/ });
  // A page of another origin is refused even with the token.
  const crossSite = await fetch(`http://127.0.0.1:${a.server.port}/calls`, {
    headers: { authorization: 'Bearer tok3n', origin: 'http://evil.example' },
  });
  t.is(crossSite.status, 403);
});
