/**
 * Real phones subscribing (RFC 6665) to examples/registrar.ts: baresip's mwi module subscribes to its
 * user's message-summary (answering the Digest challenge) and shows the messages waiting; its presence
 * module watches a buddy that goes Online when that user's phone registers and Offline when it leaves.
 */
import test from 'ava';
import { requireBaresip, startBaresip } from '../support/baresip.js';
import { startExample } from '../support/example-process.js';
import { freeSipPort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';

const startPbx = async () => {
  const pbx = await startExample('registrar', [
    '--port', '0', '--user', 'alice:wonder-land', '--user', 'bob:b0b-builds', '--media-ports', '48000-48499',
    // baresip 1.0 (libre) knows MD5 only.
    '--digest', 'MD5', '--mwi', 'alice:2/1',
  ], /registrar listening on 127\.0\.0\.1 \(udp:(\d+)\)/);
  return { pbx, port: Number(/udp:(\d+)/.exec(pbx.output())![1]) };
};

test('baresip mwi: its lamp shows the messages waiting that examples/registrar.ts --mwi publishes', async (t) => {
  if (!requireBaresip(t)) return;
  const { pbx, port } = await startPbx();
  t.teardown(() => pbx.child.kill('SIGKILL'));
  const alice = await startBaresip({
    sipPort: 0, rtpPorts: [48500, 48599], answerMode: 'auto', toneHz: 440, modules: ['mwi'],
    register: { registrarPort: port, user: 'alice', password: 'wonder-land' },
  });
  t.teardown(() => alice.stop());
  await alice.waitFor(new RegExp(String.raw`----- MWI for sip:alice@127\.0\.0\.1:\d+ -----\s+Messages-Waiting: yes\s+`
    + String.raw`Message-Account: sip:alice@127\.0\.0\.1\s+Voice-Message: 2/1`));
  t.pass();
});

test('baresip presence: a buddy goes Online when its phone registers and Offline when it unregisters', async (t) => {
  if (!requireBaresip(t)) return;
  const { pbx, port } = await startPbx();
  t.teardown(() => pbx.child.kill('SIGKILL'));
  // Its SUBSCRIBE's Contact names its listening port, where NOTIFYs come: a real one, not 0.
  const bob = await startBaresip({
    sipPort: await freeSipPort(), rtpPorts: [48600, 48699], answerMode: 'auto', toneHz: 1000, modules: ['presence'],
    register: { registrarPort: port, user: 'bob', password: 'b0b-builds' },
    contacts: [`"Alice" <sip:alice@127.0.0.1:${port}>;presence=p2p`],
  });
  t.teardown(() => bob.stop());
  await waitFor(() => /registered "sip:bob@127\.0\.0\.1"/.test(pbx.output()), 30_000, 'bob registered');
  const alice = await startBaresip({
    sipPort: 0, rtpPorts: [48700, 48799], answerMode: 'auto', toneHz: 440,
    register: { registrarPort: port, user: 'alice', password: 'wonder-land' },
  });
  t.teardown(() => alice.stop());
  // What its contact list says of Alice now (asked at its console until it says `status`).
  const shows = async (status: 'Online' | 'Offline'): Promise<void> => {
    const seen = (): string | undefined =>
      [...bob.output().matchAll(/(Online|Offline)\S* Alice <sip:alice@/g)].at(-1)?.[1];
    for (const deadline = Date.now() + 30_000; seen() !== status;) {
      if (Date.now() > deadline) throw new Error(`Alice never showed ${status}:\n${bob.output().slice(-1500)}`);
      bob.keys('/contacts\n');
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  };
  await shows('Online');
  await alice.stop();
  await waitFor(() => /unregistered "sip:alice@127\.0\.0\.1"/.test(pbx.output()), 30_000, 'alice gone');
  await shows('Offline');
  t.pass();
});
