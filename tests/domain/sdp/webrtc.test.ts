import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { createAnswer, createOffer, processAnswer, type LocalMedia } from '../../../domain/sdp/offer-answer.js';
import { parseSdp } from '../../../domain/sdp/parse-sdp.js';
import { serializeSdp } from '../../../domain/sdp/serialize-sdp.js';
import { answerSetup, readRemoteWebRtc, roleFromAnswer, type WebRtcLocal } from '../../../domain/sdp/webrtc.js';
import { left, right } from '../../support/either.js';

const FP = 'AB:'.repeat(31) + 'AB';
// What Chrome offers for one audio track (trimmed of extmaps and codecs we ignore).
const CHROME_OFFER = [
  'v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'a=extmap-allow-mixed', 'a=msid-semantic: WMS stream',
  'm=audio 50000 UDP/TLS/RTP/SAVPF 111 0 8 126', 'c=IN IP4 192.0.2.10', 'a=rtcp:9 IN IP4 0.0.0.0',
  'a=candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host generation 0',
  'a=candidate:2 1 tcp 1518280447 192.0.2.10 9 typ host tcptype active',
  'a=ice-ufrag:Fz9e', 'a=ice-pwd:y5O4Mxl6yZ3JNQdF8WGYVUdD', 'a=ice-options:trickle',
  `a=fingerprint:sha-256 ${FP}`, 'a=setup:actpass', 'a=mid:0', 'a=sendrecv', 'a=msid:stream track', 'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:126 telephone-event/8000',
  'a=ssrc:1111 cname:x', '',
].join('\r\n');

const webrtc: WebRtcLocal = {
  ice: { ufrag: 'ours', pwd: 'our-password-is-22-chars' }, fingerprint: { algorithm: 'sha-256', value: 'CD:EF' },
  candidate: { address: '198.51.100.1', port: 40000 }, stream: { ssrc: 42, cname: 'c@x' },
};
const local = (extra: Partial<LocalMedia> = {}): LocalMedia => ({
  address: '198.51.100.1', port: 40000, codecs: [{ name: 'PCMU', payloadType: 0 }, { name: 'PCMA', payloadType: 8 }],
  telephoneEventPayloadType: 101, direction: 'sendrecv', ptimeMs: 20, ...extra,
});
const identity = { username: '-', sessionId: '1', sessionVersion: '1' };

test('WebRTC answer: a browser\'s offer is answered ICE-lite, passive, bundled, muxed, with PCMU and its DTMF', (t) => {
  const offer = right(t, parseSdp(CHROME_OFFER));
  const { answer, negotiated } = right(t, createAnswer(offer, local({ webrtc }), identity));
  const text = serializeSdp(answer);
  t.regex(text, /\r\na=ice-lite\r\n/);
  t.regex(text, /\r\na=group:BUNDLE 0\r\n/);
  t.regex(text, /\r\nm=audio 40000 UDP\/TLS\/RTP\/SAVPF 0 8 126\r\n/);
  for (const line of ['a=mid:0', 'a=ice-ufrag:ours', 'a=ice-pwd:our-password-is-22-chars', 'a=fingerprint:sha-256 CD:EF',
    'a=setup:passive', 'a=rtcp-mux', 'a=candidate:1 1 udp 2130706431 198.51.100.1 40000 typ host',
    'a=end-of-candidates', 'a=ssrc:42 cname:c@x']) t.true(text.includes(`\r\n${line}\r\n`), line);
  t.false(text.includes('a=crypto'), 'no SDES keys in a DTLS-SRTP stream');
  t.like(negotiated, { codec: 'PCMU', payloadType: 0, telephoneEventPayloadType: 126 });
  t.deepEqual(negotiated.webrtc, {
    remoteIce: { ufrag: 'Fz9e', pwd: 'y5O4Mxl6yZ3JNQdF8WGYVUdD' }, remoteFingerprints: [{ algorithm: 'sha-256', value: FP }],
    dtlsRole: 'server', remoteCandidates: [{ address: '192.0.2.10', port: 50000 }], remoteLite: false,
  });
});

test('WebRTC answer: refused (→ 488) without WebRTC media, without ICE credentials or a fingerprint', (t) => {
  const offer = right(t, parseSdp(CHROME_OFFER));
  t.regex(left(t, createAnswer(offer, local(), identity)).detail, /needs WebRTC media here/);
  const bare = right(t, parseSdp(CHROME_OFFER.replace(/a=fingerprint:[^\r]+\r\n/, '')));
  t.regex(left(t, createAnswer(bare, local({ webrtc }), identity)).detail, /no certificate fingerprint/);
  const noIce = right(t, parseSdp(CHROME_OFFER.replace(/a=ice-pwd:[^\r]+\r\n/, '')));
  t.regex(left(t, createAnswer(noIce, local({ webrtc }), identity)).detail, /no ICE credentials/);
  const phone = right(t, parseSdp('v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\n'
    + 'm=audio 4000 RTP/AVP 0\r\n'));
  t.regex(left(t, createAnswer(phone, local({ webrtc }), identity)).detail, /offered to a WebRTC endpoint/);
});

test('WebRTC offer: ours is actpass; the answer\'s setup gives our DTLS role (RFC 5763 §5)', (t) => {
  const offer = createOffer(local({ webrtc }), identity);
  const text = serializeSdp(offer);
  t.regex(text, /m=audio 40000 UDP\/TLS\/RTP\/SAVPF 0 8 101\r\n/);
  t.true(text.includes('\r\na=setup:actpass\r\n'));
  const answerText = CHROME_OFFER.replace('a=setup:actpass', 'a=setup:active').replace(' 111 0 8 126', ' 0 126');
  const negotiated = right(t, processAnswer(offer, right(t, parseSdp(answerText))));
  t.is(negotiated.webrtc?.dtlsRole, 'server');
  t.is(right(t, roleFromAnswer('passive')), 'client');
  t.true(E.isLeft(roleFromAnswer('actpass')));
  t.is(right(t, answerSetup('passive')), 'active');
  t.true(E.isLeft(answerSetup('holdconn')));
  const sessionLevel = right(t, parseSdp(CHROME_OFFER.replace('a=ice-options:trickle\r\n', '')));
  t.is(right(t, readRemoteWebRtc(sessionLevel, sessionLevel.media[0]!)).setup, 'actpass');
});
