/**
 * Interop with Kamailio as registrar and record-routing proxy: our
 * registration answers its Digest challenge, a call to the registered AOR is
 * routed to us, in-dialog requests follow its Record-Route, and stopping
 * removes the binding. A wrong password fails the registration plainly.
 */
import test from 'ava';
import { heardTone, requireBaresip, startBaresip } from '../support/baresip.js';
import { runExample, startExample } from '../support/example-process.js';
import { freeUdpPort } from '../support/ports.js';
import { requireKamailio, startKamailio } from '../support/kamailio.js';
import { waitFor } from '../support/wait.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

for (const transport of ['udp', 'tcp'] as const) {
  test(`examples/auto-answer.ts registers at Kamailio (Digest), examples/call.ts reaches it through the proxy (ACK and BYE by Record-Route, DTMF heard); after SIGTERM the binding is gone; over ${transport}`, async (t) => {
    if (!requireKamailio(t)) return;
    const kamailio = await startKamailio('s3cret');
    t.teardown(() => kamailio.stop());
    const registrar = `sip:127.0.0.1:${kamailio.port}${transport === 'tcp' ? ';transport=tcp' : ''}`;
    const aor = `sip:alice@127.0.0.1:${kamailio.port}`;
    const server = await startExample('auto-answer', [
      '--port', '0', '--transport', transport, '--media-ports', transport === 'udp' ? '34000-34499' : '34500-34999',
      '--register', registrar, '--aor', aor, '--user', 'alice',
    ],
      /registration of .*: Registered/, 20_000, { SESSION_CORE_PASSWORD: 's3cret' });
    t.teardown(() => server.child.kill('SIGKILL'));
    const serverPort = /listening on 127\.0\.0\.1:(\d+)/.exec(server.output())![1]!;

    const call = await runExample('call', [aor, '--transport', transport, '--duration', '1000', '--dtmf', '12']);
    t.is(call.code, 0, call.output);
    t.regex(call.output, /answered[\s\S]*hung up; sent \d+ RTP packets, received [1-9]\d*,/);
    await waitFor(() => /ended \S+: Remote hangup/.test(server.output()), 30_000, 'the BYE at the callee');
    t.regex(server.output(), /dtmf \S+: 1[\s\S]*dtmf \S+: 2/);
    // The proxy saw the INVITE for the AOR and the ACK and BYE for our contact (loose routing through it).
    const log = kamailio.output();
    t.regex(
      log,
      new RegExp(
        `request INVITE sip:alice@127\\.0\\.0\\.1:${kamailio.port}${transport === 'tcp' ? ';transport=tcp' : ''}`,
      ),
    );
    t.regex(log, new RegExp(`request ACK sip:[^@\\s]+@127\\.0\\.0\\.1:${serverPort}`));
    t.regex(log, new RegExp(`request BYE sip:[^@\\s]+@127\\.0\\.0\\.1:${serverPort}`));
    t.is((log.match(/request REGISTER/g) ?? []).length, 2, 'one REGISTER challenged, one answered');
    t.false(
      new RegExp(`request \\S+ \\S+ from (?!${transport}:)`).test(log),
      `every request reached the proxy over ${transport}`,
    );

    server.child.kill('SIGTERM');
    t.is(await server.exited, 0);
    t.is((kamailio.output().match(/request REGISTER/g) ?? []).length, 3, 'the removal (Expires: 0) on stop');
    const after = await runExample('call', [aor, '--transport', transport, '--timeout', '3000']);
    t.is(after.code, 1);
    t.regex(after.output, /404/);
  });
}

test('examples/auto-answer.ts with a wrong password: Kamailio refuses the registration, the tool says so and exits 1', async (t) => {
  if (!requireKamailio(t)) return;
  const kamailio = await startKamailio('s3cret');
  t.teardown(() => kamailio.stop());
  const server = await runExample(
    'auto-answer',
    [
      '--port', '0', '--media-ports', '35000-35999', '--register', `sip:127.0.0.1:${kamailio.port}`, '--user', 'alice',
      '--password', 'wrong',
    ],
    20_000,
  );
  t.is(server.code, 1);
  t.regex(server.output, /registration failed: rejected with 401/);
});

