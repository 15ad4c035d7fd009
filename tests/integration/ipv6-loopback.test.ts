/**
 * IPv6 end to end on ::1, over UDP and TCP: a call with audio both ways (SDP `c=IN IP6`, bracketed hosts in
 * Via, Contact and Request-URI), RFC 4733 DTMF, hold and resume, BYE. Skipped only where ::1 is missing and
 * CI is unset.
 */
import { createSocket } from 'node:dgram';
import test from 'ava';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import type { SipTraceEntry } from '../../adapters/shared/tracing-transport.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import type { SessionEvent } from '../../domain/session/session-event.js';
import { decodeUtf8 } from '../../domain/sip/text-codec.js';
import { skipOutsideCi } from '../support/require-tool.js';
import { runExample, startExample } from '../support/example-process.js';
import { reached, waitFor } from '../support/wait.js';

const hasIpv6Loopback = (): Promise<boolean> => new Promise((resolve) => {
  const socket = createSocket('udp6');
  socket.once('error', () => resolve(false));
  socket.bind(0, '::1', () => socket.close(() => resolve(true)));
});

for (const transport of ['udp', 'tcp'] as const) {
  test(`IPv6 over ${transport} on ::1: audio both ways, DTMF, hold and resume, BYE`, async (t) => {
    if (!(await hasIpv6Loopback())) return skipOutsideCi(t, '::1 is not available on this machine');
    const base = transport === 'udp' ? 48000 : 48400;
    const traced: SipTraceEntry[] = [];
    const build = (ports: [number, number], handler = { onIncomingCall: () => CallDecision.accept() }) =>
      new SessionManagerBuilder().withLocalBindAddr('[::1]:0').withTransports(['udp', 'tcp'])
        .withMediaPorts(...ports).withHandler(handler).withSipTrace((e) => traced.push(e)).build();
    const alice = await build([base, base + 99]);
    const bob = await build([base + 100, base + 199]);
    t.teardown(async () => {
      await alice.stop();
      await bob.stop();
    });
    await alice.start();
    await bob.start();
    const bobEvents: SessionEvent[] = [];
    bob.events.subscribe((e) => bobEvents.push(e));
    const target = `sip:bob@[::1]:${bob.localEndpoint!.port}${transport === 'tcp' ? ';transport=tcp' : ''}`;
    const call = await alice.createOutgoingCall(`sip:alice@[::1]:${alice.localEndpoint!.port}`, target);
    await alice.waitForAnswer(call.id, 20_000);
    const bobCall = bob.listActiveSessions()[0]!;
    alice.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [1000] });
    bob.startAudioTransmission(bobCall, { kind: 'tone', frequenciesHz: [600] });
    alice.setAudioSink(call.id, { kind: 'record' });
    bob.setAudioSink(bobCall, { kind: 'record' });
    await reached(() => bob.getMediaStatistics(bobCall).packetsReceived, 60, 'frames at bob');
    await reached(() => alice.getMediaStatistics(call.id).packetsReceived, 60, 'frames at alice');
    t.like(dominantFrequency(bob.getRecording(bobCall).subarray(800, 8800), [600, 1000]), { frequencyHz: 1000 });
    t.like(dominantFrequency(alice.getRecording(call.id).subarray(800, 8800), [600, 1000]), { frequencyHz: 600 });
    await alice.sendDtmf(call.id, '7#');
    await waitFor(() => bobEvents.filter((e) => e.type === 'DtmfReceived').length === 2, 20_000, 'DTMF at bob');
    await alice.holdSession(call.id);
    await waitFor(() => bobEvents.some((e) => e.type === 'HoldChanged' && e.onHold), 20_000, 'hold');
    await alice.resumeSession(call.id);
    await waitFor(() => bobEvents.some((e) => e.type === 'HoldChanged' && !e.onHold), 20_000, 'resume');
    await alice.terminateSession(call.id);
    await waitFor(() => bobEvents.some((e) => e.type === 'CallEnded'), 20_000, 'BYE at bob');
    const invite = traced.find((e) => e.direction === 'out' && e.summary.startsWith('INVITE'))!.message;
    const text = decodeUtf8(invite.body);
    t.regex(text, /^c=IN IP6 ::1$/m);
    const header = (name: string): string => invite.headers.find((h) => h.name === name)?.value ?? '';
    t.regex(header('Via'), new RegExp(`^SIP/2.0/${transport.toUpperCase()} \\[::1\\]:\\d+`));
    t.regex(header('Contact'), /<sip:[^@]+@\[::1\]:\d+/);
    t.is(bob.listActiveSessions().length, 0);
  });
}

test('the examples take --host ::1: call.ts reaches auto-answer.ts on [::1], answered, DTMF heard, hung up cleanly', async (t) => {
  if (!(await hasIpv6Loopback())) return skipOutsideCi(t, '::1 is not available on this machine');
  const server = await startExample('auto-answer', ['--host', '::1', '--port', '0', '--media-ports', '48800-48899'],
    /listening on \[::1\]:(\d+)/);
  t.teardown(() => server.child.kill('SIGKILL'));
  const port = /listening on \[::1\]:(\d+)/.exec(server.output())![1];
  const call = await runExample('call', [`sip:x@[::1]:${port}`, '--host', '::1', '--duration', '500', '--dtmf', '12']);
  t.is(call.code, 0, call.output);
  t.regex(call.output, /answered/);
  await waitFor(() => /dtmf \S+: 2/.test(server.output()), 20_000, 'DTMF at auto-answer');
  t.regex(server.output(), /incoming \S+ from sip:caller@\[::1\]:\d+/);
});
