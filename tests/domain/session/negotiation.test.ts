import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { createOffer, DEFAULT_CODECS, type LocalMedia } from '../../../domain/sdp/offer-answer.js';
import { parseSdp } from '../../../domain/sdp/parse-sdp.js';
import { serializeSdp } from '../../../domain/sdp/serialize-sdp.js';
import type { Direction, SessionDescription } from '../../../domain/sdp/session-description.js';
import {
  agreementOf, idleNegotiation, localDescription, stepNegotiation,
  type Negotiation, type NegotiationEvent, type NegotiationStep,
} from '../../../domain/session/negotiation.js';

const media = (address: string, port: number, direction: Direction = 'sendrecv'): LocalMedia =>
  ({ address, port, codecs: DEFAULT_CODECS, telephoneEventPayloadType: 101, direction, ptimeMs: 20 });
const offerFrom = (
  address: string, port: number, direction: Direction = 'sendrecv', version = '1',
): SessionDescription =>
  createOffer(media(address, port, direction), { username: '-', sessionId: '42', sessionVersion: version });
const text = (sdp: SessionDescription): string => serializeSdp(sdp);

const OURS = media('10.0.0.1', 4000);
const OUR_OFFER = offerFrom('10.0.0.1', 4000);
const THEIR_OFFER = text(offerFrom('10.0.0.2', 5000));
const G729_ONLY = 'v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\nm=audio 5000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n';

const right = (step: NegotiationStep): { negotiation: Negotiation; effects: ReadonlyArray<{ tag: string }> } => {
  if (E.isLeft(step)) throw new Error(step.left.detail);
  return step.right;
};
const after = (n: Negotiation, ...events: NegotiationEvent[]): Negotiation =>
  events.reduce((state, event) => right(stepNegotiation(state, event)).negotiation, n);

const answerTo = (offer: string, direction: Direction = 'sendrecv'): string => {
  const agreed = after(idleNegotiation, { tag: 'RemoteOffer', sdp: offer }, {
    tag: 'LocalAnswer', early: false, answer: { kind: 'Generated', local: media('10.0.0.2', 5000, direction), sessionId: '7' },
  });
  return text(localDescription(agreed)!);
};
const THEIR_ANSWER = answerTo(text(OUR_OFFER));

const STATES: Readonly<Record<string, Negotiation>> = {
  Idle: idleNegotiation,
  RemoteOffer: after(idleNegotiation, { tag: 'RemoteOffer', sdp: THEIR_OFFER }),
  'LocalOffer (answer in a response)': after(
    idleNegotiation, { tag: 'LocalOffer', offer: OUR_OFFER, answerIn: 'Response' },
  ),
  'LocalOffer (re-offer, answer in the ACK)': after(idleNegotiation,
    { tag: 'RemoteOffer', sdp: THEIR_OFFER }, { tag: 'LocalAnswer', early: false, answer: { kind: 'Generated', local: OURS, sessionId: '1' } },
    { tag: 'LocalOffer', offer: OUR_OFFER, answerIn: 'Ack' }),
  EarlyRemoteAnswer: after(idleNegotiation, { tag: 'LocalOffer', offer: OUR_OFFER, answerIn: 'Response' },
    { tag: 'RemoteEarlyAnswer', sdp: THEIR_ANSWER, dialogTag: 'f1', status: 183 }),
  EarlyLocalAnswer: after(idleNegotiation, { tag: 'RemoteOffer', sdp: THEIR_OFFER },
    { tag: 'LocalAnswer', early: true, answer: { kind: 'Generated', local: OURS, sessionId: '1' } }),
  Agreed: after(idleNegotiation, { tag: 'RemoteOffer', sdp: THEIR_OFFER },
    { tag: 'LocalAnswer', early: false, answer: { kind: 'Generated', local: OURS, sessionId: '1' } }),
  'LocalOffer (in a reliable 1xx, answer in the PRACK)': after(
    idleNegotiation, { tag: 'LocalOffer', offer: OUR_OFFER, answerIn: 'Prack' },
  ),
  EarlyAnswered: after(idleNegotiation, {
    tag: 'RemoteOfferAnswered', sdp: THEIR_OFFER, local: OURS, sessionId: '1', early: { dialogTag: 'f1', status: 183 },
  }),
};

