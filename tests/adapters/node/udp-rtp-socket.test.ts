import { createSocket } from 'node:dgram';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { UdpRtpSocketFactory } from '../../../adapters/node/udp-rtp-socket.js';
import type { RtpSocket } from '../../../ports/rtp-socket.js';
import { right } from '../../support/either.js';
import { waitFor } from '../../support/wait.js';

/** A free even-aligned range of `pairs` pairs, found by asking the kernel for a port. */
const freeRange = async (pairs: number): Promise<{ portMin: number; portMax: number }> => {
  const probe = createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
  const port = probe.address().port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const base = Math.max(20_000, Math.min(60_000, port - (port % 2)));
  return { portMin: base, portMax: base + pairs * 2 - 1 };
};

test('RTP sockets: pairs are even RTP + odd RTCP, distinct, and exhaustion gives ResourceExhausted', async (t) => {
  const factory = new UdpRtpSocketFactory({ host: '127.0.0.1', ...(await freeRange(3)) });
  const opened: RtpSocket[] = [];
  for (let i = 0; i < 3; i++) {
    const result = await factory.open();
    if (E.isRight(result)) opened.push(result.right);
  }
  t.teardown(() => Promise.all(opened.map((s) => s.close())));
  t.true(opened.length >= 2, 'most of a fresh range is free');
  for (const socket of opened) {
    t.is(socket.rtpPort % 2, 0);
    t.is(socket.rtcpPort, socket.rtpPort + 1);
  }
  t.is(new Set(opened.map((s) => s.rtpPort)).size, opened.length);
  const exhausted = await factory.open();
  t.true(E.isLeft(exhausted) && exhausted.left.kind === 'ResourceExhausted');
  t.is(factory.openCount(), opened.length);
});

test('RTP sockets: closed pairs are released and reusable; nothing leaks', async (t) => {
  const factory = new UdpRtpSocketFactory({ host: '127.0.0.1', ...(await freeRange(1)) });
  const first = right(t, await factory.open());
  t.true(E.isLeft(await factory.open()));
  await first.close();
  await first.close();
  t.is(factory.openCount(), 0);
  const second = right(t, await factory.open());
  t.is(second.rtpPort, first.rtpPort);
  await second.close();
  t.is(factory.openCount(), 0);
});

test('RTP sockets: RTP and RTCP datagrams flow between two pairs with their sources', async (t) => {
  const factory = new UdpRtpSocketFactory({ host: '127.0.0.1', ...(await freeRange(4)) });
  const a = right(t, await factory.open());
  const b = right(t, await factory.open());
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const rtp: Array<[number, number]> = [];
  const rtcp: Array<[number, number]> = [];
  b.onRtp((bytes, source) => rtp.push([bytes[0] ?? -1, source.port]));
  b.onRtcp((bytes, source) => rtcp.push([bytes[0] ?? -1, source.port]));
  a.sendRtp(new Uint8Array([0x80, 0, 0, 1]), { host: '127.0.0.1', port: b.rtpPort });
  a.sendRtcp(new Uint8Array([0x81, 200]), { host: '127.0.0.1', port: b.rtcpPort });
  await waitFor(() => rtp.length === 1 && rtcp.length === 1);
  t.deepEqual(rtp, [[0x80, a.rtpPort]]);
  t.deepEqual(rtcp, [[0x81, a.rtcpPort]]);
});

/** Keeps `step` running every 10 ms while waiting for `condition`. */
const pumpUntil = async (step: () => void, condition: () => boolean, label: string): Promise<void> => {
  const timer = setInterval(step, 10);
  try {
    await waitFor(condition, 30_000, label);
  } finally {
    clearInterval(timer);
  }
};

test('RTP sockets: a proven symmetric peer is sent to connected; re-targeting and a silent peer are let go', async (t) => {
  const factory = new UdpRtpSocketFactory({ host: '127.0.0.1', ...(await freeRange(6)) });
  const [a, b, c] = [right(t, await factory.open()), right(t, await factory.open()), right(t, await factory.open())];
  t.teardown(() => Promise.all([a, b, c].map((s) => s.close())));
  const heardBy = new Map<RtpSocket, number[]>([[a, []], [b, []], [c, []]]);
  for (const socket of [a, b, c]) socket.onRtp((_bytes, source) => heardBy.get(socket)!.push(source.port));
  const to = (socket: RtpSocket) => ({ host: '127.0.0.1', port: socket.rtpPort });
  const packet = new Uint8Array([0x80, 0, 0, 1]);
  const from = (listener: RtpSocket, sender: RtpSocket) => heardBy.get(listener)!.filter((p) => p === sender.rtpPort);

  // a and b talk symmetrically for a while: a connects to b and keeps reaching it.
  await pumpUntil(() => {
    a.sendRtp(packet, to(b));
    b.sendRtp(packet, to(a));
  }, () => from(b, a).length >= 20 && from(a, b).length >= 20, 'a and b hearing each other');
  // a is re-targeted to c (a re-INVITE): c hears a, and a hears c's answer.
  await pumpUntil(() => {
    a.sendRtp(packet, to(c));
    c.sendRtp(packet, to(a));
  }, () => from(c, a).length >= 5 && from(a, c).length >= 5, 'a and c after re-targeting');
  // Back to b, then b falls silent while c starts sending to a: a still sends to b, yet hears c again.
  await pumpUntil(() => {
    a.sendRtp(packet, to(b));
    b.sendRtp(packet, to(a));
  }, () => from(a, b).length >= 40, 'a and b again');
  const heardFromC = from(a, c).length;
  await pumpUntil(() => {
    a.sendRtp(packet, to(b));
    c.sendRtp(packet, to(a));
  }, () => from(a, c).length >= heardFromC + 5, 'a hearing c while its peer b is silent');
  t.pass();
});
