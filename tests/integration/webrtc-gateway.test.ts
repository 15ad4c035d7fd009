/**
 * Browser ⇄ phone through examples/webrtc-gateway.ts, both ways: headless Chromium (the softphone page,
 * WSS + WebRTC, its microphone a 440 Hz tone) and baresip (SIP over UDP, plain RTP, a 1000 Hz tone) each
 * hear the other, whichever called.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { heardTone, requireBaresip, startBaresip } from '../support/baresip.js';
import { requireChromium } from '../support/chromium.js';
import { startExample, type RunningExample } from '../support/example-process.js';
import { createAuthority } from '../../examples/support/certificates.js';
import { freeUdpPort } from '../support/ports.js';
import { sipJsClient, trustForSipJs } from '../support/sipjs.js';
import { openSoftphone } from '../support/softphone-browser.js';
import { reached, waitFor } from '../support/wait.js';

const READY = /webrtc-gateway listening on 127\.0\.0\.1:(\d+) \(udp\), browsers on (https:\/\/127\.0\.0\.1:\d+\/)/;

const gateway = async (
  t: ExecutionContext, args: ReadonlyArray<string>, mediaPorts: string,
): Promise<{ gateway: RunningExample; sipPort: number; page: string }> => {
  const running = await startExample('webrtc-gateway', [
    '--port', '0', '--sip-port', '0', '--media-ports', mediaPorts, ...args,
  ], READY);
  t.teardown(() => running.child.kill('SIGKILL'));
  const [, sipPort, page] = READY.exec(running.output())!;
  return { gateway: running, sipPort: Number(sipPort), page: page! };
};

const temporary = (t: ExecutionContext): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'webrtc-gateway-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

test.serial('gateway: Chromium calls baresip (plain RTP) — each hears the other; the hang-up ends both legs',
  async (t) => {
    if (!requireChromium(t) || !requireBaresip(t)) return;
    const phonePort = await freeUdpPort();
    const phone = await startBaresip({ sipPort: phonePort, rtpPorts: [45300, 45399], answerMode: 'auto', toneHz: 1000 });
    t.teardown(() => phone.stop());
    const { gateway: g, page } = await gateway(t, ['--target', `sip:127.0.0.1:${phonePort}`], '45200-45299');
    const browser = await openSoftphone(
      t, temporary(t), `${page}?user=alice&register&target=${encodeURIComponent('sip:phone@127.0.0.1')}`, 440,
    );
    await browser.until('window.softphone?.state.registered === true');
    await browser.evaluate('window.softphone.call()');
    await browser.until(`window.softphone.state.status === 'in call'`);
    await phone.waitFor(/Call established/, 30_000);
    await browser.until('Math.abs(window.softphone.heardHz() - 1000) < 15');
    await reached(() => phone.decodedBytes(), 48_000, 'audio at baresip');
    // The keypad's RFC 4733 digit crosses the bridge from the WebRTC leg to the RTP one.
    await browser.evaluate(`window.softphone.dtmf('7')`);
    await phone.waitFor(/received event: '7'/, 30_000);
    await browser.evaluate('window.softphone.hangup()');
    await phone.waitFor(/terminated|closed|Call.*ended/i, 30_000);
    t.is(heardTone(await phone.decodedAudio()), 440, 'baresip heard the browser');
    await waitFor(() => (g.output().match(/ended sess-/g) ?? []).length === 2, 30_000, 'both legs ended');
    t.regex(g.output(), /call sess-\S+ from "sip:alice@127\.0\.0\.1" to "sip:phone@127\.0\.0\.1"/);
    t.deepEqual(browser.problems, []);
  });

test.serial('gateway: baresip calls the browser\'s registered user — the page rings, answers, both hear',
  async (t) => {
    if (!requireChromium(t) || !requireBaresip(t)) return;
    const { gateway: g, sipPort, page } = await gateway(t, [], '45400-45499');
    const browser = await openSoftphone(t, temporary(t), `${page}?user=carol&register&autoanswer`, 440);
    await browser.until('window.softphone?.state.registered === true');
    await waitFor(() => /registered "sip:carol@127\.0\.0\.1" at "sip:\S+\.invalid;transport=ws/.test(g.output()),
      30_000, 'carol registered over WSS');
    const phone = await startBaresip({ sipPort: 0, rtpPorts: [45500, 45599], answerMode: 'manual', toneHz: 1000 });
    t.teardown(() => phone.stop());
    phone.keys(`/dial sip:carol@127.0.0.1:${sipPort}\n`);
    await browser.until('window.softphone.state.answered === 1');
    await phone.waitFor(/Call established/, 30_000);
    await browser.until('Math.abs(window.softphone.heardHz() - 1000) < 15');
    await reached(() => phone.decodedBytes(), 48_000, 'audio at baresip');
    phone.keys('b');
    await browser.until(`window.softphone.state.status === 'call ended'`);
    t.is(heardTone(await phone.decodedAudio()), 440, 'baresip heard the browser');
    await waitFor(() => (g.output().match(/ended sess-/g) ?? []).length === 2, 30_000, 'both legs ended');
    t.deepEqual(browser.problems, []);
  });

test('gateway with --user: SIP.js over WSS registers with the right Digest password only; the password is never printed',
  async (t) => {
    const dir = temporary(t);
    const ca = createAuthority();
    const leaf = ca.issue({ commonName: 'localhost', names: ['localhost', '127.0.0.1'] });
    writeFileSync(path.join(dir, 'cert.pem'), leaf.cert);
    writeFileSync(path.join(dir, 'key.pem'), leaf.key, { mode: 0o600 });
    trustForSipJs(ca.cert);
    const { gateway: g, page } = await gateway(t, [
      '--user', 'dave:s3cret-pass', '--tls-cert', path.join(dir, 'cert.pem'), '--tls-key', path.join(dir, 'key.pem'),
    ], '45600-45699');
    const url = page.replace('https://', 'wss://');
    const dave = await sipJsClient(t, url, 'dave', '127.0.0.1', { password: 's3cret-pass' });
    await dave.register();
    await waitFor(() => /registered "sip:dave@127\.0\.0\.1"/.test(g.output()), 30_000, 'dave registered');
    const mallory = await sipJsClient(t, url, 'dave', '127.0.0.1', { password: 'guess' });
    await mallory.registerer.register();
    await waitFor(() => mallory.registerer.state === 'Unregistered' || mallory.registerer.state === 'Terminated',
      30_000, 'the wrong password refused');
    t.is((g.output().match(/registered "sip:dave/g) ?? []).length, 1, 'only the right password registered');
    g.child.kill('SIGTERM');
    await g.exited;
    t.notRegex(g.output(), /s3cret-pass|guess/);
  });
