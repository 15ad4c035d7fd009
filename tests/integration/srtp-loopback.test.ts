/**
 * SRTP on real loopback between two media sessions, through a tap that sees
 * every datagram: what crosses the wire is not the G.711 payload, and what
 * arrives is the tone; plaintext and replayed packets are dropped and counted.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import test from 'ava';
import { CryptoRandom } from '../../adapters/node/crypto-random.js';
import { nodeSrtpPrimitives } from '../../adapters/node/node-srtp-primitives.js';
import { SystemClock } from '../../adapters/node/system-clock.js';
import { UdpRtpSocketFactory } from '../../adapters/node/udp-rtp-socket.js';
import { IdGenerator } from '../../application/id-generator.js';
import { MediaSession } from '../../application/media/media-session.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { encodeG711 } from '../../domain/media/g711.js';
import { nextToneFrame, tone } from '../../domain/media/tone.js';
import { right } from '../support/either.js';
import { reached } from '../support/wait.js';

test('SRTP on loopback: the tap sees no G.711 payload, the far end hears the 1 kHz tone; plaintext and replays are refused and counted', async (t) => {
  const clock = new SystemClock();
  const ids = new IdGenerator(new CryptoRandom());
  const factory = new UdpRtpSocketFactory({ host: '127.0.0.1', portMin: 44000, portMax: 44999 });
  const a = right(t, await MediaSession.open(factory, clock, ids, 'a', nodeSrtpPrimitives));
  const b = right(t, await MediaSession.open(factory, clock, ids, 'b', nodeSrtpPrimitives));
  t.teardown(() => Promise.all([a.close(), b.close()]));
  // The tap: a's packets go to it, it keeps a copy and passes them on to b.
  const tap = createSocket('udp4');
  await new Promise<void>((resolve) => tap.bind(0, '127.0.0.1', resolve));
  t.teardown(() => tap.close());
  const seen: Buffer[] = [];
  tap.on('message', (packet: Buffer, from: RemoteInfo) => {
    if (from.port !== a.localAddress.rtpPort) return;
    seen.push(packet);
    tap.send(packet, b.localAddress.rtpPort, '127.0.0.1');
  });
  const aKey = ids.bytes(30);
  const bKey = ids.bytes(30);
  const suite = 'AES_CM_128_HMAC_SHA1_80' as const;
  a.configure({
    codec: 'PCMU', payloadType: 0, direction: 'sendrecv', remote: { host: '127.0.0.1', port: tap.address().port },
    remoteRtcpPort: b.localAddress.rtcpPort, srtp: { suite, send: aKey, receive: bKey },
  });
  b.configure({
    codec: 'PCMU', payloadType: 0, direction: 'sendrecv', remote: { host: '127.0.0.1', port: a.localAddress.rtpPort },
    remoteRtcpPort: a.localAddress.rtcpPort, srtp: { suite, send: bKey, receive: aKey },
  });
  a.setSource({ kind: 'tone', frequenciesHz: [1000], amplitude: 8000 });
  b.setSink({ kind: 'record' });
  a.start();
  b.start();
  await reached(() => b.statistics().packetsReceived, 60, 'SRTP packets decrypted at b');
  // The same tone in the clear, frame by frame: none of it may appear on the wire.
  const clear = new Set<string>();
  let generator = tone(1000, 8000);
  const pcm = new Int16Array(160);
  for (let i = 0; i < 200; i++) {
    generator = nextToneFrame(generator, pcm);
    clear.add(Buffer.from(encodeG711('PCMU', pcm, new Uint8Array(160))).subarray(0, 16).toString('hex'));
  }
  t.true(seen.length >= 60);
  for (const packet of seen) {
    t.is(packet.length, 12 + 160 + 10, 'header, encrypted payload, 80-bit tag');
    t.false(clear.has(packet.subarray(12, 28).toString('hex')), 'no payload in the clear');
  }
  t.like(dominantFrequency(b.recording().subarray(1600), [500, 1000, 1500]), { frequencyHz: 1000 });
  // Plaintext RTP and replays of captured packets reach b directly: refused, counted, never played.
  const before = b.statistics().packetsReceived;
  const plain = Buffer.alloc(172, 0xff);
  plain.set([0x80, 0x00, 0x12, 0x34, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef]);
  for (let i = 0; i < 5; i++) tap.send(plain, b.localAddress.rtpPort, '127.0.0.1');
  for (const packet of seen.slice(0, 5)) tap.send(packet, b.localAddress.rtpPort, '127.0.0.1');
  await reached(() => b.statistics().srtpAuthFailures + b.statistics().srtpReplays, 10, 'both kinds refused');
  t.is(b.statistics().srtpAuthFailures, 5);
  t.is(b.statistics().srtpReplays, 5);
  t.true(b.statistics().packetsReceived - before < 60, 'the refused packets were not counted as received');
  t.is(b.statistics().unexpectedSsrc, 0, 'the plaintext SSRC never reached the receiver statistics');
});
