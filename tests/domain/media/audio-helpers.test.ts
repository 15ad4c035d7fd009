import test from 'ava';
import {
  decodeDtmf, digitToEvent, encodeDtmf, initialDtmfReceiver, planDtmf, receiveDtmf,
} from '../../../domain/media/dtmf.js';
import { detectDtmfTone, dominantFrequency, goertzelPower } from '../../../domain/media/goertzel.js';
import {
  bufferedFrames, createJitterBuffer, popFrame, pushFrame, type JitterBuffer,
} from '../../../domain/media/jitter-buffer.js';
import { nextToneFrame, tone } from '../../../domain/media/tone.js';
import { parseWav, serializeWav } from '../../../domain/media/wav.js';
import { left, right } from '../../support/either.js';

const toneBlock = (frequencies: number | number[], samples = 1600): Int16Array => {
  const out = new Int16Array(samples);
  nextToneFrame(tone(frequencies), out);
  return out;
};

test('RFC 4733: an event payload encodes and decodes field by field', (t) => {
  const bytes = encodeDtmf({ event: 11, end: true, volume: 10, duration: 1600 });
  t.deepEqual(Array.from(bytes), [11, 0x8a, 0x06, 0x40]);
  t.deepEqual(decodeDtmf(bytes), { event: 11, end: true, volume: 10, duration: 1600 });
  t.is(decodeDtmf(Uint8Array.of(1, 2)), undefined);
  t.is(digitToEvent('#'), 11);
  t.is(digitToEvent('x'), undefined);
});

test('RFC 4733: a 100 ms digit is a marked start, continuations with growing duration, and three end packets (§2.5.1)', (t) => {
  const plan = planDtmf(5, 100);
  t.deepEqual(plan.map((p) => p.atMs), [0, 20, 40, 60, 80, 100, 120, 140]);
  t.deepEqual(plan.map((p) => p.marker), [true, false, false, false, false, false, false, false]);
  const durations = plan.map((p) => decodeDtmf(p.payload)!.duration);
  t.deepEqual(durations, [160, 320, 480, 640, 800, 800, 800, 800]);
  t.deepEqual(plan.map((p) => decodeDtmf(p.payload)!.end), [false, false, false, false, false, true, true, true]);
});

test('RFC 4733: the receiver reports each digit once despite continuations, duplicates and the repeated end', (t) => {
  let state = initialDtmfReceiver;
  const digits: string[] = [];
  for (const [timestamp, event] of [[1000, 1], [2000, 9]] as const) {
    for (const packet of [...planDtmf(event, 60), ...planDtmf(event, 60)]) {
      const [next, digit] = receiveDtmf(state, timestamp, packet.payload);
      state = next;
      if (digit !== undefined) digits.push(digit);
    }
  }
  t.deepEqual(digits, ['1', '9']);
});

test('RFC 4733: a digit overtaken by a later one on the network is not reported after it (in order, at most once)', (t) => {
  const receive = (events: ReadonlyArray<readonly [number, number]>, start = initialDtmfReceiver): string => {
    let state = start;
    let digits = '';
    for (const [timestamp, event] of events) {
      const [next, digit] = receiveDtmf(state, timestamp, planDtmf(event, 60)[0]!.payload);
      state = next;
      digits += digit ?? '';
    }
    return digits;
  };
  t.is(receive([[2000, 9], [1000, 1], [3000, 4]]), '94', 'the late 1 is dropped');
  t.is(receive([[0xffff_ff00, 1], [0x100, 9]]), '19', 'timestamps wrap around 2³²');
  t.is(receive([[500_000, 1], [1000, 9]]), '19', 'far behind: a new timestamp base, not a late event');
});

test('Goertzel: a 1 kHz tone dominates 1 kHz, not its neighbours; two tones show both', (t) => {
  const block = toneBlock(1000);
  t.like(dominantFrequency(block, [600, 1000, 1400]), { frequencyHz: 1000 });
  t.true(dominantFrequency(block, [600, 1000, 1400]).share > 0.99);
  const both = toneBlock([600, 1400]);
  t.true(goertzelPower(both, 600) > goertzelPower(both, 1000) * 100);
  t.true(goertzelPower(both, 1400) > goertzelPower(both, 1000) * 100);
});

test('Goertzel: in-band DTMF pairs are recognised; silence and a single tone are not', (t) => {
  t.is(detectDtmfTone(toneBlock([852, 1477], 400)), '9');
  t.is(detectDtmfTone(toneBlock([941, 1336], 400)), '0');
  t.is(detectDtmfTone(new Int16Array(400)), undefined);
});

test('tone generator: consecutive frames are one continuous sine', (t) => {
  const whole = toneBlock(440, 320);
  const a = new Int16Array(160);
  const b = new Int16Array(160);
  nextToneFrame(nextToneFrame(tone(440), a), b);
  t.deepEqual([...a, ...b], Array.from(whole));
});

