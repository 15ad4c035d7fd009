import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { HttpProblem } from './http-router.js';

/** A string of at least one character and at most `max`. */
const text = (name: string, max: number): t.Type<string, string, unknown> => new t.Type<string, string, unknown>(
  name,
  (u): u is string => typeof u === 'string' && u.length > 0 && u.length <= max,
  (u, c) => (typeof u === 'string' && u.length > 0 && u.length <= max
    ? t.success(u) : t.failure(u, c, `a string of 1 to ${max} characters`)),
  t.identity,
);

const integerIn = (name: string, min: number, max: number): t.Type<number, number, unknown> => new t.Type(
  name,
  (u): u is number => Number.isInteger(u) && (u as number) >= min && (u as number) <= max,
  (u, c) => (Number.isInteger(u) && (u as number) >= min && (u as number) <= max
    ? t.success(u as number) : t.failure(u, c, `an integer from ${min} to ${max}`)),
  t.identity,
);

const uri = text('SIP address', 1024);
const sdp = text('SDP', 16 * 1024);
const sessionId = text('session id', 128);
const header = t.type({ name: text('header name', 64), value: text('header value', 1024) });

export const OriginateBody = t.intersection([
  t.type({ from: uri, to: uri }),
  t.partial({ sdp, headers: t.array(header), delayedOffer: t.boolean, followRedirects: t.boolean }),
]);
export const AnswerBody = t.partial({ sdp });
export const RejectBody = t.partial({ status: integerIn('status', 300, 699), reason: text('reason', 128) });
export const ForwardBody = t.type({ target: uri });
export const DtmfBody = t.intersection([
  t.type({
    digits: new t.Type<string, string, unknown>(
      'DTMF digits',
      (u): u is string => typeof u === 'string' && /^[0-9A-Da-d*#]{1,32}$/.test(u),
      (u, c) => (typeof u === 'string' && /^[0-9A-Da-d*#]{1,32}$/.test(u)
        ? t.success(u) : t.failure(u, c, '1 to 32 of 0-9, A-D, * and #')),
      t.identity,
    ),
  }),
  t.partial({ method: t.keyof({ auto: null, rfc4733: null, info: null }) }),
]);
export const TransferBody = t.intersection([t.type({ target: uri }), t.partial({ replaces: sessionId })]);
export const PlayBody = t.union([
  t.intersection([
    t.type({ tone: t.type({ frequenciesHz: t.array(integerIn('frequency', 20, 4000)) }) }),
    t.partial({ amplitude: integerIn('amplitude', 0, 32767) }),
  ]),
  t.intersection([t.type({ file: text('file', 512) }), t.partial({ loop: t.boolean })]),
  t.type({ silence: t.literal(true) }),
]);
export const RecordBody = t.intersection([
  t.type({ file: text('file', 512) }), t.partial({ direction: t.keyof({ in: null, out: null, both: null }) }),
]);
export const BridgeBody = t.partial({ sessions: t.array(sessionId), autoDestroy: t.boolean });
export const BridgeMemberBody = t.type({ sessionId });
export const RegisterBody = t.intersection([
  t.type({ registrar: uri }),
  t.partial({
    aor: uri, expiresSec: integerIn('expiresSec', 60, 86_400),
    credentials: t.type({ username: text('username', 128), password: text('password', 256) }),
  }),
]);
export const HangupBody = t.partial({
  reason: t.intersection([
    t.type({ protocol: t.keyof({ SIP: null, 'Q.850': null }), cause: integerIn('cause', 1, 699) }),
    t.partial({ text: text('text', 128) }),
  ]),
});

/** Codecs whose context keys are positions of alternatives, not fields of the document. */
const COMBINATORS = new Set(['IntersectionType', 'UnionType']);

/** `headers.0.name`: the path of a failed value, without the combinators' positions. */
const fieldPath = (context: t.Context): string => {
  const keys: string[] = [];
  for (let i = 1; i < context.length; i++) {
    const parent = context[i - 1]!.type as t.Mixed & { readonly _tag?: string };
    if (!COMBINATORS.has(parent._tag ?? '')) keys.push(context[i]!.key);
  }
  return keys.join('.');
};

/** The value or a 400 that names the first wrong field and why: `to: expected a string of 1 to 1024 characters`. */
export const decodeBody = <A>(codec: t.Type<A, unknown, unknown>, body: unknown): A => {
  const result = codec.decode(body ?? {});
  if (E.isRight(result)) return result.right;
  const error = result.left[0]!;
  const field = fieldPath(error.context);
  const expected = error.message ?? `a ${error.context[error.context.length - 1]?.type.name ?? 'value'}`;
  const given = error.value === undefined ? 'nothing'
    : (JSON.stringify(error.value) ?? String(error.value)).slice(0, 80);
  throw new HttpProblem(400, `${field === '' ? 'body' : field}: expected ${expected}, got ${given}`, field || 'body');
};
