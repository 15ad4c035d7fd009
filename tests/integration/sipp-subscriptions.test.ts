/**
 * Subscriptions (RFC 6665) with SIPp as the subscriber: a message-waiting lamp subscribes to message-summary
 * at a coordinator serving it, is told nothing waits, then that three voice messages do, and ends its
 * subscription; 20 subscribers at once, none failed, nothing left behind.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { SessionManagerBuilder } from '../../adapters/composition/index.js';
import { requireSipp, runSipp } from '../support/sipp.js';
import { waitFor } from '../support/wait.js';

const scenarios = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sipp');

test('SIPp subscribes to message-summary: NOTIFY at once, NOTIFY on new messages, un-SUBSCRIBE and terminated; 20 lamps', async (t) => {
  if (!requireSipp(t)) return;
  const coordinator = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0')
    .withEventPackages(['message-summary']).build();
  await coordinator.start();
  t.teardown(() => coordinator.stop());
  const port = coordinator.localEndpoint!.port;
  const LAMPS = 20;
  const sipp = runSipp(['-sf', path.join(scenarios, 'subscribe-mwi.xml'), '-s', 'voicemail', '-m', String(LAMPS),
    '-r', '20', '-l', String(LAMPS), '-i', '127.0.0.1', '-timeout', '60s', '-timeout_error', `127.0.0.1:${port}`],
  90_000);
  // Once every lamp is subscribed, messages arrive.
  await waitFor(() => coordinator.resources().subscriptions === LAMPS, 30_000, 'every lamp subscribed');
  coordinator.publishState('voicemail@127.0.0.1', 'message-summary', {
    waiting: true, account: 'sip:voicemail@127.0.0.1', voice: { new: 3, old: 1 },
  });
  const result = await sipp;
  t.is(result.failed, 0, result.errors || result.stdout.slice(-1500));
  t.is(result.successful, LAMPS);
  await waitFor(() => coordinator.resources().subscriptions === 0, 30_000, 'every subscription gone');
});
