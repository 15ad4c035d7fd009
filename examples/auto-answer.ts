/**
 * An auto-answering SIP endpoint to point SIPp, baresip or a PBX at.
 *
 *   npx tsx examples/auto-answer.ts --port 5080
 */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { nextToneFrame, tone } from '../domain/media/index.js';
import {
  CallDecision, NodeWavFiles, PinoLogger, SessionManagerBuilder,
  type AudioSource, type CallHandler, type SessionCoordinator,
} from '../adapters/composition/index.js';
import { commandLine, integerFlag, sipHost, usageError } from './support/command-line.js';
import { applySecurity, SECURITY_HELP, SECURITY_OPTIONS } from './support/security-flags.js';
import { OPS_HELP, OPS_OPTIONS, prepareOps } from './support/ops-flags.js';

const HELP = `Usage: npx tsx examples/auto-answer.ts [options]

Answers every incoming call with audio and logs each call. Over WS/WSS it also
accepts browsers' registrations and serves a softphone page on its port.

Options:
  --host HOST          address to bind and advertise (default 127.0.0.1)
  --port PORT          SIP port; 0 picks a free one (default 5080)
  --answer-after MS    ring with 180 for MS before answering (default 0)
  --early-media        with --answer-after: answer the caller's offer at once in
                       a 183 Session Progress and play a ringback tone (425 Hz,
                       1 s on, 4 s off) until answering (RFC 3960 early media)
  --wav FILE           play this WAV (16-bit PCM at 8 or 16 kHz, or G.711 A-law/µ-law;
                       streamed, looped) instead of a 440 Hz tone
  --record DIR         record each call, both directions, to DIR/<call id>.wav
                       (stereo: left what the caller said, right what we sent)
  --media-ports A-B    RTP port range (default 20000-29999)
  --no-media           answer with SDP as usual but open no RTP ports and send
                       no audio, as SIPp's uas does (signaling load tests)
  --max-sessions N     concurrent calls before 503 Service Unavailable (default 10000)
  --max-sessions-per-user N
                       concurrent calls from one caller (the user part of From)
                       before 503 (default: the same as --max-sessions, so a load
                       test or a trunk sending every call as one user is not capped
                       lower; a refusal is logged with the limit that fired)
  --register URI       register at this registrar (a PBX) so calls to our AOR
                       reach us; refreshed until we stop, then removed
  --aor URI            address of record to register (default sip:USER@REGISTRAR-HOST)
  --expires S          registration lifetime to ask for (default 3600)
  --proxy URI          send the registration through this proxy or SBC
  --user NAME          username for Digest challenges (401/407)
  --password PW        its password (or set SESSION_CORE_PASSWORD)
  --quiet              do not log each call
${SECURITY_HELP}
${OPS_HELP}
  --help               show this help

Prints a line containing "listening" with the bound address once ready;
stops gracefully (BYE/CANCEL live calls) on SIGINT or SIGTERM.`;

