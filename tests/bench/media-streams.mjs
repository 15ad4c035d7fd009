// Two-way G.711 calls on the simulated network: how many real-time 20 ms
// streams one core keeps up with. Runs in a fresh process (as a media server
// would, without earlier benchmarks' JIT state); `dist` measures the compiled
// package, `source` the TypeScript under tsx (--import tsx/esm).
import { performance } from 'node:perf_hooks';

const mode = process.argv[2] === 'source' ? 'source' : 'dist';
// `hear`: every session hands its decoded audio to a callback sink (decoding each frame), instead of discarding it.
const hear = process.argv[3] === 'hear';
// `srtp`: every stream protected with AES_CM_128_HMAC_SHA1_80 (SDES-style keys, one per direction).
const srtp = process.argv.includes('srtp');
let heard = 0;
const root = mode === 'dist' ? '../../dist' : '../..';
const { SimulatedNetwork, SimulatedRtpSocketFactory, SeededRandom, VirtualClock } = await import(`${root}/adapters/sim/index.js`);
const { IdGenerator } = await import(`${root}/application/id-generator.js`);
const { MediaSession } = await import(`${root}/application/media/media-session.js`);
const { nodeSrtpPrimitives } = await import(`${root}/adapters/node/node-srtp-primitives.js`);

const count = 500;
const clock = new VirtualClock();
const network = new SimulatedNetwork(clock, { seed: 1, trace: false });
const ids = new IdGenerator(new SeededRandom(1));
const sessions = [];
const keyOf = (session) => Uint8Array.from({ length: 30 }, (_, i) => (session.localAddress.host.length * 31 + i * 7) & 0xff);
const link = (x, y) => x.configure({
  codec: 'PCMU', payloadType: 0, direction: 'sendrecv',
  remote: { host: y.localAddress.host, port: y.localAddress.rtpPort }, remoteRtcpPort: y.localAddress.rtcpPort,
  ...(srtp ? { srtp: { suite: 'AES_CM_128_HMAC_SHA1_80', send: keyOf(x), receive: keyOf(y) } } : {}),
});
for (let i = 0; i < count; i++) {
  const a = await MediaSession.open(new SimulatedRtpSocketFactory(network, `10.1.${i >> 8}.${i & 255}`, 20000, 20001), clock, ids, 'a', nodeSrtpPrimitives);
  const b = await MediaSession.open(new SimulatedRtpSocketFactory(network, `10.2.${i >> 8}.${i & 255}`, 20000, 20001), clock, ids, 'b', nodeSrtpPrimitives);
  if (a._tag !== 'Right' || b._tag !== 'Right') throw new Error('open failed');
  link(a.right, b.right);
  link(b.right, a.right);
  a.right.setSource({ kind: 'tone', frequenciesHz: [1000] });
  if (hear) for (const session of [a.right, b.right]) session.setSink({ kind: 'callback', onFrame: (frame) => void (heard += frame[0] === undefined ? 0 : 1) });
  sessions.push(a.right, b.right);
}
sessions.forEach((s) => s.start());
// Warm up (JIT, buffers), then measure.
clock.advanceBySync(3_000);
const sentBefore = sessions.reduce((n, s) => n + s.statistics().packetsSent, 0);
const virtualMs = 10_000;
const start = performance.now();
clock.advanceBySync(virtualMs);
const elapsed = performance.now() - start;
const packets = sessions.reduce((n, s) => n + s.statistics().packetsSent, 0) - sentBefore;
// Each two-way call is two sessions, each sending one 20 ms stream and receiving the other.
const twoWayPerCore = Math.floor((count * virtualMs) / elapsed);
console.log(`RTP packets through ${count} two-way calls (simulated network, ${mode}): ${Math.round(packets / elapsed)} k packets/s, ${((elapsed * 1000) / packets).toFixed(2)} µs per packet sent and received`);
console.log(`  ≈ ${twoWayPerCore} concurrent two-way 20 ms G.711 calls per core (${2 * twoWayPerCore} one-way streams; real-time factor ${(virtualMs / elapsed).toFixed(1)}× for ${count} calls; tone source, ${hear ? 'every frame decoded and handed to a callback' : 'discarding sink (no decoding)'}${srtp ? ', SRTP both ways' : ''}; fresh process)`);
const refused = sessions.reduce((n, s) => n + s.statistics().srtpAuthFailures, 0);
if (refused > 0) console.log(`(${refused} SRTP packets refused: the keys do not match)`);
for (const s of sessions) await s.close();
if (hear && heard === 0) console.log('(no audio heard)');
