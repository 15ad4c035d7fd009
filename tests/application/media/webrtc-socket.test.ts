import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { nodeSrtpPrimitives } from '../../../adapters/node/node-srtp-primitives.js';
import { VirtualClock } from '../../../adapters/sim/virtual-clock.js';
import { WebRtcSocket } from '../../../application/media/webrtc-socket.js';
import { bindingRequest, parseStun, verifyStun } from '../../../domain/media/stun.js';
import { encodeUtf8 } from '../../../domain/sip/text-codec.js';
import type { NegotiatedWebRtc } from '../../../domain/sdp/webrtc.js';
import type { DtlsAssociation, DtlsEngine, DtlsFailure, DtlsSrtpKeys } from '../../../ports/dtls.js';
import type { RtpAddress, RtpPacketHandler, RtpSocket } from '../../../ports/rtp-socket.js';

/** A port pair in memory: what the stack sends is recorded, what the test injects is received. */
class MemorySocket implements RtpSocket {
  readonly host = '127.0.0.1';
  readonly rtpPort = 40000;
  readonly rtcpPort = 40001;
  readonly sent: Array<{ bytes: Uint8Array; to: RtpAddress }> = [];
  closed = false;
  private rtp: RtpPacketHandler = () => undefined;
  onRtp(handler: RtpPacketHandler): void {
    this.rtp = handler;
  }
  onRtcp(): void {}
  sendRtp(bytes: Uint8Array, to: RtpAddress): void {
    this.sent.push({ bytes, to });
  }
  sendRtcp(bytes: Uint8Array, to: RtpAddress): void {
    this.sent.push({ bytes, to });
  }
  inject(bytes: Uint8Array, from: RtpAddress): void {
    this.rtp(bytes, from);
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

const KEYS: DtlsSrtpKeys = { suite: 'AES_CM_128_HMAC_SHA1_80', local: new Uint8Array(30), remote: new Uint8Array(30) };

/** A DTLS engine whose handshakes finish when the test says (or never). */
const engine = (outcome: () => Promise<E.Either<DtlsFailure, DtlsSrtpKeys>>) => {
  const records: Uint8Array[] = [];
  const roles: string[] = [];
  const dtls: DtlsEngine = {
    fingerprint: { algorithm: 'sha-256', value: 'AA:BB' },
    associate: (role): DtlsAssociation => {
      roles.push(role);
      return { receive: (bytes) => records.push(bytes), established: outcome(), close: () => undefined };
    },
  };
  return { dtls, records, roles };
};

const local = {
  ice: { ufrag: 'ours', pwd: 'our-password-of-24-chars' }, fingerprint: { algorithm: 'sha-256', value: 'AA:BB' },
  candidate: { address: '127.0.0.1', port: 40000 },
};
const params = (role: 'client' | 'server'): NegotiatedWebRtc => ({
  remoteIce: { ufrag: 'them', pwd: 'their-password-22-chars' }, remoteFingerprints: [{ algorithm: 'sha-256', value: 'CC' }],
  dtlsRole: role, remoteCandidates: [], remoteLite: false,
});
const mac = (password: string) => nodeSrtpPrimitives.hmacSha1(encodeUtf8(password));
const browser: RtpAddress = { host: '127.0.0.1', port: 50000 };
const check = (useCandidate: boolean, password = local.ice.pwd, username = 'ours:them'): Uint8Array =>
  bindingRequest(new Uint8Array(12).fill(useCandidate ? 2 : 1), username, { useCandidate, priority: 100 },
    mac(password));

test('WebRTC socket: checks are answered when they verify; the nominated pair carries DTLS, then SRTP', async (t) => {
  const clock = new VirtualClock();
  const base = new MemorySocket();
  let finish: (keys: E.Either<DtlsFailure, DtlsSrtpKeys>) => void = () => undefined;
  const { dtls, records, roles } = engine(() => new Promise((resolve) => (finish = resolve)));
  const socket = new WebRtcSocket(base, local, dtls, clock, (key) => nodeSrtpPrimitives.hmacSha1(key));
  t.is(socket.rtcpPort, socket.rtpPort, 'rtcp-mux');
  const connecting = socket.connect(params('server'), 10_000);
  base.inject(check(false, 'a wrong password'), browser);
  base.inject(check(false, local.ice.pwd, 'someone:them'), browser);
  t.is(base.sent.length, 0, 'unverified checks get no answer');
  t.is(socket.iceCounters().refused, 2);
  base.inject(check(true), browser);
  const reply = parseStun(base.sent[0]!.bytes)!;
  t.is(reply.type, 0x0101);
  t.true(verifyStun(reply, mac(local.ice.pwd)));
  base.inject(new Uint8Array([22, 0xfe, 0xfd, 0, 0]), browser);
  await Promise.resolve();
  t.deepEqual(roles, ['server']);
  t.is(records.length, 1, 'the ClientHello reached the association');
  const rtp = new Uint8Array([0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
  const heard: string[] = [];
  socket.onRtp(() => heard.push('rtp'));
  socket.onRtcp(() => heard.push('rtcp'));
  base.inject(rtp, browser);
  socket.sendRtp(rtp);
  t.deepEqual(heard, [], 'nothing passes before the keys exist');
  t.is(base.sent.length, 1, 'and nothing of ours leaves');
  finish(E.right(KEYS));
  const path = await connecting;
  t.deepEqual(E.isRight(path) ? path.right.remote : undefined, browser);
  base.inject(rtp, browser);
  base.inject(new Uint8Array([0x80, 200, 0, 1, 0, 0, 0, 0]), browser);
  base.inject(rtp, { host: '127.0.0.1', port: 50001 });
  t.deepEqual(heard, ['rtp', 'rtcp'], 'RTP and muxed RTCP from the nominated address only');
  socket.sendRtp(rtp);
  t.deepEqual(base.sent[1]!.to, browser);
  await socket.close();
  t.true(base.closed);
  t.is(clock.pendingTimers(), 0);
});

test('WebRTC socket: no check within the timeout fails at ICE; a handshake that never ends fails at DTLS', async (t) => {
  const clock = new VirtualClock();
  const silent = new WebRtcSocket(new MemorySocket(), local, engine(() => new Promise(() => undefined)).dtls, clock,
    (key) => nodeSrtpPrimitives.hmacSha1(key));
  const noIce = silent.connect(params('client'), 5_000);
  await clock.advanceBy(5_000);
  t.deepEqual(await noIce, E.left({ stage: 'ice', detail: 'no ICE connectivity check from the peer within 5000 ms' }));
  const base = new MemorySocket();
  const stuck = new WebRtcSocket(base, local, engine(() => new Promise(() => undefined)).dtls, clock,
    (key) => nodeSrtpPrimitives.hmacSha1(key));
  const noDtls = stuck.connect(params('client'), 5_000);
  base.inject(check(true), browser);
  await clock.advanceBy(5_000);
  t.deepEqual(await noDtls, E.left({ stage: 'dtls', detail: 'no DTLS handshake within 5000 ms' }));
  await Promise.all([silent.close(), stuck.close()]);
  t.is(clock.pendingTimers(), 0);
});
