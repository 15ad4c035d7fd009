/**
 * The dashboard in a real browser: headless Chromium opens examples/auto-answer.ts --http, SIPp places a
 * call, the call shows in the live table, its ladder reads INVITE / 200 / ACK and then BYE, it leaves the
 * table when hung up (through the control API), a screenshot is kept, and the page logs no error.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { launchChromium, requireChromium } from '../support/chromium.js';
import { controlClient } from '../support/control-client.js';
import { startExample } from '../support/example-process.js';
import { requireSipp, runSipp } from '../support/sipp.js';

const scenarios = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sipp');
const OPS = /operations on http:\/\/127\.0\.0\.1:(\d+)/;
const SIP = /listening on 127\.0\.0\.1:(\d+)/;

test('dashboard in Chromium: a SIPp call appears live, its ladder shows INVITE/200/ACK/BYE, it leaves after hang-up', async (t) => {
  if (!requireSipp(t) || !requireChromium(t)) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'dashboard-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const server = await startExample('auto-answer', [
    '--port', '0', '--media-ports', '47100-47199', '--http', '127.0.0.1:0',
  ], SIP);
  t.teardown(() => server.child.kill('SIGKILL'));
  const http = `http://127.0.0.1:${OPS.exec(server.output())![1]}`;
  const sipPort = SIP.exec(server.output())![1]!;

  const chromium = await launchChromium();
  t.teardown(() => chromium.close());
  const page = await chromium.browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  await page.goto(`${http}/`);
  // Page code as strings: the test compiles without the DOM's types.
  const inPage = <T>(expression: string): Promise<T> => page.evaluate(expression) as Promise<T>;
  const until = (expression: string): Promise<unknown> => page.waitForFunction(expression, { timeout: 30_000 });
  await until(`document.getElementById('status')?.textContent === 'live'`);

  // SIPp calls and waits for our BYE.
  const sipp = runSipp(['-sf', path.join(scenarios, 'uac-waits-bye.xml'), '-s', 'dashboard', '-m', '1', '-i',
    '127.0.0.1', '-timeout', '60s', `127.0.0.1:${sipPort}`], 90_000);
  const row = await page.waitForSelector('#calls tr.call', { timeout: 30_000 });
  const lagMs = Number(await inPage<string>(`document.querySelector('#calls tr.call').dataset.lagMs`));
  t.true(lagMs < 1_000, `the call reached the table ${lagMs} ms after the server published it`);
  t.log(`bus → table: ${lagMs} ms`);
  await until(`document.querySelector('#calls tr.call td:nth-child(3)')?.textContent === 'Connected'`);
  const rowText = await inPage<string>(`document.querySelector('#calls tr.call').textContent`);
  t.regex(rowText, /sipp@127\.0\.0\.1.*dashboard@/);
  const id = await inPage<string>(`document.querySelector('#calls tr.call').dataset.id`);
  await row!.click();
  const labels = (): Promise<string[]> =>
    inPage(`[...document.querySelectorAll('#ladder text.label')].map((n) => n.textContent)`);
  await until(`document.querySelectorAll('#ladder text.label').length >= 3`);
  t.deepEqual((await labels()).slice(0, 3).map((l) => l.split(' ')[0]), ['INVITE', '200', 'ACK']);

  // Hung up from the control API: the row leaves the live table and the ladder gains the BYE.
  t.is((await controlClient(http).delete(`/calls/${id}`)).status, 204);
  await until(`document.querySelector('#calls tr[data-id=${JSON.stringify(id)}]') === null`);
  await until(`[...document.querySelectorAll('#ladder text.label')].some((n) => n.textContent === 'BYE')`);
  t.true((await labels()).includes('BYE'));
  const ended = await sipp;
  t.is(ended.successful, 1, ended.errors || ended.stdout.slice(-800));
  await until(`document.querySelectorAll('#ended tr').length === 1`);

  const shot = path.join(dir, 'dashboard.png');
  await page.screenshot({ path: shot, fullPage: true });
  t.true(statSync(shot).size > 1_000);
  t.deepEqual(problems, []);
});
