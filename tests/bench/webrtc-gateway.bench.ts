/**
 * Browsers to phones (`npm run bench -- webrtc`): a B2BUA in its own process bridges N concurrent calls,
 * each from a WebRTC leg (ICE, DTLS-SRTP, 20 ms PCMU both ways) to a plain RTP far end — the gateway
 * case — and, in the same run, N calls whose first leg is plain RTP too: the gateway's CPU per call, the
 * calls one core carries at that cost, and the ratio between the two. The WebRTC legs are a browser's
 * media stack cut to the bone (tests/support/webrtc-leg.ts) so that they, not the load generator, fit on
 * the machine. Then SIP over secure WebSocket: OPTIONS per second through one WSS connection and through
 * eight, beside the same over UDP.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { SessionManagerBuilder } from '../../adapters/composition/index.js';
import { WeriftDtlsEngine } from '../../adapters/node/werift-dtls.js';
import type { SessionCoordinator } from '../../application/session/session-coordinator.js';
import { CallDecision } from '../../domain/session/call-decision.js';
import { createAuthority } from '../../examples/support/certificates.js';
import { WebRtcLeg } from '../support/webrtc-leg.js';
import { waitFor } from '../support/wait.js';

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'webrtc-gateway-worker.mjs');
const CALLS = Number(process.env['WEBRTC_BENCH_CALLS'] ?? 250);
const SECONDS = Number(process.env['WEBRTC_BENCH_SECONDS'] ?? 8);

interface Measured {
  readonly cpuMicros: number;
  readonly wallMicros: number;
  readonly calls: number;
}

const startGateway = async (farEnd: string) => {
  // WEBRTC_BENCH_NODE_ARGS: flags for the gateway's node (`--cpu-prof --cpu-prof-dir=DIR` to profile it).
  const flags = (process.env['WEBRTC_BENCH_NODE_ARGS'] ?? '').split(' ').filter((f) => f !== '');
  const child = spawn(process.execPath, [...flags, worker, farEnd, '30000-35999'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async <T>(): Promise<T> => JSON.parse(String((await lines.next()).value)) as T;
  const { port } = await next<{ port: number }>();
  return {
    port,
    measure: (seconds: number): Promise<Measured> => {
      child.stdin.write(`measure ${seconds}\n`);
      return next<Measured>();
    },
    stop: async (): Promise<void> => {
      child.stdin.write('stop\n');
      await new Promise((resolve) => child.once('close', resolve));
    },
  };
};

const farEnd = async (): Promise<SessionCoordinator> => {
  let coordinator!: SessionCoordinator;
  coordinator = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMediaPorts(36000, 37999)
    .withMaxSessions(100_000).withMaxSessionsPerUser(100_000)
    .withHandler({
      onIncomingCall: () => CallDecision.accept(),
      onCallEstablished: (call) => coordinator.startAudioTransmission(call.id, { kind: 'tone', frequenciesHz: [440] }),
    }).build();
  await coordinator.start();
  return coordinator;
};

/** N calls through the gateway, their first legs WebRTC (with an engine) or plain RTP; the gateway's cost. */
const load = async (far: SessionCoordinator, engine: WeriftDtlsEngine | undefined) => {
  const gateway = await startGateway(`sip:far@127.0.0.1:${far.localEndpoint!.port}`);
  const answers = new Map<string, (sdp: string) => void>();
  const caller = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMedia('sdp-only')
    .withMaxSessions(100_000).withMaxSessionsPerUser(100_000)
    .withHandler({
      onIncomingCall: () => CallDecision.reject(403),
      onCallEstablished: (call, _local, remote) => answers.get(call.id)?.(remote ?? ''),
    }).build();
  await caller.start();
  const legs: WebRtcLeg[] = [];
  const setUpStarted = performance.now();
  for (let batch = 0; batch < CALLS; batch += 25) {
    await Promise.all(Array.from({ length: Math.min(25, CALLS - batch) }, async () => {
      const leg = await WebRtcLeg.open(engine);
      legs.push(leg);
      let answered: (sdp: string) => void = () => undefined;
      const sdp = new Promise<string>((resolve) => (answered = resolve));
      const call = await caller.createOutgoingCall('sip:browser@127.0.0.1', `sip:gw@127.0.0.1:${gateway.port}`,
        leg.offer());
      answers.set(call.id, answered);
      await leg.connect(await sdp);
    }));
  }
  const setUpMs = performance.now() - setUpStarted;
  const ticker = setInterval(() => {
    for (const leg of legs) leg.tick();
  }, 20);
  await waitFor(() => legs.every((l) => l.received >= 25), 60_000, 'audio on every leg');
  const before = legs.reduce((n, l) => n + l.received, 0);
  const sentBefore = legs.reduce((n, l) => n + l.sent, 0);
  const measured = await gateway.measure(SECONDS);
  const received = legs.reduce((n, l) => n + l.received, 0) - before;
  const sent = legs.reduce((n, l) => n + l.sent, 0) - sentBefore;
  const refused = legs.reduce((n, l) => n + l.refused, 0);
  clearInterval(ticker);
  await caller.stop();
  await gateway.stop();
  for (const leg of legs) leg.close();
  return { measured, received, sent, refused, setUpMs };
};

