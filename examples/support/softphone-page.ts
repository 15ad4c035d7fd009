/**
 * A small softphone for browsers, served by the examples on their WebSocket port: SIP.js (from npm, served
 * from node_modules — no CDN) over WSS, WebRTC audio, register, call, answer, hang-up, hold, a DTMF keypad
 * (RFC 4733 through the browser's RTCDTMFSender) and the call's quality figures. Tests drive it through
 * `window.softphone`.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Where SIP.js's ES modules are, found once (a development dependency: absent, the page says so). */
let sipJsRoot: string | undefined;
const sipJsLibrary = (): string | undefined => {
  try {
    sipJsRoot ??= dirname(createRequire(import.meta.url).resolve('sip.js'));
  } catch {
    // Not installed: asked again next time, in case it is by then.
  }
  return sipJsRoot;
};

const HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>session-core softphone</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 15px system-ui, sans-serif; max-width: 34em; margin: 2em auto; color: #222; }
fieldset { border: 1px solid #ccc; margin: 0 0 1em; } input { width: 12em; }
#keypad { display: grid; grid-template-columns: repeat(3, 3em); gap: .3em; }
#keypad button { height: 2.4em; } table td { padding: 0 1em 0 0; } #status { font-weight: bold; }
</style></head><body>
<h1>session-core softphone</h1>
<fieldset><legend>Account</legend>
<label>User <input id="user" autocomplete="username"></label>
<label>Domain <input id="domain"></label><br>
<label>Password <input id="password" type="password" autocomplete="current-password"></label>
<button id="register">Register</button></fieldset>
<fieldset><legend>Call</legend>
<input id="target" placeholder="sip:someone@domain"> <button id="call" disabled>Call</button>
<button id="answer" disabled>Answer</button> <button id="hangup" disabled>Hang up</button>
<button id="hold" disabled>Hold</button>
<div id="keypad"></div></fieldset>
<p>Status: <span id="status">idle</span></p>
<table><tr><td>MOS</td><td id="mos">–</td></tr><tr><td>Loss</td><td id="loss">–</td></tr>
<tr><td>Jitter</td><td id="jitter">–</td></tr><tr><td>Round trip</td><td id="rtt">–</td></tr>
<tr><td>Heard</td><td id="heard">–</td></tr></table>
<audio id="remote" autoplay></audio>
<script type="module" src="softphone.js"></script>
</body></html>
`;

const SCRIPT = `import { Web } from './sip.js/index.js';
const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
for (const key of ['user', 'domain', 'password', 'target']) if (query.has(key)) $(key).value = query.get(key);
if ($('domain').value === '') $('domain').value = location.hostname;
if ($('user').value === '') $('user').value = 'web' + Math.floor(Math.random() * 1e6);
const server = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + location.pathname;
const state = { status: 'idle', registered: false, answered: 0, ringing: false, held: false, dtmfSent: '' };
let phone;
let analyser;
const setStatus = (text) => { state.status = text; $('status').textContent = text; };
const inCall = (on) => { for (const id of ['hangup', 'hold']) $(id).disabled = !on; };
const session = () => phone?.session;

async function register() {
  const aor = 'sip:' + $('user').value + '@' + $('domain').value;
  phone = new Web.SimpleUser(server, {
    aor, media: { constraints: { audio: true, video: false }, remote: { audio: $('remote') } },
    userAgentOptions: {
      authorizationUsername: $('user').value, authorizationPassword: $('password').value, logLevel: 'warn',
    },
    delegate: {
      onCallReceived: () => {
        state.ringing = true; setStatus('ringing'); $('answer').disabled = false;
        if (query.has('autoanswer')) answer();
      },
      onCallAnswered: () => {
        state.ringing = false; state.answered++; setStatus('in call'); $('answer').disabled = true; inCall(true);
        listen();
      },
      onCallHangup: () => { state.ringing = false; setStatus('call ended'); inCall(false); },
      onCallHold: (held) => { state.held = held; setStatus(held ? 'on hold' : 'in call'); },
      onRegistered: () => { state.registered = true; setStatus('registered'); $('call').disabled = false; },
      onUnregistered: () => { state.registered = false; },
      onServerDisconnect: () => { state.registered = false; setStatus('disconnected'); },
    },
  });
  await phone.connect();
  await phone.register();
}
const call = () => phone.call($('target').value);
const answer = () => phone.answer();
const hangup = () => phone.hangup();
const hold = () => phone.hold();
const unhold = () => phone.unhold();
function dtmf(digit) {
  // RFC 4733 events in the media, as a phone sends them; INFO only if the browser cannot.
  const sent = session()?.sessionDescriptionHandler?.sendDtmf(digit);
  if (!sent) phone.sendDTMF(digit);
  state.dtmfSent += digit;
}
function listen() {
  const stream = $('remote').srcObject;
  if (!stream) return;
  const context = new AudioContext();
  analyser = context.createAnalyser();
  analyser.fftSize = 8192;
  context.createMediaStreamSource(stream).connect(analyser);
}
/** The loudest frequency of what the far end sends, in Hz (0 when silent). */
function heardHz() {
  if (!analyser) return 0;
  const bins = new Float32Array(analyser.frequencyBinCount);
  analyser.getFloatFrequencyData(bins);
  let best = 1;
  for (let i = 2; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
  return bins[best] < -80 ? 0 : Math.round((best * analyser.context.sampleRate) / analyser.fftSize);
}
/** MOS by the E-model's simple form (ITU-T G.107), from what the browser measures. */
function mos(lossPercent, jitterMs, rttMs) {
  const delay = rttMs / 2 + 2 * jitterMs + 10;
  const r = 93.2 - (delay < 160 ? delay / 40 : (delay - 120) / 10) - 2.5 * lossPercent;
  return r < 0 ? 1 : Math.min(4.5, 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r));
}
const quality = {};
setInterval(async () => {
  const pc = session()?.sessionDescriptionHandler?.peerConnection;
  const hz = heardHz();
  $('heard').textContent = hz === 0 ? 'silence' : hz + ' Hz';
  if (!pc) return;
  for (const report of (await pc.getStats()).values()) {
    if (report.type === 'inbound-rtp' && report.kind === 'audio') {
      const total = report.packetsReceived + report.packetsLost;
      quality.lossPercent = total > 0 ? (100 * report.packetsLost) / total : 0;
      quality.jitterMs = report.jitter * 1000;
      quality.packetsReceived = report.packetsReceived;
    }
    if (report.type === 'remote-inbound-rtp' && report.roundTripTime !== undefined) {
      quality.rttMs = report.roundTripTime * 1000;
    }
  }
  if (quality.jitterMs === undefined) return;
  quality.mos = mos(quality.lossPercent, quality.jitterMs, quality.rttMs ?? 0);
  $('mos').textContent = quality.mos.toFixed(2);
  $('loss').textContent = quality.lossPercent.toFixed(1) + ' %';
  $('jitter').textContent = quality.jitterMs.toFixed(1) + ' ms';
  $('rtt').textContent = quality.rttMs === undefined ? '–' : quality.rttMs.toFixed(0) + ' ms';
}, 1000);
for (const digit of '123456789*0#') {
  const button = document.createElement('button');
  button.textContent = digit;
  button.addEventListener('click', () => dtmf(digit));
  $('keypad').append(button);
}
$('register').addEventListener('click', () => register().catch((e) => setStatus('failed: ' + e.message)));
$('call').addEventListener('click', () => call().catch((e) => setStatus('failed: ' + e.message)));
$('answer').addEventListener('click', () => answer());
$('hangup').addEventListener('click', () => hangup());
$('hold').addEventListener('click', () => (state.held ? unhold() : hold()));
window.softphone = { state, quality, heardHz, register, call, answer, hangup, hold, unhold, dtmf };
if (query.has('register')) register().catch((e) => setStatus('failed: ' + e.message));
`;

const HEADERS = {
  'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'",
} as const;

/** A path of SIP.js's library: letters, digits, dashes and slashes ending in .js — never `..`. */
const LIBRARY_FILE = /^\/sip\.js\/((?:[a-z0-9-]+\/)*[a-z0-9.-]+\.js)$/;

/**
 * Serves the softphone: `/` (or the WebSocket path) the page, `softphone.js` its script, `sip.js/…` the
 * library's ES modules. Anything else is 404; only GET and HEAD are answered.
 */
export const softphonePage = (path = '/') => (request: IncomingMessage, response: ServerResponse): void => {
  const url = (request.url ?? '/').split('?')[0] ?? '/';
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': '0' }).end();
    return;
  }
  const base = path.endsWith('/') ? path : `${path}/`;
  const relative = url === path ? '/' : url.startsWith(base) ? `/${url.slice(base.length)}` : undefined;
  const send = (type: string, body: string | Buffer): void => {
    response.writeHead(200, { ...HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    response.end(request.method === 'HEAD' ? undefined : body);
  };
  if (relative === '/') return send('text/html; charset=utf-8', HTML);
  if (relative === '/softphone.js') return send('text/javascript; charset=utf-8', SCRIPT);
  if (url === '/favicon.ico') {
    response.writeHead(204, HEADERS).end();
    return;
  }
  const library = relative === undefined ? null : LIBRARY_FILE.exec(relative);
  if (library === null) {
    response.writeHead(404, { ...HEADERS, 'Content-Length': '0' }).end();
    return;
  }
  const root = sipJsLibrary();
  if (root === undefined) {
    response.writeHead(503, { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8' })
      .end('SIP.js is not installed here: run npm ci in session-core');
    return;
  }
  readFile(join(root, library[1] as string)).then(
    (body) => send('text/javascript; charset=utf-8', body),
    () => response.writeHead(404, { ...HEADERS, 'Content-Length': '0' }).end(),
  );
};
