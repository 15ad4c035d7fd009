/**
 * DTMF by SIP INFO chosen per send even though RFC 4733 was negotiated, both ways, against SIPp: our INFO
 * carries the digit as application/dtmf-relay (SIPp checks it), SIPp's INFO reaches us as DtmfReceived.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { RejectAllHandler, SessionManagerBuilder, type SessionEvent } from '../../adapters/composition/index.js';
import { listeningSipp, requireSipp } from '../support/sipp.js';
import { waitFor } from '../support/wait.js';

const scenarios = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sipp');

test('DTMF by INFO although RFC 4733 was negotiated: ours reaches SIPp as Signal=5, SIPp\'s Signal=9 reaches us', async (t) => {
  if (!requireSipp(t)) return;
  const coordinator = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMediaPorts(48900, 48999)
    .withHandler(new RejectAllHandler(486)).build();
  t.teardown(() => coordinator.stop());
  await coordinator.start();
  const events: SessionEvent[] = [];
  coordinator.events.subscribe((e) => events.push(e));
  const ours = `127.0.0.1:${coordinator.localEndpoint!.port}`;
  const sipp = await listeningSipp(() => [
    '-sf', path.join(scenarios, 'uas-dtmf-info.xml'), '-m', '1', '-i', '127.0.0.1', '-key', 'peer', ours,
  ], 60_000);
  const call = await coordinator.createOutgoingCall(`sip:caller@${ours}`, `sip:service@127.0.0.1:${sipp.port}`);
  await coordinator.waitForAnswer(call.id, 20_000);
  t.not(coordinator.getMediaInfo(call.id).codec, undefined);
  await coordinator.sendDtmf(call.id, '5', { method: 'info' });
  await waitFor(() => events.some((e) => e.type === 'DtmfReceived' && e.digit === '9'), 20_000, 'SIPp\'s INFO digit');
  await coordinator.terminateSession(call.id);
  const result = await sipp.done;
  t.is(result.failed, 0, result.errors);
  t.is(result.successful, 1, result.stdout.slice(-800));
  const rejected = await coordinator.sendDtmf(call.id, '1', { method: 'bogus' as 'info' }).catch((e: unknown) => e);
  t.like(rejected, { kind: 'InvalidArgument', argument: 'method' });
});