/** An OPTIONS whose Via names `sentBy` (a WebSocket client's .invalid host, or the UDP client's address). */
const options = (via: string, c: number, n: number): string =>
  `OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/${via};branch=z9hG4bK${c}x${n};rport\r\n`
  + `Max-Forwards: 70\r\nFrom: <sip:b@127.0.0.1>;tag=${c}\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: ${c}-${n}\r\n`
  + 'CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';

/** Answers per second while `send` keeps `inFlight` requests outstanding on each of `streams`, after 1 s of warm-up. */
const answeredPerSecond = async (
  streams: number, inFlight: number, open: (stream: number, answered: () => void) => (n: number) => void,
): Promise<number> => {
  let answered = 0;
  let counting = false;
  for (let c = 0; c < streams; c++) {
    let n = 0;
    const send = open(c, () => {
      if (counting) answered++;
      send(++n);
    });
    for (let i = 0; i < inFlight; i++) send(++n);
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  counting = true;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 500));
  counting = false;
  return answered / ((performance.now() - started) / 1000);
};

const udpRate = async (): Promise<number> => {
  const server = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withMedia(false).build();
  await server.start();
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = server.localEndpoint!.port;
  const rate = await answeredPerSecond(1, 32, (c, answered) => {
    socket.on('message', answered);
    const via = `UDP 127.0.0.1:${socket.address().port}`;
    return (n) => socket.send(options(via, c, n), port, '127.0.0.1');
  });
  socket.close();
  await server.stop();
  return rate;
};

const wssRate = async (connections: number): Promise<number> => {
  const ca = createAuthority();
  const leaf = ca.issue({ commonName: 'localhost', names: ['127.0.0.1'] });
  const server = await new SessionManagerBuilder().withLocalBindAddr('127.0.0.1:0').withTransports(['wss', 'udp'])
    .withTls({ ...leaf }).withMedia(false).build();
  await server.start();
  const url = `wss://127.0.0.1:${server.localEndpointFor('wss')!.port}/`;
  const sockets = await Promise.all(Array.from({ length: connections }, () => new Promise<WebSocket>((resolve) => {
    const socket = new WebSocket(url, ['sip'], { ca: ca.cert });
    socket.once('open', () => resolve(socket));
  })));
  const rate = await answeredPerSecond(connections, 32, (c, answered) => {
    const socket = sockets[c]!;
    socket.on('message', answered);
    return (n) => socket.send(options(`WSS c${c}.invalid`, c, n));
  });
  for (const socket of sockets) socket.terminate();
  await server.stop();
  return rate;
};

export const run = async (): Promise<void> => {
  const far = await farEnd();
  const engine = await WeriftDtlsEngine.create();
  try {
    const results: Array<[string, Awaited<ReturnType<typeof load>>]> = [];
    for (const [label, e] of [['plain RTP ⇄ RTP', undefined], ['WebRTC (DTLS-SRTP) ⇄ RTP', engine]] as const) {
      const r = await load(far, e);
      results.push([label, r]);
      const share = r.measured.cpuMicros / r.measured.wallMicros;
      const loss = r.sent === 0 ? 0 : Math.max(0, 100 * (1 - r.received / r.sent));
      console.log(`${label}: ${r.measured.calls} calls bridged at ${(100 * share).toFixed(1)} % of a core → `
        + `${Math.round(r.measured.calls / share)} calls per core; ${(1e6 * share / r.measured.calls).toFixed(0)} µs `
        + `CPU per call per second; set-up of ${CALLS} calls ${(r.setUpMs / 1000).toFixed(1)} s; audio back to the `
        + `first legs ${loss.toFixed(2)} % short, ${r.refused} SRTP packets refused`);
    }
    const [plain, webrtc] = results.map(([, r]) => r.measured.cpuMicros / r.measured.wallMicros / r.measured.calls);
    console.log(`WebRTC leg cost ratio (same run): ${(webrtc! / plain!).toFixed(2)} × a plain RTP leg's call`);
  } finally {
    await far.stop();
  }
  const one = await wssRate(1);
  const eight = await wssRate(8);
  const udp = await udpRate();
  console.log(`SIP over WSS: ${Math.round(one)} OPTIONS/s answered over one connection, ${Math.round(eight)} over `
    + `eight (32 in flight each); over UDP from one socket ${Math.round(udp)}/s — WSS/UDP ${(eight / udp).toFixed(2)}`);
};
