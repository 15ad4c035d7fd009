/**
 * The MediaControl and bridge methods no other test calls, through the public API on the simulated
 * network: generateSdpAnswer, establishMediaFlow, stopAudioTransmission, startStatisticsMonitoring,
 * removeSessionFromBridge, destroyBridge — what each does, and the typed error for a misuse.
 */
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { AutoAnswerHandler } from '../../application/session/call-handler.js';
import type { BridgeEvent } from '../../application/session/bridge-service.js';
import { goertzelPower } from '../../domain/media/goertzel.js';
import { simPeers, stopAndExpectReleased } from '../support/coordinator-harness.js';

const connect = async (sim: Awaited<ReturnType<typeof simPeers>>, from: number, to: number) => {
  const a = sim.peers[from]!;
  const call = await a.coordinator.createOutgoingCall(a.uri, sim.peers[to]!.uri);
  const answered = a.coordinator.waitForAnswer(call.id, 10_000);
  await sim.clock.advanceBy(500);
  await answered;
  const other = sim.peers[to]!.coordinator.listActiveSessions().at(-1)!;
  return { mine: call.id, theirs: other };
};

const failure = (action: () => unknown): unknown => {
  try {
    action();
    return undefined;
  } catch (error) {
    return error;
  }
};

test('generateSdpAnswer answers an offer with our codecs and ports; a non-SDP offer is InvalidArgument', async (t) => {
  const sim = await simPeers(81, [new AutoAnswerHandler(), new AutoAnswerHandler()]);
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const { mine, theirs } = await connect(sim, 0, 1);
  const offer = b.coordinator.generateSdpOffer(theirs);
  const answer = a.coordinator.generateSdpAnswer(mine, offer);
  t.regex(answer, /^m=audio \d+ RTP\/AVP 0 /m);
  t.regex(answer, /^c=IN IP4 10\.0\.0\.1$/m);
  t.like(failure(() => a.coordinator.generateSdpAnswer(mine, 'not sdp')), { kind: 'InvalidArgument', argument: 'offer' });
  await a.coordinator.terminateSession(mine);
  await sim.clock.advanceBy(1_000);
  await stopAndExpectReleased(t, sim);
});

test('stopAudioTransmission turns a tone into silence; startStatisticsMonitoring publishes MediaQuality each interval', async (t) => {
  const sim = await simPeers(82, [new AutoAnswerHandler(), new AutoAnswerHandler()]);
  const [a, b] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const { mine, theirs } = await connect(sim, 0, 1);
  b.coordinator.setAudioSink(theirs, { kind: 'record' });
  a.coordinator.startAudioTransmission(mine, { kind: 'tone', frequenciesHz: [1000] });
  a.coordinator.startStatisticsMonitoring(mine, 1000);
  await sim.clock.advanceBy(1_000);
  const toneEnd = b.coordinator.getRecording(theirs).length;
  a.coordinator.stopAudioTransmission(mine);
  await sim.clock.advanceBy(1_000);
  const heard = b.coordinator.getRecording(theirs);
  const before = goertzelPower(heard.subarray(toneEnd - 1600, toneEnd), 1000);
  const after = goertzelPower(heard.subarray(heard.length - 1600), 1000);
  t.true(before > 1000 * Math.max(after, 1), `1 kHz power ${before} while playing, ${after} after the stop`);
  t.true(b.coordinator.getMediaStatistics(theirs).packetsReceived >= 90, 'packets kept flowing (silence)');
  const quality = a.events.filter((e) => e.type === 'MediaQuality' && e.sessionId === mine);
  t.true(quality.length >= 1 && quality.length <= 2, `${quality.length} MediaQuality events in 2 s at 1 s`);
  await a.coordinator.terminateSession(mine);
  await sim.clock.advanceBy(1_000);
  await stopAndExpectReleased(t, sim);
});

test('establishMediaFlow points the audio at another address; a malformed one is InvalidArgument', async (t) => {
  const sim = await simPeers(83, [new AutoAnswerHandler(), new AutoAnswerHandler()]);
  const [a] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0]];
  const { mine } = await connect(sim, 0, 1);
  let elsewhere = 0;
  const probe = sim.network.bindDatagram('10.0.0.9', 30000, () => void elsewhere++);
  if (E.isLeft(probe)) return t.fail(probe.left);
  a.coordinator.startAudioTransmission(mine, { kind: 'tone', frequenciesHz: [440] });
  a.coordinator.establishMediaFlow(mine, '10.0.0.9:30000');
  await sim.clock.advanceBy(1_000);
  t.true(elsewhere >= 45, `${elsewhere} packets reached 10.0.0.9:30000`);
  t.like(failure(() => a.coordinator.establishMediaFlow(mine, 'nowhere')), { kind: 'InvalidArgument', argument: 'remote' });
  probe.right.close();
  await a.coordinator.terminateSession(mine);
  await sim.clock.advanceBy(1_000);
  await stopAndExpectReleased(t, sim);
});

test('removeSessionFromBridge takes one call out (it stays up); destroyBridge ends the bridge; unknown ids are typed errors', async (t) => {
  const sim = await simPeers(84, [new AutoAnswerHandler(), new AutoAnswerHandler(), new AutoAnswerHandler()]);
  const [a] = sim.peers as [typeof sim.peers[0], typeof sim.peers[0], typeof sim.peers[0]];
  const toB = await connect(sim, 0, 1);
  const toC = await connect(sim, 0, 2);
  const events: BridgeEvent[] = [];
  a.coordinator.subscribeToBridgeEvents((e) => events.push(e));
  const room = a.coordinator.createBridge(false);
  a.coordinator.addSessionToBridge(room, toB.mine);
  a.coordinator.addSessionToBridge(room, toC.mine);
  t.is(a.coordinator.listBridges()[0]?.participantCount, 2);
  a.coordinator.removeSessionFromBridge(room, toB.mine);
  t.deepEqual(a.coordinator.listBridges()[0]?.sessions, [toC.mine]);
  t.is(a.coordinator.getSessionBridge(toB.mine), undefined);
  t.is(a.coordinator.getSession(toB.mine)?.state, 'Connected', 'taken out, not hung up');
  a.coordinator.destroyBridge(room);
  t.deepEqual(a.coordinator.listBridges(), []);
  t.is(a.coordinator.getSession(toC.mine)?.state, 'Connected');
  t.deepEqual(events.map((e) => e.type), ['ParticipantAdded', 'ParticipantAdded', 'ParticipantRemoved',
    'ParticipantRemoved', 'BridgeDestroyed']);
  t.like(failure(() => a.coordinator.destroyBridge(room)), { name: 'SessionError' });
  t.like(failure(() => a.coordinator.removeSessionFromBridge('no-such-bridge', toC.mine)), { name: 'SessionError' });
  for (const id of [toB.mine, toC.mine]) await a.coordinator.terminateSession(id);
  await sim.clock.advanceBy(1_000);
  await stopAndExpectReleased(t, sim);
});
