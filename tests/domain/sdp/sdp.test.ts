import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import {
  answerDirection, createAnswer, createOffer, holdDirection, processAnswer, rejectingAnswer, reoffer, resumeDirection, type LocalMedia,
} from '../../../domain/sdp/offer-answer.js';
import { parseSdp } from '../../../domain/sdp/parse-sdp.js';
import { serializeSdp } from '../../../domain/sdp/serialize-sdp.js';
import {
  attributeValues, connectionOf, directionOf, rtpMapsOf, type Direction,
} from '../../../domain/sdp/session-description.js';
import { left, right } from '../../support/either.js';
import { corpusTest, hasTestdata, readTestdata, reportAbsentCorpus, TESTDATA_DIR } from '../../support/testdata.js';

const corpus = hasTestdata('sdp') ? readdirSync(path.join(TESTDATA_DIR, 'sdp')).filter((f) => f.endsWith('.sdp')) : [];
reportAbsentCorpus('sdp', 'SDP corpus: every body parses and round-trips');

for (const file of corpus) {
  test(`SDP corpus ${file}: parses, and parse → serialize → parse is stable`, (t) => {
    const text = readTestdata(`sdp/${file}`).toString('utf8');
    const first = right(t, parseSdp(text));
    t.true(first.media.length >= 1 || file.includes('rfc'), 'at least one m= line');
    const again = right(t, parseSdp(serializeSdp(first)));
    t.deepEqual(again, first);
    t.is(serializeSdp(again), serializeSdp(first));
  });
}

corpusTest('sdp')('SDP corpus: real phones decode to the expected codecs and directions', (t) => {
  const polycom = right(t, parseSdp(readTestdata('sdp/jain-sip_polycom-hold.sdp').toString()));
  t.true(polycom.media.some((m) => directionOf(polycom, m) !== 'sendrecv'), 'the Polycom hold capture is on hold');
  const asterisk = right(t, parseSdp(readTestdata('sdp/epbxd_asterisk.sdp').toString()));
  const audio = asterisk.media.find((m) => m.media === 'audio')!;
  t.true([...rtpMapsOf(audio).values()].some((r) => r.encoding === 'PCMU'));
  t.truthy(connectionOf(asterisk, audio)?.address);
  const lf = right(t, parseSdp(readTestdata('sdp/re_newline-termination.sdp').toString()));
  t.true(lf.media.length > 0, 'LF-only line ends');
});

test('parseSdp: structural errors name the line', (t) => {
  t.is(left(t, parseSdp('')).reason, 'Empty');
  t.is(left(t, parseSdp('o=- 1 1 IN IP4 1.2.3.4\r\n')).reason, 'MissingVersion');
  t.like(left(t, parseSdp('v=0\r\no=bad\r\n')), { reason: 'BadOrigin', line: 2 });
  t.like(
    left(t, parseSdp('v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nm=audio x RTP/AVP 0\r\n')), { reason: 'BadMedia', line: 4 },
  );
  t.like(left(t, parseSdp('v=0\r\ngarbage\r\n')), { reason: 'BadLine', line: 2 });
  t.is(left(t, parseSdp('v=0\r\ns=-\r\n')).reason, 'MissingOrigin');
});

const local = (overrides: Partial<LocalMedia> = {}): LocalMedia => ({
  address: '192.0.2.1', port: 40000, codecs: [{ name: 'PCMU', payloadType: 0 }, { name: 'PCMA', payloadType: 8 }],
  telephoneEventPayloadType: 101, direction: 'sendrecv', ptimeMs: 20, ...overrides,
});
const id = { username: '-', sessionId: '123', sessionVersion: '1' };

const phoneOffer = (direction = 'sendrecv', formats = '8 0 18 96', extra = ''): string => [
  'v=0', 'o=phone 99 7 IN IP4 198.51.100.9', 's=call', 'c=IN IP4 198.51.100.9', 't=0 0',
  `m=audio 30000 RTP/AVP ${formats}`, 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:18 G729/8000',
  'a=rtpmap:96 telephone-event/8000', 'a=fmtp:96 0-15', `a=${direction}`, 'm=video 30002 RTP/AVP 97', 'a=rtpmap:97 H264/90000', extra, '',
].filter((l, i, all) => l !== '' || i === all.length - 1).join('\r\n');

test('offer/answer: codecs intersected in the offerer\'s order with its payload types; telephone-event kept; video rejected with port 0 (RFC 3264 §6)', (t) => {
  const { answer, negotiated } = right(t, createAnswer(right(t, parseSdp(phoneOffer())), local(), id));
  const [audio, video] = answer.media;
  t.deepEqual(audio?.formats, ['8', '0', '96']);
  t.deepEqual(attributeValues(audio!.lines, 'rtpmap'), ['8 PCMA/8000', '0 PCMU/8000', '96 telephone-event/8000']);
  t.like(video, { media: 'video', port: 0, formats: ['97'] });
  t.like(
    negotiated,
    {
      codec: 'PCMA', payloadType: 8, telephoneEventPayloadType: 96, remoteAddress: '198.51.100.9', remotePort: 30000,
      remoteRtcpPort: 30001, direction: 'sendrecv',
    },
  );
  t.is(answer.media.length, 2, 'one answer stream per offered stream');
});

