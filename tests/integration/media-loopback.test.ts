import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import test from 'ava';
import { reached, waitFor } from '../support/wait.js';
import { readWavFile, writeWavFile } from '../../adapters/media/wav-file.js';
import { CryptoRandom } from '../../adapters/node/crypto-random.js';
import { SystemClock } from '../../adapters/node/system-clock.js';
import { UdpRtpSocketFactory } from '../../adapters/node/udp-rtp-socket.js';
import { IdGenerator } from '../../application/id-generator.js';
import { MediaSession } from '../../application/media/media-session.js';
import { dominantFrequency } from '../../domain/media/goertzel.js';
import { right } from '../support/either.js';

test('media on real loopback: a 1 kHz tone for 2 s arrives as 1 kHz with no packet lost; RFC 4733 DTMF is detected; the recording saves as WAV', async (t) => {
  const clock = new SystemClock();
  const ids = new IdGenerator(new CryptoRandom());
  // Port 0 is not possible for an even/odd pair; the factory scans a range and skips busy ports.
  const factory = new UdpRtpSocketFactory({ host: '127.0.0.1', portMin: 42000, portMax: 42999 });
  const a = right(t, await MediaSession.open(factory, clock, ids, 'a'));
  const b = right(t, await MediaSession.open(factory, clock, ids, 'b'));
  const params = (peer: MediaSession) => ({
    codec: 'PCMA' as const, payloadType: 8, telephoneEventPayloadType: 101, direction: 'sendrecv' as const,
    remote: { host: '127.0.0.1', port: peer.localAddress.rtpPort }, remoteRtcpPort: peer.localAddress.rtcpPort,
  });
  a.configure(params(b));
  b.configure(params(a));
  a.setSource({ kind: 'tone', frequenciesHz: [1000] });
  b.setSink({ kind: 'record' });
  const digits: string[] = [];
  b.onDtmf((d) => digits.push(d));
  a.start();
  b.start();
  // Two seconds of audio counted in frames sent and received, however long a loaded machine takes.
  await reached(() => a.statistics().packetsSent, 100, 'frames sent');
  await reached(() => b.statistics().packetsReceived, 95, 'frames received');
  const dtmf = await a.sendDtmf('42');
  await waitFor(() => digits.length === 2, 30_000, 'both digits');
  await a.close();
  await b.close();
  t.true(dtmf);
  const stats = b.statistics();
  t.true(stats.packetsReceived >= 95, `received ${stats.packetsReceived}`);
  t.is(stats.packetsLost, 0);
  const heard = b.recording();
  t.like(dominantFrequency(heard.subarray(1600, 12_000), [500, 1000, 1500, 2000]), { frequencyHz: 1000 });
  t.deepEqual(digits, ['4', '2']);
  t.is(factory.openCount(), 0, 'both port pairs released');
  const dir = mkdtempSync(path.join(tmpdir(), 'wav-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'call.wav');
  right(t, await writeWavFile(file, heard));
  t.deepEqual(right(t, await readWavFile(file)), heard);
});
