import test from 'ava';
import { reached, waitFor } from '../support/wait.js';
import { SessionManagerBuilder } from '../../adapters/composition/session-manager-builder.js';
import { AutoAnswerHandler, type CallHandler } from '../../application/session/call-handler.js';
import type { SessionCoordinator } from '../../application/session/session-coordinator.js';
import { goertzelPower } from '../../domain/media/goertzel.js';
import type { BridgeEvent } from '../../application/session/bridge-service.js';

const TONES = [600, 1000, 1400] as const;

/** Relative power of each tone in the last `ms` of a recording (shares of the three). */
const shares = (recording: Int16Array, ms: number): number[] => {
  const window = recording.subarray(Math.max(0, recording.length - ms * 8));
  const powers = TONES.map((f) => goertzelPower(window, f));
  const total = powers.reduce((a, b) => a + b, 0);
  return powers.map((p) => (total === 0 ? 0 : p / total));
};

const coordinator = async (
  ports: [number, number], handler: CallHandler, codecs?: string[],
): Promise<SessionCoordinator> => {
  let builder = new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMediaPorts(...ports).withHandler(
    handler,
  );
  if (codecs !== undefined) builder = builder.withCodecs(codecs);
  const c = await builder.build();
  await c.start();
  return c;
};

test('conference on loopback: three participants each hear the other two tones and never their own, also as they join and leave', async (t) => {
  let room = '';
  let conference: SessionCoordinator | undefined;
  const events: BridgeEvent[] = [];
  conference = await coordinator([50000, 50199], {
    onIncomingCall: () => ({ kind: 'Accept' }),
    onCallEstablished: (call) => conference?.addSessionToBridge(room, call.id),
  });
  room = conference.createBridge(false);
  conference.subscribeToBridgeEvents((e) => events.push(e));
  const phones = await coordinator([50200, 50399], new AutoAnswerHandler());
  const from = `sip:phone@127.0.0.1:${phones.localEndpoint!.port}`;
  const to = `sip:room@127.0.0.1:${conference.localEndpoint!.port}`;
  const calls: string[] = [];
  const join = async (frequency: number): Promise<string> => {
    const call = await phones.createOutgoingCall(from, to);
    await phones.waitForAnswer(call.id, 30_000);
    phones.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [frequency], amplitude: 6000 });
    phones.setAudioSink(call.id, { kind: 'record' });
    calls.push(call.id);
    return call.id;
  };
  const [p600, p1000] = [await join(600), await join(1000)];
  const heard = (id: string): number => phones.getRecording(id).length;
  await reached(() => heard(p600), 6_400, '800 ms heard by the 600 Hz phone');
  // Two members: each hears only the other.
  const early600 = shares(phones.getRecording(p600), 400);
  t.true(early600[1]! > 0.9, `600 hears 1000 alone: ${early600}`);
  const p1400 = await join(1400);
  await reached(() => heard(p1400), 12_000, '1.5 s heard by the 1400 Hz phone');
  for (const [index, id] of [p600, p1000, p1400].entries()) {
    const s = shares(phones.getRecording(id), 800);
    t.true(s[index]! < 0.02, `participant ${TONES[index]} Hz hears itself: ${s.map((x) => x.toFixed(3))}`);
    for (const other of [0, 1, 2].filter((i) => i !== index)) t.true(
      s[other]! > 0.2, `participant ${TONES[index]} misses ${TONES[other]}: ${s.map((x) => x.toFixed(3))}`,
    );
  }
  t.is(conference.listBridges()[0]?.participantCount, 3);
  const before = heard(p600);
  await phones.terminateSession(p1000);
  await reached(() => heard(p600), before + 8_000, 'another second heard by the 600 Hz phone');
  const after600 = shares(phones.getRecording(p600), 500);
  t.true(
    after600[2]! > 0.9 && after600[1]! < 0.05,
    `after 1000 Hz left, 600 hears only 1400: ${after600.map((x) => x.toFixed(3))}`,
  );
  t.deepEqual(events.filter((e) => e.type === 'ParticipantAdded').length, 3);
  t.true(events.some((e) => e.type === 'ParticipantRemoved'));
  t.is(conference.listBridges()[0]?.participantCount, 2);
  await phones.stop();
  await conference.stop();
});

test('two-party bridge on loopback: a PCMU leg and a PCMA leg hear each other\'s tone (transcoded) and DTMF crosses', async (t) => {
  let middle: SessionCoordinator | undefined;
  const legs: string[] = [];
  middle = await coordinator([51000, 51199], {
    onIncomingCall: () => ({ kind: 'Accept' }),
    onCallEstablished: (call) => void legs.push(call.id),
  });
  const pcmuPhone = await coordinator([51200, 51299], new AutoAnswerHandler(), ['PCMU']);
  const digitsAtB: string[] = [];
  const pcmaPhone = await coordinator(
    [51300, 51399], { onIncomingCall: () => ({ kind: 'Accept' }), onDtmf: (_c, d) => digitsAtB.push(d) }, ['PCMA'],
  );
  const middleUri = `sip:m@127.0.0.1:${middle.localEndpoint!.port}`;
  const a = await pcmuPhone.createOutgoingCall(`sip:a@127.0.0.1:${pcmuPhone.localEndpoint!.port}`, middleUri);
  const b = await pcmaPhone.createOutgoingCall(`sip:b@127.0.0.1:${pcmaPhone.localEndpoint!.port}`, middleUri);
  await pcmuPhone.waitForAnswer(a.id, 30_000);
  await pcmaPhone.waitForAnswer(b.id, 30_000);
  await waitFor(() => legs.length === 2, 30_000, 'both legs established at the middle');
  t.is(legs.length, 2);
  t.deepEqual(legs.map((id) => middle!.getMediaInfo(id).codec).sort(), ['PCMA', 'PCMU']);
  const bridge = middle.bridgeSessions(legs[0]!, legs[1]!);
  t.is(middle.getSessionBridge(legs[0]!), bridge);
  pcmuPhone.startAudioTransmission(a.id, { kind: 'tone', frequenciesHz: [1000] });
  pcmaPhone.startAudioTransmission(b.id, { kind: 'tone', frequenciesHz: [600] });
  pcmuPhone.setAudioSink(a.id, { kind: 'record' });
  pcmaPhone.setAudioSink(b.id, { kind: 'record' });
  await reached(() => pcmuPhone.getRecording(a.id).length, 12_000, '1.5 s heard by the PCMU phone');
  await reached(() => pcmaPhone.getRecording(b.id).length, 12_000, '1.5 s heard by the PCMA phone');
  await pcmuPhone.sendDtmf(a.id, '57');
  await waitFor(() => digitsAtB.length === 2, 30_000, 'both digits across the bridge');
  t.true(shares(pcmuPhone.getRecording(a.id), 800)[0]! > 0.9, 'the PCMU phone hears 600 Hz');
  t.true(shares(pcmaPhone.getRecording(b.id), 800)[1]! > 0.9, 'the PCMA phone hears 1000 Hz');
  t.deepEqual(digitsAtB, ['5', '7']);
  // When one leg ends, the two-party bridge goes away.
  await pcmuPhone.terminateSession(a.id);
  await waitFor(() => middle!.listBridges().length === 0, 30_000, 'the bridge to go');
  t.deepEqual(middle.listBridges(), []);
  for (const c of [pcmuPhone, pcmaPhone, middle]) await c.stop();
});
