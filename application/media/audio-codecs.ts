/**
 * The application's audio sources and sinks checked at the door (io-ts): a
 * call from plain JavaScript with a misspelt field must fail as a SessionError
 * now, not as a TypeError inside the media tick later.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { invalidArgument, type SessionError } from '../../domain/session/session-error.js';
import type { AudioSink, AudioSource } from './audio-io.js';

const Int16ArrayCodec = new t.Type<Int16Array, Int16Array, unknown>(
  'Int16Array', (u): u is Int16Array => u instanceof Int16Array,
  (u, c) => (u instanceof Int16Array ? t.success(u) : t.failure(u, c)), t.identity,
);

/** Audible tones: above 0 Hz and below the 4 kHz Nyquist limit of 8 kHz G.711. */
const Frequency = t.refinement(t.number, (n) => Number.isFinite(n) && n > 0 && n < 4000, 'Frequency');
const Amplitude = t.refinement(t.number, (n) => Number.isFinite(n) && n >= 0 && n <= 32767, 'Amplitude');

const AudioSourceCodec = t.union([
  t.type({ kind: t.literal('silence') }),
  t.intersection([
    t.type({ kind: t.literal('tone'), frequenciesHz: t.array(Frequency) }), t.partial({ amplitude: Amplitude }),
  ]),
  t.intersection([t.type({ kind: t.literal('samples'), samples: Int16ArrayCodec }), t.partial({ loop: t.boolean })]),
  t.type({ kind: t.literal('callback'), fill: t.Function }),
]);

const AudioSinkCodec = t.union([
  t.type({ kind: t.keyof({ discard: null, record: null }) }),
  t.type({ kind: t.literal('callback'), onFrame: t.Function }),
]);

const describe = (value: unknown): string => {
  const kind = typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined;
  return typeof kind === 'string' ? `a ${JSON.stringify(kind).slice(0, 40)} source with missing or bad fields`
    : 'not an audio description (expected { kind: ... })';
};

export const checkAudioSource = (source: unknown): E.Either<SessionError, AudioSource> => (
  AudioSourceCodec.is(source) ? E.right(source as AudioSource) : E.left(invalidArgument('source', describe(source)))
);

export const checkAudioSink = (sink: unknown): E.Either<SessionError, AudioSink> => (
  AudioSinkCodec.is(sink) ? E.right(sink as AudioSink) : E.left(invalidArgument('sink', describe(sink)))
);
