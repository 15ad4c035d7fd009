/**
 * examples/server.ts as a remote call engine sees it: SIPp calls in, the call rings until the engine (this
 * test, over HTTP and the event stream only) answers it, then the engine hangs it up; a second call the
 * engine rejects with 486.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { controlClient, eventLog } from '../support/control-client.js';
import { startExample } from '../support/example-process.js';
import { requireSipp, runSipp } from '../support/sipp.js';

const scenarios = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sipp');
const OPS = /operations on http:\/\/127\.0\.0\.1:(\d+)/;
const SIP = /server listening on 127\.0\.0\.1:(\d+)/;

test('examples/server.ts leaves every call to the engine: answered, then hung up, over the control API; another rejected 486', async (t) => {
  if (!requireSipp(t)) return;
  const server = await startExample('server', [
    '--port', '0', '--http', '127.0.0.1:0', '--media-ports', '47200-47299',
  ], SIP);
  t.teardown(() => server.child.kill('SIGKILL'));
  const httpPort = OPS.exec(server.output())![1]!;
  const sipPort = SIP.exec(server.output())![1]!;
  const api = controlClient(`http://127.0.0.1:${httpPort}`);
  const events = await eventLog(`ws://127.0.0.1:${httpPort}`, '?type=IncomingCall,CallEstablished,CallEnded');
  t.teardown(() => events.close());

  const answered = runSipp(['-sf', path.join(scenarios, 'uac-waits-bye.xml'), '-s', 'engine', '-m', '1', '-i',
    '127.0.0.1', '-timeout', '60s', `127.0.0.1:${sipPort}`], 90_000);
  const incoming = await events.next((e) => e.type === 'IncomingCall', 'the first call');
  const id = (incoming as { sessionId: string }).sessionId;
  t.is((await api.get(`/calls/${id}`)).body.state, 'Ringing', 'it rings: the server decided nothing');
  t.is((await api.post(`/calls/${id}/answer`)).status, 204);
  await events.next((e) => e.type === 'CallEstablished' && e.sessionId === id, 'answered');
  t.is((await api.delete(`/calls/${id}`)).status, 204);
  const first = await answered;
  t.is(first.successful, 1, first.errors || first.stdout.slice(-800));

  const refused = runSipp(['-sf', path.join(scenarios, 'uac-busy.xml'), '-s', 'busy', '-m', '1', '-i',
    '127.0.0.1', '-timeout', '60s', `127.0.0.1:${sipPort}`], 90_000);
  const second = await events.next((e) => e.type === 'IncomingCall' && e.sessionId !== id, 'the second call');
  const secondId = (second as { sessionId: string }).sessionId;
  t.is((await api.post(`/calls/${secondId}/reject`, { status: 486 })).status, 204);
  const busy = await refused;
  t.is(busy.successful, 1, busy.errors || busy.stdout.slice(-800));
  await events.next((e) => e.type === 'CallEnded' && e.sessionId === secondId, 'the second ended');
  t.deepEqual((await api.get('/calls')).body, []);

  server.child.kill('SIGTERM');
  t.is(await server.exited, 0, server.output().slice(-1000));
  t.regex(server.output(), /incoming sess-\S+ from .*: waiting for the engine/);
});
