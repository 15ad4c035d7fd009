/**
 * Error kinds as README documents them, on real sockets: configuration
 * mistakes are InvalidConfig at build(), bad arguments InvalidArgument, and a
 * TransportError says what the transport said.
 */
import test from 'ava';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import { CallDecision } from '../../domain/session/call-decision.js';

const failure = (promise: Promise<unknown>): Promise<Record<string, unknown>> =>
  promise.then(() => ({ kind: 'none' }), (e: unknown) => e as Record<string, unknown>);

test('build(): a bind address that does not resolve, or is not this machine\'s, is InvalidConfig naming localBindAddr', async (t) => {
  const unresolvable = await failure(new SessionManagerBuilder().withLocalBindAddr('no-such-host.invalid:0').build());
  t.like(unresolvable, { kind: 'InvalidConfig', field: 'localBindAddr' });
  t.regex(String(unresolvable['message']), /ENOTFOUND|EAI_AGAIN/);
  // TEST-NET-3: routable syntax, but no interface of this machine has it.
  const foreign = await failure(new SessionManagerBuilder().withLocalBindAddr('203.0.113.9:0').build());
  t.like(foreign, { kind: 'InvalidConfig', field: 'localBindAddr' });
  t.regex(String(foreign['message']), /EADDRNOTAVAIL/);
});

test('a call to a name that does not resolve fails with a TransportError that carries the resolver\'s cause', async (
  t,
) => {
  const coordinator = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMediaPorts(52200, 52299)
    .withHandler({ onIncomingCall: () => CallDecision.reject(486) }).build();
  t.teardown(() => coordinator.stop());
  await coordinator.start();
  // RFC 3263 location happens before anything is sent: the call fails at once, naming the name and the cause.
  const error = await failure(coordinator.createOutgoingCall('sip:a@127.0.0.1', 'sip:b@no-such-host.invalid:5060'));
  t.like(error, { kind: 'TransportError' });
  t.regex(String(error['message']), /cannot place the call: no-such-host\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN)/);
  t.deepEqual(coordinator.listActiveSessions(), []);
});

test('invalid arguments are InvalidArgument naming the argument: DTMF digits (empty, or not a digit), a rejection status, a monitoring interval', async (t) => {
  const callee = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMediaPorts(52300, 52399)
    .withHandler({ onIncomingCall: () => CallDecision.accept() }).build();
  const caller = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMediaPorts(52400, 52499)
    .withHandler({ onIncomingCall: () => CallDecision.reject(486) }).build();
  t.teardown(async () => {
    await caller.stop();
    await callee.stop();
  });
  await callee.start();
  await caller.start();
  const call = await caller.createOutgoingCall('sip:a@127.0.0.1', `sip:b@127.0.0.1:${callee.localEndpoint!.port}`);
  await caller.waitForAnswer(call.id, 30_000);
  t.like(await failure(caller.sendDtmf(call.id, '')), { kind: 'InvalidArgument', argument: 'digits' });
  t.like(
    await failure(caller.sendDtmf(call.id, '12x')),
    { kind: 'InvalidArgument', argument: 'digits', message: "digits: 'x' is not a DTMF digit (0-9, *, #, A-D)" },
  );
  t.like(await failure(caller.rejectIncomingCall(call.id, 200)), { kind: 'InvalidArgument', argument: 'status' });
  t.like(
    await failure(Promise.resolve().then(() => caller.startStatisticsMonitoring(call.id, 0))),
    { kind: 'InvalidArgument', argument: 'intervalMs' },
  );
  t.is(caller.getSession(call.id)?.state, 'Connected', 'the call is unharmed');
});
