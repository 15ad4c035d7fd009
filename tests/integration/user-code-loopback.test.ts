/**
 * On real sockets: an onDtmf that throws inside the RTP receive path (a UDP
 * socket's message handler) used to end the process. Now it is reported and
 * the call, the process and the digits that follow carry on.
 */
import test from 'ava';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import type { SessionEvent } from '../../domain/session/session-event.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import { waitFor } from '../support/wait.js';

test('loopback: an onDtmf that throws on an RFC 4733 digit from the RTP socket is reported; the call and the process carry on', async (t) => {
  const heard: string[] = [];
  const callee = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMediaPorts(52000, 52099)
    .withHandler({ onIncomingCall: () => CallDecision.accept(), onDtmf: (_call, digit) => {
      heard.push(digit);
      throw new Error(`no handler for ${digit}`);
    } }).build();
  const caller = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMediaPorts(52100, 52199)
    .withHandler({ onIncomingCall: () => CallDecision.reject(486) }).build();
  t.teardown(async () => {
    await caller.stop();
    await callee.stop();
  });
  await callee.start();
  await caller.start();
  const events: SessionEvent[] = [];
  callee.events.subscribe((e) => events.push(e));
  const call = await caller.createOutgoingCall('sip:a@127.0.0.1', `sip:b@127.0.0.1:${callee.localEndpoint!.port}`);
  await caller.waitForAnswer(call.id, 30_000);
  t.not(caller.getMediaInfo(call.id).codec, undefined);
  await caller.sendDtmf(call.id, '47');
  await waitFor(() => heard.length === 2, 30_000, 'both digits at the callee');
  t.deepEqual(heard, ['4', '7']);
  const errors = events.filter((e) => e.type === 'Error').map((e) => (e as { message: string }).message);
  t.deepEqual(errors, ['onDtmf failed: no handler for 4', 'onDtmf failed: no handler for 7']);
  t.is(caller.getSession(call.id)?.state, 'Connected');
  await caller.terminateSession(call.id);
  await waitFor(() => callee.listActiveSessions().length === 0, 30_000, 'the BYE at the callee');
});