const EVENTS: Readonly<Record<NegotiationEvent['tag'], NegotiationEvent>> = {
  RemoteOffer: { tag: 'RemoteOffer', sdp: THEIR_OFFER },
  LocalAnswer: { tag: 'LocalAnswer', early: false, answer: { kind: 'Generated', local: OURS, sessionId: '1' } },
  RemoteOfferAnswered: { tag: 'RemoteOfferAnswered', sdp: THEIR_OFFER, local: OURS, sessionId: '1' },
  LocalOffer: { tag: 'LocalOffer', offer: OUR_OFFER, answerIn: 'Response' },
  RemoteEarlyAnswer: { tag: 'RemoteEarlyAnswer', sdp: THEIR_ANSWER, dialogTag: 'f1', status: 183 },
  RemoteAnswer: { tag: 'RemoteAnswer', sdp: THEIR_ANSWER, dialogTag: 'f1' },
  LocalOfferFailed: { tag: 'LocalOfferFailed' },
};

/** The whole table: state → event → next state ('-' = OutOfOrder, RFC 3264 §4: one offer at a time). */
const EXPECTED: Readonly<Record<string, Readonly<Record<NegotiationEvent['tag'], string>>>> = {
  Idle: {
    RemoteOffer: 'RemoteOffer', LocalAnswer: '-', RemoteOfferAnswered: 'Agreed', LocalOffer: 'LocalOffer',
    RemoteEarlyAnswer: '-', RemoteAnswer: '-', LocalOfferFailed: '-',
  },
  RemoteOffer: {
    RemoteOffer: '-', LocalAnswer: 'Agreed', RemoteOfferAnswered: '-', LocalOffer: '-', RemoteEarlyAnswer: '-',
    RemoteAnswer: '-', LocalOfferFailed: '-',
  },
  'LocalOffer (answer in a response)': {
    RemoteOffer: '-', LocalAnswer: '-', RemoteOfferAnswered: '-', LocalOffer: '-',
    RemoteEarlyAnswer: 'EarlyRemoteAnswer', RemoteAnswer: 'Agreed', LocalOfferFailed: '-',
  },
  'LocalOffer (re-offer, answer in the ACK)': {
    RemoteOffer: '-', LocalAnswer: '-', RemoteOfferAnswered: '-', LocalOffer: '-', RemoteEarlyAnswer: '-',
    RemoteAnswer: 'Agreed', LocalOfferFailed: 'Agreed',
  },
  EarlyRemoteAnswer: {
    RemoteOffer: '-', LocalAnswer: '-', RemoteOfferAnswered: '-', LocalOffer: '-',
    RemoteEarlyAnswer: 'EarlyRemoteAnswer', RemoteAnswer: 'Agreed', LocalOfferFailed: '-',
  },
  EarlyLocalAnswer: {
    RemoteOffer: '-', LocalAnswer: 'Agreed', RemoteOfferAnswered: 'Agreed', LocalOffer: '-', RemoteEarlyAnswer: '-',
    RemoteAnswer: '-', LocalOfferFailed: '-',
  },
  Agreed: {
    RemoteOffer: '-', LocalAnswer: '-', RemoteOfferAnswered: 'Agreed', LocalOffer: 'LocalOffer', RemoteEarlyAnswer: '-',
    RemoteAnswer: '-', LocalOfferFailed: '-',
  },
  'LocalOffer (in a reliable 1xx, answer in the PRACK)': {
    RemoteOffer: '-', LocalAnswer: '-', RemoteOfferAnswered: '-', LocalOffer: '-', RemoteEarlyAnswer: '-',
    RemoteAnswer: 'Agreed', LocalOfferFailed: '-',
  },
  EarlyAnswered: {
    RemoteOffer: '-', LocalAnswer: '-', RemoteOfferAnswered: 'Agreed', LocalOffer: '-', RemoteEarlyAnswer: '-',
    RemoteAnswer: 'Agreed', LocalOfferFailed: '-',
  },
};