test('baresip registers at Kamailio; examples/call.ts calls its AOR through the proxy: answered, baresip hears the tone and the DTMF, and its BYE comes back to us through the proxy', async (t) => {
  if (!requireKamailio(t) || !requireBaresip(t)) return;
  const kamailio = await startKamailio('s3cret');
  t.teardown(() => kamailio.stop());
  const phone = await startBaresip({
    sipPort: await freeUdpPort(), rtpPorts: [36000, 36499], answerMode: 'auto', toneHz: 1000,
    register: { registrarPort: kamailio.port, user: 'bob', password: 's3cret' },
  });
  t.teardown(() => phone.stop());
  await phone.waitFor(/200 OK/);
  // baresip hangs up after 1.5 s; call.ts would stay 10 s.
  const call = runExample('call', [`sip:bob@127.0.0.1:${kamailio.port}`, '--duration', '10000', '--dtmf', '7']);
  await phone.waitFor(/Call established/, 30_000);
  // call.ts sends the digit once answered: when it has arrived, the call's media runs; then a second of tone.
  await phone.waitFor(/received event: '7' \(end=1\)/);
  await sleep(1_000);
  phone.keys('b');
  const result = await call;
  t.is(result.code, 0, result.output);
  t.regex(
    result.output,
    /answered[\s\S]*the other side hung up after [\d.]+ s \(Remote hangup\); sent \d+ RTP packets, received [1-9]/,
  );
  t.regex(phone.output(), /received event: '7' \(end=1\)/);
  t.regex(kamailio.output(), /request BYE sip:\S+ from udp:127\.0\.0\.1:/);
  t.is(heardTone(await phone.decodedAudio()), 440);
});

test('baresip calls the AOR that examples/auto-answer.ts registered at Kamailio: answered through the proxy, its hold and resume (re-INVITEs by Record-Route) are logged, DTMF heard, its BYE ends the call', async (t) => {
  if (!requireKamailio(t) || !requireBaresip(t)) return;
  const kamailio = await startKamailio('s3cret');
  t.teardown(() => kamailio.stop());
  const aor = `sip:alice@127.0.0.1:${kamailio.port}`;
  const server = await startExample('auto-answer', [
    '--port', '0', '--media-ports', '35000-35499', '--register', `sip:127.0.0.1:${kamailio.port}`, '--aor', aor,
    '--user', 'alice',
  ],
    /registration of .*: Registered/, 20_000, { SESSION_CORE_PASSWORD: 's3cret' });
  t.teardown(() => server.child.kill('SIGKILL'));
  const phone = await startBaresip({ sipPort: 0, rtpPorts: [35500, 35999], answerMode: 'manual', toneHz: 1000 });
  t.teardown(() => phone.stop());
  phone.keys(`/dial ${aor}\n`);
  await phone.waitFor(/Call established/, 30_000);
  await sleep(1_000);
  phone.keys('x');
  await waitFor(() => /held \S+/.test(server.output()), 30_000, 'the hold');
  phone.keys('X');
  await waitFor(() => /resumed \S+/.test(server.output()), 30_000, 'the resume');
  phone.keys('9');
  await waitFor(() => /dtmf \S+: 9/.test(server.output()), 30_000, 'the DTMF');
  phone.keys('b');
  await waitFor(() => /ended \S+: Remote hangup/.test(server.output()), 30_000, 'the BYE');
  t.is(
    (kamailio.output().match(/request INVITE /g) ?? []).length, 3,
    'the INVITE and both re-INVITEs went through the proxy',
  );
  t.regex(kamailio.output(), /request BYE /);
  t.is(heardTone(await phone.decodedAudio()), 440, 'baresip heard auto-answer\'s tone');
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0);
});

test('Kamailio challenges our INVITE with 407: examples/call.ts --user/--password answers it and the call goes through; a wrong password ends in 407 and exit 1', async (t) => {
  if (!requireKamailio(t)) return;
  const kamailio = await startKamailio('s3cret', { challengeInvites: true });
  t.teardown(() => kamailio.stop());
  const aor = `sip:alice@127.0.0.1:${kamailio.port}`;
  const server = await startExample('auto-answer', [
    '--port', '0', '--media-ports', '33000-33499', '--register', `sip:127.0.0.1:${kamailio.port}`, '--aor', aor,
    '--user', 'alice',
  ],
    /registration of .*: Registered/, 20_000, { SESSION_CORE_PASSWORD: 's3cret' });
  t.teardown(() => server.child.kill('SIGKILL'));

  const call = await runExample(
    'call', [aor, '--duration', '500', '--user', 'bob'], 30_000, { SESSION_CORE_PASSWORD: 's3cret' },
  );
  t.is(call.code, 0, call.output);
  t.regex(call.output, /answered[\s\S]*hung up/);
  t.is((kamailio.output().match(/request INVITE /g) ?? []).length, 2, 'one INVITE challenged, one answered');

  const refused = await runExample('call', [aor, '--timeout', '5000', '--user', 'bob', '--password', 'wrong']);
  t.is(refused.code, 1);
  t.regex(refused.output, /call failed: Rejected: rejected with 407/);
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0);
});
