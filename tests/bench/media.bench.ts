import { performance } from 'node:perf_hooks';
import * as E from 'fp-ts/lib/Either.js';
import { SimulatedNetwork } from '../../adapters/sim/simulated-network.js';
import { SimulatedRtpSocketFactory } from '../../adapters/sim/simulated-rtp-socket.js';
import { SeededRandom } from '../../adapters/sim/seeded-random.js';
import { VirtualClock } from '../../adapters/sim/virtual-clock.js';
import { IdGenerator } from '../../application/id-generator.js';
import { MediaSession } from '../../application/media/media-session.js';
import { decodeALaw, decodeMuLaw, encodeALaw, encodeMuLaw } from '../../domain/media/g711.js';
import { parseRtp, writeRtp, type RtpPacket } from '../../domain/media/rtp-packet.js';
import { measure, report } from './bench-util.js';

const codecs = (): void => {
  const pcm = Int16Array.from({ length: 160 }, (_, i) => Math.round(Math.sin(i / 3) * 12000));
  const bytes = new Uint8Array(160);
  const out = new Int16Array(160);
  const frames = 200_000;
  measure('G.711 µ-law encode (samples)', frames * 160, () => { for (let i = 0; i < frames; i++) encodeMuLaw(pcm, bytes); });
  measure('G.711 µ-law decode (samples)', frames * 160, () => { for (let i = 0; i < frames; i++) decodeMuLaw(bytes, out); });
  measure('G.711 A-law encode (samples)', frames * 160, () => { for (let i = 0; i < frames; i++) encodeALaw(pcm, bytes); });
  measure('G.711 A-law decode (samples)', frames * 160, () => { for (let i = 0; i < frames; i++) decodeALaw(bytes, out); });
};

const rtp = (): void => {
  const packet: RtpPacket = { marker: false, payloadType: 0, sequence: 1, timestamp: 160, ssrc: 0x1234, csrcs: [], payload: new Uint8Array(160), paddingBytes: 0 };
  const buffer = new Uint8Array(172);
  const n = 1_000_000;
  let sink = 0;
  measure('RTP write (172-byte PCMU packets)', n, () => { for (let i = 0; i < n; i++) sink += writeRtp(packet, buffer, 0); });
  measure('RTP parse (172-byte PCMU packets)', n, () => { for (let i = 0; i < n; i++) sink += E.isRight(parseRtp(buffer)) ? 1 : 0; });
  if (sink === 0) console.log('(sink)');
};

/** Two-way G.711 streams on the simulated network: how many real-time streams one core keeps up with. */
const streams = async (): Promise<void> => {
  const count = 500;
  const clock = new VirtualClock();
  const network = new SimulatedNetwork(clock, { seed: 1, trace: false });
  const ids = new IdGenerator(new SeededRandom(1));
  const sessions: MediaSession[] = [];
  for (let i = 0; i < count; i++) {
    const a = await MediaSession.open(new SimulatedRtpSocketFactory(network, `10.1.${i >> 8}.${i & 255}`, 20000, 20001), clock, ids);
    const b = await MediaSession.open(new SimulatedRtpSocketFactory(network, `10.2.${i >> 8}.${i & 255}`, 20000, 20001), clock, ids);
    if (E.isLeft(a) || E.isLeft(b)) throw new Error('open failed');
    const link = (x: MediaSession, y: MediaSession): void => x.configure({ codec: 'PCMU', payloadType: 0, direction: 'sendrecv', remote: { host: y.localAddress.host, port: y.localAddress.rtpPort }, remoteRtcpPort: y.localAddress.rtcpPort });
    link(a.right, b.right);
    link(b.right, a.right);
    a.right.setSource({ kind: 'tone', frequenciesHz: [1000] });
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
  report({ name: `RTP packets through ${count} two-way calls (simulated network)`, ops: packets, elapsedMs: elapsed });
  const streamsPerCore = Math.floor((count * 2 * virtualMs) / elapsed);
  console.log(`  ≈ ${streamsPerCore} concurrent one-way 20 ms G.711 streams per core (real-time factor ${(virtualMs / elapsed).toFixed(1)}× for ${count * 2})`);
  for (const s of sessions) await s.close();
};

export const run = async (): Promise<void> => {
  codecs();
  rtp();
  await streams();
};