for (const [name, state] of Object.entries(STATES)) {
  for (const [eventName, event] of Object.entries(EVENTS)) {
    const expected = EXPECTED[name]![eventName as NegotiationEvent['tag']]!;
    test(`negotiation ${name} + ${eventName} → ${expected === '-' ? 'OutOfOrder' : expected}`, (t) => {
      const step = stepNegotiation(state, event);
      if (expected === '-') t.like(step, { _tag: 'Left', left: { kind: 'NegotiationError', reason: 'OutOfOrder' } });
      else t.is(right(step).negotiation.tag as string, expected);
    });
  }
}

test('negotiation: an offer with no codec of ours → NotAcceptable (the UA answers 488, RFC 3264 §6)', (t) => {
  const offered = after(idleNegotiation, { tag: 'RemoteOffer', sdp: G729_ONLY });
  t.like(stepNegotiation(offered, EVENTS.LocalAnswer), { _tag: 'Left', left: { reason: 'NotAcceptable' } });
  t.like(
    stepNegotiation(idleNegotiation, { tag: 'RemoteOffer', sdp: 'not sdp' }),
    { _tag: 'Left', left: { reason: 'BadSdp' } },
  );
});

test('negotiation: our answer applies the peer\'s address and codec to the media (ApplyMedia)', (t) => {
  const step = right(stepNegotiation(STATES['RemoteOffer']!, EVENTS.LocalAnswer));
  t.like(
    step.effects,
    [
      {
        tag: 'ApplyMedia',
        negotiated: { remoteAddress: '10.0.0.2', remotePort: 5000, codec: 'PCMU', direction: 'sendrecv' },
      },
    ],
  );
});

test('negotiation: an early answer is played listen-only and announced once; the same terms again change nothing (RFC 3960)', (t) => {
  const early = right(stepNegotiation(STATES['LocalOffer (answer in a response)']!, EVENTS.RemoteEarlyAnswer));
  t.like(
    early.effects, [{ tag: 'ApplyMedia', negotiated: { direction: 'recvonly' } }, { tag: 'EarlyMedia', status: 183 }],
  );
  t.deepEqual(right(stepNegotiation(early.negotiation, EVENTS.RemoteEarlyAnswer)).effects, []);
  const otherFork = right(
    stepNegotiation(early.negotiation, { ...EVENTS.RemoteEarlyAnswer, dialogTag: 'f2' } as NegotiationEvent),
  );
  t.is(otherFork.effects.length, 2, 'another fork is heard instead');
});

test('negotiation: a 2xx without SDP from the early dialog confirms its answer (§13.2.1); from another dialog it has none', (t) => {
  const early = STATES['EarlyRemoteAnswer']!;
  const confirmed = right(stepNegotiation(early, { tag: 'RemoteAnswer', sdp: '', dialogTag: 'f1' }));
  t.is(confirmed.negotiation.tag, 'Agreed');
  t.like(confirmed.effects, [{ tag: 'ApplyMedia', negotiated: { direction: 'sendrecv' } }]);
  t.like(
    stepNegotiation(early, { tag: 'RemoteAnswer', sdp: '', dialogTag: 'f2' }),
    { _tag: 'Left', left: { reason: 'NoAnswer' } },
  );
});

test('negotiation: a re-offer that holds us is answered recvonly and reported; resuming reports again (RFC 6337)', (
  t,
) => {
  const held = right(
    stepNegotiation(
      STATES['Agreed']!,
      { ...EVENTS.RemoteOfferAnswered, sdp: text(offerFrom('10.0.0.2', 5000, 'sendonly', '2')) } as NegotiationEvent,
    ),
  );
  t.like(
    held.effects, [{ tag: 'ApplyMedia', negotiated: { direction: 'recvonly' } }, { tag: 'HoldChanged', onHold: true }],
  );
  const resumed = right(
    stepNegotiation(
      held.negotiation,
      { ...EVENTS.RemoteOfferAnswered, sdp: text(offerFrom('10.0.0.2', 5000, 'sendrecv', '3')) } as NegotiationEvent,
    ),
  );
  t.like(resumed.effects, [{ tag: 'ApplyMedia' }, { tag: 'HoldChanged', onHold: false }]);
  const again = right(
    stepNegotiation(
      resumed.negotiation,
      { ...EVENTS.RemoteOfferAnswered, sdp: text(offerFrom('10.0.0.2', 5000, 'sendrecv', '4')) } as NegotiationEvent,
    ),
  );
  t.is(again.effects.length, 1, 'a refresh with the same direction is no news');
});