const NAME = 'auto-answer';
const { values } = commandLine(NAME, HELP, {
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '5080' },
    ...SECURITY_OPTIONS,
    ...OPS_OPTIONS,
    'answer-after': { type: 'string', default: '0' },
    'early-media': { type: 'boolean', default: false },
    wav: { type: 'string' },
    record: { type: 'string' },
    'media-ports': { type: 'string', default: '20000-29999' },
    'no-media': { type: 'boolean', default: false },
    'max-sessions': { type: 'string', default: '10000' },
    'max-sessions-per-user': { type: 'string' },
    register: { type: 'string' },
    aor: { type: 'string' },
    expires: { type: 'string', default: '3600' },
    proxy: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

/** One ringback cadence (425 Hz, 1 s on, 4 s off, as most of Europe hears it), played in a loop. */
const RINGBACK = ((): Int16Array => {
  const samples = new Int16Array(5 * 8000);
  nextToneFrame(tone(425, 6000), samples.subarray(0, 8000));
  return samples;
})();

const fail = (message: string): never => usageError(NAME, HELP, message);

const main = async (): Promise<void> => {
  const answerAfterMs = integerFlag(NAME, HELP, 'answer-after', values['answer-after']);
  if (values['early-media'] && answerAfterMs === 0) fail(
    '--early-media needs --answer-after (a call answered at once has no time for it)',
  );
  const withMedia = !values['no-media'];
  const mediaFlag = values['early-media'] ? '--early-media' : values.wav !== undefined ? '--wav'
    : values.record !== undefined ? '--record' : undefined;
  if (!withMedia && mediaFlag !== undefined) fail(`--no-media sends no audio: it cannot go with ${mediaFlag}`);
  const password = values.password ?? process.env['SESSION_CORE_PASSWORD'];
  if (values.user !== undefined && password === undefined) fail('--user needs --password (or SESSION_CORE_PASSWORD)');
  const expiresSec = integerFlag(NAME, HELP, 'expires', values.expires, 1);
  const maxSessions = integerFlag(NAME, HELP, 'max-sessions', values['max-sessions'], 1);
  const maxPerUser = values['max-sessions-per-user'] === undefined
    ? maxSessions : integerFlag(NAME, HELP, 'max-sessions-per-user', values['max-sessions-per-user'], 1);
  const [portMin, portMax] = values['media-ports'].split('-').map(Number);
  const source: AudioSource = { kind: 'tone', frequenciesHz: [440], amplitude: 6000 };
  const wav = values.wav;
  if (wav !== undefined) {
    // Checked once now (the format, that it opens); each call streams it from disk.
    const probe = await new NodeWavFiles().openForPlayback(wav, { loop: false });
    if (probe._tag === 'Left') fail(probe.left.detail);
    else await probe.right.close();
  }
  const recordDir = values.record;
  if (recordDir !== undefined) {
    try {
      accessSync(recordDir, constants.W_OK);
    } catch (error) {
      fail(`--record: ${(error as Error).message}`);
    }
  }
  const log = (line: string): void => {
    if (!values.quiet) console.log(`${new Date().toISOString()} ${line}`);
  };
  const handler: CallHandler = {
    onIncomingCall: (call, handle) => {
      log(`incoming ${call.id} from ${call.from} to ${call.to}`);
      if (answerAfterMs === 0) return CallDecision.accept();
      setTimeout(() => void handle.accept().catch(() => undefined), answerAfterMs);
      if (values['early-media']) {
        // Once the decision is in (the call rings), the ringback goes out as early media.
        setTimeout(() => void handle.sendEarlyMedia()
          .then(() => handle.play({ kind: 'samples', samples: RINGBACK, loop: true }))
          .then(() => log(`early media ${call.id}`),
            (error: unknown) => log(`no early media for ${call.id}: ${(error as Error).message}`)), 0);
      }
      return CallDecision.defer();
    },
    onCallEstablished: (call, _local, _remote, handle) => {
      log(`answered ${call.id}`);
      if (!withMedia) return;
      // The caller may have hung up already: a failure is logged, nothing more.
      if (wav !== undefined) void coordinator.playFile(call.id, wav, { loop: true })
        .catch((error: unknown) => log(`cannot play ${wav} on ${call.id}: ${(error as Error).message}`));
      else try {
        handle.play(source);
      } catch {
        // Already gone.
      }
      if (recordDir !== undefined) {
        const file = join(recordDir, `${call.id}.wav`);
        void coordinator.startRecording(call.id, file, { direction: 'both' }).then(
          () => log(`recording ${call.id} to ${file}`),
          (error: unknown) => log(`cannot record ${call.id}: ${(error as Error).message}`),
        );
      }
    },
    onCallEnded: (call, reason) => log(`ended ${call.id}: ${reason}`),
    onDtmf: (call, digit) => log(`dtmf ${call.id}: ${digit}`),
  };
  let coordinator: SessionCoordinator;
  let transports: ReadonlyArray<string> = [];
  const builder = new SessionManagerBuilder();
  prepareOps(NAME, HELP, values, builder);
  try {
    const security = applySecurity(NAME, HELP, builder, values, values.register === undefined ? [] : [values.register]);
    transports = security.transports;
    if (security.note !== undefined) console.log(security.note);
    if (values.user !== undefined && password !== undefined) builder.withCredentials(values.user, password);
    // Browsers register before they call: over WebSocket we keep their bindings too.
    if (transports.includes('ws') || transports.includes('wss')) builder.withRegistrar();
    if (values.proxy !== undefined) builder.withOutboundProxy(values.proxy);
    coordinator = await builder
      .withLocalBindAddr(`${sipHost(values.host)}:${values.port}`)
      .withMediaPorts(portMin ?? 20000, portMax ?? 29999)
      .withMedia(withMedia ? true : 'sdp-only')
      .withMaxSessions(maxSessions)
      .withMaxSessionsPerUser(maxPerUser)
      .withDeferTimeout(Math.max(30_000, answerAfterMs + 5_000))
      .withHandler(handler)
      .withLogger(PinoLogger.create({ level: 'warn' }))
      .build();
  } catch (error) {
    return fail((error as Error).message);
  }
  await coordinator.start();
  // Only the events printed: a subscriber for every type would be handed several per call for nothing.
  coordinator.events.subscribe((event) => {
    if (event.type === 'HoldChanged') log(`${event.onHold ? 'held' : 'resumed'} ${event.sessionId}`);
    if (event.type === 'RegistrationChanged' && event.state !== 'Registering') {
      const granted = event.expiresSec === undefined ? '' : ` (expires ${event.expiresSec} s)`;
      console.log(
        `registration of ${event.aor}: ${event.state}${granted}`
        + (event.status === undefined ? '' : ` (${event.status})`),
      );
    }
  }, { types: ['HoldChanged', 'RegistrationChanged'] });
  const tls = transports.includes('tls') && transports.length > 1
    ? `, tls on ${coordinator.localEndpointFor('tls')?.port}` : '';
  console.log(
    `auto-answer listening on ${sipHost(values.host)}:${coordinator.localEndpoint?.port} `
    + `(${transports.join('+')}${tls})`,
  );
  const web = transports.find((p) => p === 'ws' || p === 'wss');
  if (web !== undefined) console.log(
    `softphone page on ${web === 'wss' ? 'https' : 'http'}://${sipHost(values.host)}:${coordinator.localEndpointFor(web)
      ?.port}/`,
  );
  if (values.register !== undefined) {
    try {
      await coordinator.register(
        values.register, { expiresSec, ...(values.aor === undefined ? {} : { aor: values.aor }) },
      );
    } catch (error) {
      console.error(`auto-answer: registration failed: ${(error as Error).message}`);
      await coordinator.stop();
      process.exit(1);
    }
  }
  const shutdown = async (): Promise<void> => {
    console.log('auto-answer stopping');
    await coordinator.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
};

void main();
