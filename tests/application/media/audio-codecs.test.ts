import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { checkAudioSink, checkAudioSource } from '../../../application/media/audio-codecs.js';

test('audio sources as documented pass', (t) => {
  for (const source of [
    { kind: 'silence' }, { kind: 'tone', frequenciesHz: [350, 440] }, { kind: 'tone', frequenciesHz: [1000], amplitude: 4000 },
    { kind: 'samples', samples: new Int16Array(160), loop: true }, { kind: 'callback', fill: () => undefined },
  ]) t.true(E.isRight(checkAudioSource(source)), JSON.stringify(source));
});

test('a misspelt or impossible source is an InvalidArgument, not a crash in the media tick later', (t) => {
  for (const source of [
    { kind: 'tone', frequencyHz: 440 }, { kind: 'tone', frequenciesHz: [0] }, { kind: 'tone', frequenciesHz: [5000] },
    { kind: 'tone', frequenciesHz: [440], amplitude: 1e9 }, { kind: 'samples', samples: [1, 2, 3] },
    { kind: 'callback' }, { kind: 'mp3' }, null, 'tone',
  ]) {
    const checked = checkAudioSource(source);
    t.true(E.isLeft(checked) && checked.left.kind === 'InvalidArgument', JSON.stringify(source));
  }
});

test('sinks are checked the same way', (t) => {
  t.true(E.isRight(checkAudioSink({ kind: 'record' })));
  t.true(E.isRight(checkAudioSink({ kind: 'callback', onFrame: () => undefined })));
  t.true(E.isLeft(checkAudioSink({ kind: 'callback', onframe: () => undefined })));
  t.true(E.isLeft(checkAudioSink(undefined)));
});