test('negotiation: each new description of ours in a session raises o= version by one (RFC 3264 §8)', (t) => {
  const first = localDescription(STATES['Agreed']!)!;
  const second = localDescription(right(stepNegotiation(STATES['Agreed']!, EVENTS.RemoteOfferAnswered)).negotiation)!;
  t.is(second.origin.sessionId, first.origin.sessionId);
  t.is(BigInt(second.origin.sessionVersion), BigInt(first.origin.sessionVersion) + 1n);
});

test('negotiation: a refused re-offer leaves the previous agreement in force', (t) => {
  const before = agreementOf(STATES['Agreed']!);
  const reoffered = after(
    STATES['Agreed']!, { tag: 'LocalOffer', offer: offerFrom('10.0.0.1', 4000, 'sendonly', '9'), answerIn: 'Response' },
  );
  t.is(agreementOf(after(reoffered, { tag: 'LocalOfferFailed' })), before);
});

test('negotiation: an ACK that answers our offer with sendonly holds us, and says so', (t) => {
  const pending = STATES['LocalOffer (re-offer, answer in the ACK)']!;
  const step = right(
    stepNegotiation(pending, { tag: 'RemoteAnswer', sdp: answerTo(text(OUR_OFFER), 'sendonly'), dialogTag: '' }),
  );
  t.like(
    step.effects, [{ tag: 'ApplyMedia', negotiated: { direction: 'recvonly' } }, { tag: 'HoldChanged', onHold: true }],
  );
  t.like(
    stepNegotiation(pending, { tag: 'RemoteAnswer', sdp: '', dialogTag: '' }),
    { _tag: 'Left', left: { reason: 'NoAnswer', detail: 'the ACK carried no answer to our offer' } },
  );
});

test('negotiation: the application\'s own answer points the media at the offerer; one that fits nothing is refused early, sent as is finally', (t) => {
  const offered = STATES['RemoteOffer']!;
  const own = answerTo(THEIR_OFFER);
  const step = right(
    stepNegotiation(offered, { tag: 'LocalAnswer', early: true, answer: { kind: 'Given', sdp: own } }),
  );
  t.like(step.effects, [{ tag: 'ApplyMedia', negotiated: { remoteAddress: '10.0.0.2', remotePort: 5000 } }]);
  t.like(
    stepNegotiation(offered, { tag: 'LocalAnswer', early: true, answer: { kind: 'Given', sdp: G729_ONLY } }),
    { _tag: 'Left', left: { reason: 'NotAcceptable' } },
  );
  const final = right(
    stepNegotiation(offered, { tag: 'LocalAnswer', early: false, answer: { kind: 'Given', sdp: G729_ONLY } }),
  );
  t.is(final.negotiation.tag, 'Agreed');
  t.deepEqual(final.effects, []);
  t.deepEqual(localDescription(final.negotiation), E.getOrElseW(() => undefined)(parseSdp(G729_ONLY)));
});

test('negotiation: an unusable SDP in a provisional response is ignored; the 2xx decides', (t) => {
  const pending = STATES['LocalOffer (answer in a response)']!;
  const step = right(
    stepNegotiation(pending, { tag: 'RemoteEarlyAnswer', sdp: 'garbage', dialogTag: 'f1', status: 180 }),
  );
  t.is(step.negotiation, pending);
  t.like(step.effects, [{ tag: 'Discarded' }]);
});

const earlyOffer = (sdp: string, dialogTag = 'f1'): NegotiationEvent => ({
  tag: 'RemoteOfferAnswered', sdp, local: OURS, sessionId: '1', early: { dialogTag, status: 183 },
});