const directions: ReadonlyArray<[Direction, Direction]> = [
  ['sendonly', 'recvonly'], ['recvonly', 'sendonly'], ['inactive', 'inactive'], ['sendrecv', 'sendrecv'],
];
for (const [offered, expected] of directions) {
  test(`offer/answer: an offer ${offered} is answered ${expected} (RFC 3264 §6.1)`, (t) => {
    const { answer, negotiated } = right(t, createAnswer(right(t, parseSdp(phoneOffer(offered))), local(), id));
    t.is(directionOf(answer, answer.media[0]!), expected);
    t.is(negotiated.direction, expected);
  });
}

test('offer/answer: answerDirection honours our own wish too', (t) => {
  t.is(answerDirection('sendrecv', 'sendonly'), 'sendonly');
  t.is(answerDirection('sendonly', 'sendonly'), 'inactive');
});

test('offer/answer: no common codec, no audio at all, or an RTP/SAVP offer while encryption is off is an error the UA answers with 488', (t) => {
  t.is(left(t, createAnswer(right(t, parseSdp(phoneOffer('sendrecv', '18'))), local(), id)).reason, 'NoCommonCodec');
  const videoOnly = 'v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=video 5000 RTP/AVP 97\r\n';
  t.is(left(t, createAnswer(right(t, parseSdp(videoOnly)), local(), id)).reason, 'NoAudio');
  const srtp = phoneOffer().replace('RTP/AVP 8 0 18 96', 'RTP/SAVP 8 0 18 96');
  t.is(left(t, createAnswer(right(t, parseSdp(srtp)), local(), id)).reason, 'NoCommonCrypto');
});

test('rejectingAnswer: one stream per offered stream, all with port 0, and it parses back; the offerer sees StreamRejected', (t) => {
  const offer = right(t, parseSdp(phoneOffer()));
  const answer = rejectingAnswer(offer, '192.0.2.1', id);
  t.deepEqual(answer.media.map((m) => [m.media, m.port, m.formats]), [['audio', 0, ['8']], ['video', 0, ['97']]]);
  const reparsed = right(t, parseSdp(serializeSdp(answer)));
  t.is(reparsed.media.length, 2);
  t.is(left(t, processAnswer(offer, reparsed)).reason, 'StreamRejected');
});

test('offer/answer: our offer, their answer → negotiated codec and address (RFC 3264 §7)', (t) => {
  const offer = createOffer(local(), id);
  t.deepEqual(offer.media[0]?.formats, ['0', '8', '101']);
  const theirAnswer = right(
    t,
    createAnswer(
      right(t, parseSdp(serializeSdp(offer))),
      local({ address: '203.0.113.5', port: 50000, codecs: [{ name: 'PCMA', payloadType: 8 }], direction: 'recvonly' }),
      id,
    ),
  );
  const negotiated = right(t, processAnswer(offer, theirAnswer.answer));
  t.like(
    negotiated,
    {
      codec: 'PCMA', payloadType: 8, remoteAddress: '203.0.113.5', remotePort: 50000, direction: 'sendonly',
      telephoneEventPayloadType: 101,
    },
  );
  const rejected = { ...theirAnswer.answer, media: theirAnswer.answer.media.map((m) => ({ ...m, port: 0 })) };
  t.is(left(t, processAnswer(offer, rejected)).reason, 'StreamRejected');
});

test('re-offer: o= version +1, direction changed, nothing else (RFC 3264 §8); hold/resume per RFC 6337', (t) => {
  const offer = {
    ...createOffer(local(), id), origin: { ...createOffer(local(), id).origin, sessionVersion: '18446744073709551615' },
  };
  const held = reoffer(offer, holdDirection('sendrecv'));
  t.is(held.origin.sessionVersion, '18446744073709551616');
  t.is(directionOf(held, held.media[0]!), 'sendonly');
  t.deepEqual({ ...held, origin: offer.origin, media: offer.media }, offer, 'only version and direction changed');
  t.deepEqual(held.media[0]?.formats, offer.media[0]?.formats);
  t.is(holdDirection('recvonly'), 'inactive');
  const resumed = reoffer(held, resumeDirection());
  t.is(directionOf(resumed, resumed.media[0]!), 'sendrecv');
  t.is(resumed.origin.sessionVersion, '18446744073709551617');
});
