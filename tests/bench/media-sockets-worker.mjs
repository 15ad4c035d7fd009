// One process of `npm run bench -- media-sockets` (see media-sockets.bench.ts): a UDP echo, the bare dgram
// ping-pong, or N media sessions on real loopback sockets (terminating, relayed two by two, or three per
// conference) sending 20 ms G.711 frames to the echo; it reports its own CPU per datagram sent plus one
// received, as one JSON line. Runs the compiled package (dist), as a media server would.
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';

const [mode, ...args] = process.argv.slice(2);
const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const report = (result) => process.stdout.write(`${JSON.stringify(result)}\n`);
/** Resolves once `condition()` holds (checked every 20 ms): warm-up ends when traffic flows, not after a guess. */
const until = async (condition) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
};
/** Half a second of traffic per leg: sockets, JIT and jitter buffers are warm. */
const WARM_PACKETS = 25;
const ECHO_SOCKETS = 100;

if (mode === 'echo') {
  // Reflects every datagram to its sender: the far end of every measurement, cheap and the same for all. As
  // many sockets as a far end of many phones would have (a burst of a whole tick must not overflow one).
  const ports = [];
  for (let i = 0; i < ECHO_SOCKETS; i++) {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
    await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
    ports.push(socket.address().port);
  }
  report({ port: ports[0], ports });
} else if (mode === 'bare') {
  const [seconds, port] = args.map(Number);
  const socket = dgram.createSocket('udp4');
  socket.connect(port, '127.0.0.1', () => {
    const packet = Buffer.alloc(172, 0x55);
    let pairs = 0;
    let measuring = false;
    socket.on('message', () => {
      if (measuring) pairs++;
      socket.send(packet);
    });
    for (let i = 0; i < 64; i++) socket.send(packet);
    setTimeout(() => {
      measuring = true;
      const cpu0 = cpuMicros();
      const t0 = performance.now();
      setTimeout(() => {
        const cpu = cpuMicros() - cpu0;
        const wall = (performance.now() - t0) * 1000;
        report({ pairs, cpuMicros: cpu, wallMicros: wall });
        process.exit(0);
      }, seconds * 1000);
    }, 1000);
  });
} else if (mode === 'bare-sockets') {
  // Node's floor for the media pattern itself: as many sockets as legs, each sending one 172-byte datagram per
  // 20 ms tick to the echo (connected, no callback) and counting what comes back — no RTP, no codec.
  const [count, seconds] = args.map(Number);
  const echoPorts = args[2].split(',').map(Number);
  const packet = Buffer.alloc(172, 0x55);
  let sent = 0;
  let received = 0;
  const sockets = [];
  for (let i = 0; i < count; i++) {
    const socket = dgram.createSocket('udp4');
    socket.on('message', () => received++);
    await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
    await new Promise((resolve) => socket.connect(echoPorts[i % echoPorts.length], '127.0.0.1', resolve));
    sockets.push(socket);
  }
  const origin = performance.now();
  let ticks = 0;
  const tick = () => {
    for (const socket of sockets) socket.send(packet);
    sent += sockets.length;
    ticks++;
    setTimeout(tick, Math.max(0, origin + (ticks + 1) * 20 - performance.now()));
  };
  tick();
  await until(() => received >= count * WARM_PACKETS);
  const [sent0, received0, cpu0, usage0, t0] = [sent, received, cpuMicros(), process.cpuUsage(), performance.now()];
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const usage = process.cpuUsage(usage0);
  report({
    legs: count, sent: sent - sent0, received: received - received0, lost: 0, jitterMaxMs: 0, jitterMeanMs: 0,
    cpuMicros: cpuMicros() - cpu0, wallMicros: (performance.now() - t0) * 1000,
    systemShare: usage.system / (usage.user + usage.system),
  });
  process.exit(0);
} else {
  const [count, seconds] = args.map(Number);
  const echoPorts = args[2].split(',').map(Number);
  let opened = 0;
  const { SystemClock } = await import('../../dist/adapters/node/system-clock.js');
  const { CryptoRandom } = await import('../../dist/adapters/node/crypto-random.js');
  const { UdpRtpSocketFactory } = await import('../../dist/adapters/node/udp-rtp-socket.js');
  const { IdGenerator } = await import('../../dist/application/id-generator.js');
  const { MediaSession } = await import('../../dist/application/media/media-session.js');
  const clock = new SystemClock();
  const ids = new IdGenerator(new CryptoRandom());
  const base = Number(process.env.MEDIA_PORT_BASE ?? 20000);
  const factory = new UdpRtpSocketFactory({ host: '127.0.0.1', portMin: base, portMax: base + 9999 });
  const open = async (codec) => {
    const made = await MediaSession.open(factory, clock, ids, 'bench');
    if (made._tag !== 'Right') throw new Error(made.left.detail);
    const session = made.right;
    const port = echoPorts[opened++ % echoPorts.length];
    // Every leg talks to the echo, which sends each packet back: 50 datagrams out and 50 in per second.
    session.configure({
      codec, payloadType: codec === 'PCMU' ? 0 : 8, direction: 'sendrecv', telephoneEventPayloadType: 101,
      remote: { host: '127.0.0.1', port }, remoteRtcpPort: port,
    });
    return session;
  };
  // A bridge as BridgeService wires one: each member's sink keeps its newest frame, its source mixes the others'.
  const bridge = (members) => {
    const latest = members.map(() => new Int16Array(160));
    members.forEach((session, i) => {
      session.setSink({ kind: 'callback', onFrame: (frame) => latest[i].set(frame.subarray(0, 160)) });
      session.setSource({ kind: 'callback', fill: (out) => {
        out.fill(0);
        for (let j = 0; j < members.length; j++) {
          if (j === i) continue;
          const f = latest[j];
          for (let k = 0; k < 160; k++) out[k] = Math.max(-32768, Math.min(32767, out[k] + f[k]));
        }
      } });
    });
  };
  const sessions = [];
  const legs = mode === 'relay' ? 2 : mode === 'conference' ? 3 : 1;
  for (let i = 0; i < count; i++) {
    // A relayed call transcodes: PCMU on one leg, PCMA on the other.
    const group = [];
    for (let j = 0; j < legs; j++) group.push(await open(j === 1 ? 'PCMA' : 'PCMU'));
    if (legs === 1) group[0].setSource({ kind: 'tone', frequenciesHz: [440] });
    else bridge(group);
    sessions.push(...group);
  }
  // Started spread over one frame time, as calls arriving at random would be.
  sessions.forEach((s, i) => setTimeout(() => s.start(), (i * 20) / sessions.length));
  const totals = () => sessions.reduce((t, s) => {
    const st = s.statistics();
    return {
      sent: t.sent + st.packetsSent, received: t.received + st.packetsReceived, lost: t.lost + st.packetsLost,
      jitter: Math.max(t.jitter, st.jitterMs), jitterSum: t.jitterSum + st.jitterMs,
    };
  }, { sent: 0, received: 0, lost: 0, jitter: 0, jitterSum: 0 });
  await until(() => sessions.every((s) => s.statistics().packetsReceived >= WARM_PACKETS));
  const before = totals();
  const cpu0 = cpuMicros();
  const usage0 = process.cpuUsage();
  const systemShare = () => {
    const u = process.cpuUsage(usage0);
    return u.system / (u.user + u.system);
  };
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = cpuMicros() - cpu0;
  const wall = (performance.now() - t0) * 1000;
  const after = totals();
  report({
    legs: sessions.length, sent: after.sent - before.sent, received: after.received - before.received,
    lost: after.lost - before.lost, jitterMaxMs: after.jitter, jitterMeanMs: after.jitterSum / sessions.length,
    cpuMicros: cpu, wallMicros: wall, systemShare: systemShare(),
  });
  await Promise.all(sessions.map((s) => s.close()));
  process.exit(0);
}