test('negotiation: the callee\'s offer in a reliable 1xx is answered (for the PRACK) and heard listen-only; a repeat changes nothing (RFC 3262 §5, RFC 6337)', (t) => {
  const answered = right(stepNegotiation(idleNegotiation, earlyOffer(THEIR_OFFER)));
  t.is(answered.negotiation.tag, 'EarlyAnswered');
  t.like(answered.effects, [
    { tag: 'ApplyMedia', negotiated: { remotePort: 5000, direction: 'recvonly' } }, { tag: 'EarlyMedia', status: 183 },
  ]);
  t.truthy(localDescription(answered.negotiation), 'our answer, for the PRACK');
  const repeated = right(stepNegotiation(answered.negotiation, earlyOffer(THEIR_OFFER)));
  t.is(repeated.negotiation, answered.negotiation, 'the same o= version again is no new offer');
  const otherFork = right(stepNegotiation(answered.negotiation, earlyOffer(text(offerFrom('10.0.0.3', 6000)), 'f2')));
  t.like(otherFork.negotiation, { tag: 'EarlyAnswered', dialogTag: 'f2' });
  t.like(otherFork.effects, [{ tag: 'ApplyMedia', negotiated: { remoteAddress: '10.0.0.3', direction: 'recvonly' } }]);
});

test('negotiation: the early dialog\'s 2xx (no SDP, or the same again) completes the call with both directions; a changed SDP is not an offer', (t) => {
  const early = STATES['EarlyAnswered']!;
  for (const sdp of ['', THEIR_OFFER]) {
    const confirmed = right(stepNegotiation(early, { tag: 'RemoteAnswer', sdp, dialogTag: 'f1' }));
    t.is(confirmed.negotiation.tag, 'Agreed');
    t.like(confirmed.effects, [{ tag: 'ApplyMedia', negotiated: { direction: 'sendrecv' } }]);
    t.is(confirmed.effects.length, 1);
  }
  const changed = right(stepNegotiation(early, {
    tag: 'RemoteAnswer', sdp: text(offerFrom('10.0.0.2', 5002, 'sendrecv', '2')), dialogTag: 'f1',
  }));
  t.like(changed.effects, [{ tag: 'ApplyMedia', negotiated: { remotePort: 5000 } }, { tag: 'Discarded' }]);
  t.like(
    stepNegotiation(early, { tag: 'RemoteAnswer', sdp: '', dialogTag: 'f2' }),
    { _tag: 'Left', left: { reason: 'NoAnswer' } },
  );
});

test('negotiation: the callee\'s UPDATE after its reliable 1xx answered our offer is answered at once, still listen-only (RFC 3311)', (t) => {
  const newer = earlyOffer(text(offerFrom('10.0.0.2', 5004, 'sendrecv', '2')));
  const updated = right(stepNegotiation(STATES['EarlyRemoteAnswer']!, newer));
  t.like(updated.negotiation, { tag: 'EarlyAnswered', dialogTag: 'f1' });
  t.like(updated.effects, [{ tag: 'ApplyMedia', negotiated: { remotePort: 5004, direction: 'recvonly' } }]);
  t.is(updated.effects.length, 1, 'early media was announced already');
  const fork = right(stepNegotiation(updated.negotiation, { tag: 'RemoteAnswer', sdp: THEIR_ANSWER, dialogTag: 'f9' }));
  t.is(fork.negotiation.tag, 'Agreed', 'another fork\'s 2xx answers our INVITE\'s offer');
});

test('negotiation: our offer in a reliable 1xx takes its answer from the PRACK; a PRACK without one is refused', (t) => {
  const pending = STATES['LocalOffer (in a reliable 1xx, answer in the PRACK)']!;
  const agreed = right(stepNegotiation(pending, { tag: 'RemoteAnswer', sdp: THEIR_ANSWER, dialogTag: '' }));
  t.like(agreed.effects, [{ tag: 'ApplyMedia', negotiated: { direction: 'sendrecv' } }]);
  t.like(
    stepNegotiation(pending, { tag: 'RemoteAnswer', sdp: '', dialogTag: '' }),
    { _tag: 'Left', left: { reason: 'NoAnswer', detail: 'the PRACK carried no answer to our offer' } },
  );
});