test('jitter buffer: reorders, waits for depth, drops late packets, conceals one lost frame then plays silence', (
  t,
) => {
  const frame = (n: number): { timestamp: number; samples: Int16Array } => ({
    timestamp: n * 160, samples: new Int16Array(160).fill(n * 100),
  });
  let jb: JitterBuffer = createJitterBuffer(2);
  for (const n of [1, 0, 2, 5]) jb = pushFrame(jb, frame(n));
  const kinds: string[] = [];
  const firsts: number[] = [];
  for (let i = 0; i < 7; i++) {
    const [next, samples, kind] = popFrame(jb);
    jb = next;
    kinds.push(kind);
    firsts.push(samples[0]!);
    if (i === 1) jb = pushFrame(jb, frame(0)); // arrives after its slot
  }
  t.deepEqual(kinds, ['frame', 'frame', 'frame', 'concealed', 'silence', 'frame', 'concealed']);
  t.deepEqual(firsts, [0, 100, 200, 100, 0, 500, 250]);
  t.is(jb.late, 1);
  t.is(jb.concealed, 2);
  t.is(popFrame(createJitterBuffer())[2], 'buffering');
});

test('WAV: 16-bit mono 8 kHz round-trips; other formats are refused with a reason', (t) => {
  const samples = Int16Array.from([0, 1, -1, 32767, -32768, 1234]);
  t.deepEqual(right(t, parseWav(serializeWav(samples))), samples);
  const stereo = serializeWav(samples);
  stereo[22] = 2;
  t.regex(left(t, parseWav(stereo)).detail, /mono/);
  const fast = serializeWav(samples, 16000);
  t.regex(left(t, parseWav(fast)).detail, /8 kHz/);
  t.regex(left(t, parseWav(new TextEncoder().encode('not a wav file'))).detail, /RIFF/);
});

test('jitter buffer: memory stays bounded when playout stalls; the oldest frames go first', (t) => {
  let jb = createJitterBuffer(3, 160, 16);
  for (let n = 0; n < 1000; n++) jb = pushFrame(jb, { timestamp: n * 160, samples: new Int16Array(160).fill(n) });
  t.is(bufferedFrames(jb), 16);
  const [, samples, kind] = popFrame(jb);
  t.is(kind, 'frame');
  t.is(samples[0], 984, 'playout resumes at the oldest frame kept');
});

test('jitter buffer: when playout runs ahead of the stream (a burst of ticks), the next late packet re-anchors it instead of all later ones being late', (t) => {
  const frame = (n: number): { timestamp: number; samples: Int16Array } => ({
    timestamp: n * 160, samples: new Int16Array(160).fill(n),
  });
  let jb: JitterBuffer = createJitterBuffer(2);
  let sent = 0;
  const tick = (): string => {
    const [next, , kind] = popFrame(jb);
    jb = next;
    return kind;
  };
  // Steady stream: one packet per tick.
  for (let i = 0; i < 20; i++) {
    jb = pushFrame(jb, frame(sent++));
    tick();
  }
  // The receiver's process stalls 200 ms and then fires ten ticks before reading the ten packets that came meanwhile.
  for (let i = 0; i < 10; i++) tick();
  for (let i = 0; i < 10; i++) jb = pushFrame(jb, frame(sent++));
  const kinds: string[] = [];
  for (let i = 0; i < 100; i++) {
    jb = pushFrame(jb, frame(sent++));
    kinds.push(tick());
  }
  t.true(jb.late <= 1, `late ${jb.late}`);
  t.is(kinds.slice(-50).filter((k) => k === 'frame').length, 50, 'playing every frame again');
});

test('jitter buffer: a peer that stops sending (hold) leaves the buffer buffering after the ring, not filling silence forever', (t) => {
  const frame = (n: number): { timestamp: number; samples: Int16Array } => ({
    timestamp: n * 160, samples: new Int16Array(160).fill(1),
  });
  let jb: JitterBuffer = createJitterBuffer(2, 160, 16);
  for (let n = 0; n < 5; n++) jb = pushFrame(jb, frame(n));
  const kinds: string[] = [];
  for (let i = 0; i < 40; i++) {
    const [next, , kind] = popFrame(jb);
    jb = next;
    kinds.push(kind);
  }
  t.is(kinds.at(-1), 'buffering');
  t.is(jb.concealed, 1, 'only the first missing frame is concealed');
  // The peer resumes with a jump in timestamps: the stream is taken up again, nothing counted late.
  for (let n = 1000; n < 1005; n++) jb = pushFrame(jb, frame(n));
  t.is(popFrame(jb)[2], 'frame');
  t.is(jb.late, 0);
});
