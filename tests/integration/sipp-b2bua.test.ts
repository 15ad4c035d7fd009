import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { startExample } from '../support/example-process.js';
import { freeUdpPort, udpPortBoundBy } from '../support/ports.js';
import { requireSipp, runSipp, startSipp } from '../support/sipp.js';

const scenarios = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sipp');

/**
 * examples/b2bua.ts bridging to a SIPp callee that really holds its port: a port another process took between
 * our probe and SIPp's bind makes SIPp exit, and both start again on another one (up to five times).
 */
const b2buaToSipp = async (mediaPorts: string, calleeArgs: (b2buaPort: string) => ReadonlyArray<string>) => {
  for (let attempt = 0; attempt < 5; attempt++) {
    const uasPort = await freeUdpPort();
    const b2bua = await startExample(
      'b2bua', ['--port', '0', '--target', `sip:service@127.0.0.1:${uasPort}`, '--media-ports', mediaPorts],
      /listening on 127\.0\.0\.1:(\d+)/,
    );
    const port = /listening on 127\.0\.0\.1:(\d+)/.exec(b2bua.output())![1]!;
    const callee = startSipp([...calleeArgs(port), '-p', String(uasPort)], 120_000);
    if (await udpPortBoundBy(uasPort, callee.pid)) return { b2bua, port, callee: callee.done };
    await callee.done;
    b2bua.child.kill('SIGKILL');
    await b2bua.exited;
  }
  throw new Error('no port a SIPp callee could hold, after five tries');
};

for (const [byeFrom, uac, uas] of [
  // The callee answers without a 180 (see uas-answers.xml: how SIPp absorbs INVITE retransmissions).
  ['the caller', ['-sn', 'uac'], ['-sf', path.join(scenarios, 'uas-answers.xml')]],
  [
    'the callee', ['-sf', path.join(scenarios, 'uac-waits-bye.xml')],
    ['-sf', path.join(scenarios, 'uas-sends-bye.xml')],
  ],
] as const) {
  test(`B2BUA between SIPp uac and SIPp uas on loopback: 500 calls, none failed, BYE from ${byeFrom}`, async (t) => {
    if (!requireSipp(t)) return;
    const { b2bua, port, callee } = await b2buaToSipp(
      byeFrom === 'the caller' ? '52000-53999' : '54000-55999',
      (b2buaPort) => [...uas, '-m', '500', '-t', 'u1', '-i', '127.0.0.1', '-key', 'b2bua', `127.0.0.1:${b2buaPort}`,
        '-timeout', '90s'],
    );
    t.teardown(() => b2bua.child.kill('SIGKILL'));
    const caller = await runSipp(
      [
        ...uac, '-m', '500', '-r', '50', '-l', '100', '-t', 'u1', '-i', '127.0.0.1', '-timeout', '90s',
        '-timeout_error', `127.0.0.1:${port}`,
      ],
      120_000,
    );
    const calleeResult = await callee;
    t.log(`caller ${caller.successful}/${caller.failed}, callee ${calleeResult.successful}/${calleeResult.failed}`);
    t.is(caller.failed, 0, caller.errors || caller.stdout.slice(-1500));
    t.is(caller.successful, 500);
    t.is(calleeResult.failed, 0, calleeResult.errors || calleeResult.stdout.slice(-1500));
    t.is(calleeResult.successful, 500);
    b2bua.child.kill('SIGTERM');
    t.is(await b2bua.exited, 0);
    t.regex(b2bua.output(), /after 500 bridged calls/);
  });
}

test('B2BUA CANCEL propagation: SIPp\'s caller cancels while the far end rings; the B2BUA cancels its outgoing leg (200, 487, ACK) and answers the caller 487; 20 calls', async (t) => {
  if (!requireSipp(t)) return;
  const { b2bua, port, callee } = await b2buaToSipp('56000-56999', () => [
    '-sf', path.join(scenarios, 'uas-rings-until-cancel.xml'), '-m', '20', '-t', 'u1', '-i', '127.0.0.1',
    '-timeout', '60s',
  ]);
  t.teardown(() => b2bua.child.kill('SIGKILL'));
  const caller = await runSipp([
    '-sf', path.join(scenarios, 'uac-cancel.xml'), '-s', 'service', '-m', '20', '-r', '10', '-t', 'u1',
    '-i', '127.0.0.1', '-timeout', '60s', '-timeout_error', `127.0.0.1:${port}`,
  ], 90_000);
  const calleeResult = await callee;
  t.is(caller.failed, 0, caller.errors || caller.stdout.slice(-1500));
  t.is(caller.successful, 20);
  t.is(calleeResult.failed, 0, calleeResult.errors || calleeResult.stdout.slice(-1500));
  t.is(calleeResult.successful, 20, 'every outgoing leg was cancelled');
  b2bua.child.kill('SIGTERM');
  t.is(await b2bua.exited, 0);
});
