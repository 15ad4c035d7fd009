import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { waitFor } from '../support/wait.js';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import type { SessionCoordinator } from '../../application/session/session-coordinator.js';
import { requireSipp, runSipp } from '../support/sipp.js';

const scenarios = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sipp');

test('blind transfer with SIPp as the transferee: REFER → 202, NOTIFY 100 and 200 (sipfrag), then our BYE; 10 calls, none failed', async (t) => {
  if (!requireSipp(t)) return;
  const results: Array<number | string> = [];
  let coordinator: SessionCoordinator | undefined;
  coordinator = await new SessionManagerBuilder()
    .withLocalBindAddr('127.0.0.1:0')
    .withMediaPorts(56000, 56999)
    .withHandler({
      onIncomingCall: () => ({ kind: 'Accept' }),
      onCallEstablished: (call) => {
        void coordinator!.transferSession(call.id, 'sip:elsewhere@127.0.0.1:5999').then(
          (s) => results.push(s), (e: { kind: string }) => results.push(e.kind),
        );
      },
    })
    .build();
  await coordinator.start();
  t.teardown(() => coordinator!.stop());
  const port = coordinator.localEndpoint!.port;
  const sipp = await runSipp(
    [
      '-sf', path.join(scenarios, 'transferee.xml'), '-m', '10', '-r', '10', '-t', 'u1', '-i', '127.0.0.1', '-timeout',
      '30s', '-timeout_error', `127.0.0.1:${port}`,
    ],
    40_000,
  );
  t.is(sipp.failed, 0, sipp.stdout.slice(-1500) + sipp.stderr);
  t.is(sipp.successful, 10);
  await waitFor(() => results.length === 10 && coordinator!.listActiveSessions().length === 0, 30_000, 'every transfer settled');
  t.deepEqual(results, Array.from({ length: 10 }, () => 200));
  t.deepEqual(coordinator.listActiveSessions(), []);
});
