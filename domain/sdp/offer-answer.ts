/**
 * RFC 3264 offer/answer for one audio stream of G.711 with RFC 4733
 * telephone-events, and hold/resume as direction changes (RFC 6337).
 */
import * as E from 'fp-ts/lib/Either.js';
import type { G711Codec } from '../media/g711.js';
import {
  answerCrypto, cryptoLine, readCryptoAnswer, type NegotiatedSrtp, type SrtpPolicy,
} from './sdes.js';

export type { NegotiatedSrtp, SrtpPolicy } from './sdes.js';
import {
  answerSetup, isWebRtcProto, readRemoteWebRtc, roleFromAnswer, WEBRTC_PROTO, webRtcMediaLines, webRtcSessionLines,
  type NegotiatedWebRtc, type WebRtcLocal,
} from './webrtc.js';
import {
  attributeValues, connectionOf, directionOf, ptimeOf, rtpMapsOf,
  type Direction, type MediaDescription, type SdpLine, type SessionDescription,
} from './session-description.js';

export interface CodecCapability {
  readonly name: G711Codec;
  /** Payload type we offer it with (the answer reuses the offerer's numbers). */
  readonly payloadType: number;
}

export interface LocalMedia {
  readonly address: string;
  readonly port: number;
  /** In order of preference. */
  readonly codecs: ReadonlyArray<CodecCapability>;
  readonly telephoneEventPayloadType?: number;
  readonly direction: Direction;
  readonly ptimeMs: number;
  /** SRTP keyed by SDES (RFC 4568, see sdes.ts); absent: plain RTP only (an RTP/SAVP offer is refused). */
  readonly srtp?: SrtpPolicy;
  /** A WebRTC endpoint (ICE-lite, DTLS-SRTP; webrtc.ts): offers and accepts UDP/TLS/RTP/SAVPF streams only. */
  readonly webrtc?: WebRtcLocal;
}

export interface SdpIdentity {
  readonly username: string;
  readonly sessionId: string;
  readonly sessionVersion: string;
}

/** What both sides agreed for the audio stream, from our point of view. */
export interface NegotiatedAudio {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly remoteRtcpPort: number;
  readonly codec: G711Codec;
  readonly payloadType: number;
  readonly telephoneEventPayloadType?: number;
  /** Our direction: may we send, may we receive. */
  readonly direction: Direction;
  readonly ptimeMs: number;
  /** Present when the stream is SRTP keyed by SDES. */
  readonly srtp?: NegotiatedSrtp;
  /** Present when the stream is WebRTC: its keys come from the DTLS handshake, its address from ICE. */
  readonly webrtc?: NegotiatedWebRtc;
}

export interface OfferAnswerError {
  readonly kind: 'OfferAnswerError';
  readonly reason: 'NoAudio' | 'NoCommonCodec' | 'NoConnection' | 'StreamRejected' | 'NoCommonCrypto';
  readonly detail: string;
}

const fail = (reason: OfferAnswerError['reason'], detail: string): E.Either<OfferAnswerError, never> =>
  E.left({ kind: 'OfferAnswerError', reason, detail });

export const DEFAULT_CODECS: ReadonlyArray<CodecCapability> = [
  { name: 'PCMU', payloadType: 0 }, { name: 'PCMA', payloadType: 8 },
];

const addrType = (address: string): string => (address.includes(':') ? 'IP6' : 'IP4');

const audioLines = (
  formats: ReadonlyArray<{ pt: number; name: string }>, telephoneEvent: number | undefined, direction: Direction,
  ptimeMs: number,
): SdpLine[] => {
  const lines: SdpLine[] = formats.map((f) => ({ type: 'a', value: `rtpmap:${f.pt} ${f.name}/8000` }));
  if (telephoneEvent !== undefined) {
    lines.push(
      { type: 'a', value: `rtpmap:${telephoneEvent} telephone-event/8000` },
      { type: 'a', value: `fmtp:${telephoneEvent} 0-16` },
    );
  }
  lines.push({ type: 'a', value: `ptime:${ptimeMs}` }, { type: 'a', value: direction });
  return lines;
};

const describe = (
  identity: SdpIdentity, address: string, media: ReadonlyArray<MediaDescription>, extra: ReadonlyArray<SdpLine> = [],
): SessionDescription => ({
  version: 0,
  origin: {
    username: identity.username, sessionId: identity.sessionId, sessionVersion: identity.sessionVersion, netType: 'IN',
    addrType: addrType(address), address,
  },
  sessionName: 'session-core',
  lines: [{ type: 'c', value: `IN ${addrType(address)} ${address}` }, { type: 't', value: '0 0' }, ...extra],
  media,
});

/** The mid our WebRTC offers give their one stream. */
const OUR_MID = '0';

/** An offer from local capabilities (RFC 3264 §5). */
export const createOffer = (local: LocalMedia, identity: SdpIdentity): SessionDescription => {
  const formats = local.codecs.map((c) => ({ pt: c.payloadType, name: c.name }));
  const te = local.telephoneEventPayloadType;
  const srtp = local.srtp;
  const webrtc = local.webrtc;
  if (webrtc !== undefined) return describe(identity, local.address, [{
    media: 'audio', port: local.port, proto: WEBRTC_PROTO,
    formats: [...formats.map((f) => String(f.pt)), ...(te === undefined ? [] : [String(te)])],
    lines: [
      ...audioLines(formats, te, local.direction, local.ptimeMs), ...webRtcMediaLines(webrtc, 'actpass', OUR_MID),
    ],
  }], webRtcSessionLines(OUR_MID));
  return describe(identity, local.address, [{
    media: 'audio', port: local.port, proto: srtp?.policy === 'required' ? 'RTP/SAVP' : 'RTP/AVP',
    formats: [...formats.map((f) => String(f.pt)), ...(te === undefined ? [] : [String(te)])],
    lines: [...audioLines(formats, te, local.direction, local.ptimeMs), ...(srtp?.keys ?? []).map(cryptoLine)],
  }]);
};

/** §6.1: the answer's direction given the offer's and what we want. */
export const answerDirection = (offered: Direction, wanted: Direction): Direction => {
  const weSend = (wanted === 'sendrecv' || wanted === 'sendonly') && (offered === 'sendrecv' || offered === 'recvonly');
  const weReceive = (wanted === 'sendrecv' || wanted === 'recvonly') && (
    offered === 'sendrecv' || offered === 'sendonly'
  );
  return weSend && weReceive ? 'sendrecv' : weSend ? 'sendonly' : weReceive ? 'recvonly' : 'inactive';
};

const telephoneEventOf = (media: MediaDescription): number | undefined => {
  for (const map of rtpMapsOf(media).values()) {
    if (map.encoding.toLowerCase() === 'telephone-event' && map.clockRate === 8000) return map.payloadType;
  }
  return undefined;
};

const rtcpPortOf = (media: MediaDescription): number => {
  const value = attributeValues(media.lines, 'rtcp')[0];
  const port = value === undefined ? NaN : Number(value.trim().split(/\s+/)[0]);
  return Number.isInteger(port) && port > 0 ? port : media.port + 1;
};

/**
 * The answer to an offer (RFC 3264 §6): the first usable audio stream is
 * accepted with the codecs both sides have, in the offerer's order and with
 * its payload types; every other stream is rejected with port 0. No usable
 * audio at all is an error the UA turns into 488.
 */
export const createAnswer = (
  offer: SessionDescription, local: LocalMedia, identity: SdpIdentity,
): E.Either<OfferAnswerError, { readonly answer: SessionDescription; readonly negotiated: NegotiatedAudio }> => {
  let negotiated: NegotiatedAudio | undefined;
  let cryptoRefusal: string | undefined;
  let bundled: string | undefined;
  const media: MediaDescription[] = offer.media.map((m) => {
    const rejected: MediaDescription = {
      media: m.media, port: 0, proto: m.proto, formats: m.formats.slice(0, 1), lines: [],
    };
    const webrtc = isWebRtcProto(m.proto);
    const rtp = m.proto === 'RTP/AVP' || m.proto === 'RTP/SAVP' || webrtc;
    if (negotiated !== undefined || m.media !== 'audio' || m.port === 0 || !rtp) return rejected;
    const browser = webrtc ? acceptWebRtc(offer, m, local.webrtc) : undefined;
    if (browser !== undefined && E.isLeft(browser)) {
      cryptoRefusal ??= browser.left;
      return rejected;
    }
    if (!webrtc && local.webrtc !== undefined) {
      cryptoRefusal ??= `a ${m.proto} stream offered to a WebRTC endpoint`;
      return rejected;
    }
    const security = webrtc ? { kind: 'plain' as const } : answerCrypto(m, local.srtp);
    if (security.kind === 'refused') {
      cryptoRefusal ??= security.detail;
      return rejected;
    }
    const maps = rtpMapsOf(m);
    const common = m.formats.map(Number).flatMap((pt) => {
      const map = maps.get(pt);
      const ours = map === undefined ? undefined : local.codecs.find(
        (c) => c.name === map.encoding.toUpperCase() && map.clockRate === 8000,
      );
      return ours === undefined ? [] : [{ pt, name: ours.name }];
    });
    const first = common[0];
    const connection = connectionOf(offer, m);
    if (first === undefined || connection === undefined) return rejected;
    const te = local.telephoneEventPayloadType === undefined ? undefined : telephoneEventOf(m);
    const direction = answerDirection(directionOf(offer, m), local.direction);
    negotiated = {
      remoteAddress: connection.address, remotePort: m.port, remoteRtcpPort: rtcpPortOf(m),
      codec: first.name, payloadType: first.pt,
      ...(te === undefined ? {} : { telephoneEventPayloadType: te }),
      direction, ptimeMs: ptimeOf(m) ?? local.ptimeMs,
      ...(security.kind === 'secure' ? { srtp: security.srtp } : {}),
      ...(browser === undefined ? {} : { webrtc: browser.right.negotiated }),
    };
    const lines = audioLines(common, te, direction, local.ptimeMs);
    if (browser !== undefined) bundled = browser.right.mid;
    return {
      media: 'audio', port: local.port, proto: m.proto,
      formats: [...common.map((c) => String(c.pt)), ...(te === undefined ? [] : [String(te)])],
      lines: security.kind === 'secure' ? [...lines, security.line] : browser === undefined ? lines : [
        ...lines, ...browser.right.lines,
      ],
    };
  });
  if (negotiated === undefined) {
    if (cryptoRefusal !== undefined) return fail('NoCommonCrypto', cryptoRefusal);
    return offer.media.some((m) => m.media === 'audio')
      ? fail('NoCommonCodec', 'no offered audio codec is supported (PCMU/PCMA over RTP/AVP or RTP/SAVP)')
      : fail('NoAudio', 'the offer has no audio stream');
  }
  const extra = bundled === undefined ? [] : webRtcSessionLines(bundled);
  return E.right({ answer: describe(identity, local.address, media, extra), negotiated });
};

/** A browser's stream we can take: its ICE and DTLS parameters read, our setup chosen, our lines written. */
const acceptWebRtc = (
  offer: SessionDescription, m: MediaDescription, local: WebRtcLocal | undefined,
): E.Either<string, { negotiated: NegotiatedWebRtc; lines: SdpLine[]; mid: string }> => {
  if (local === undefined) return E.left(`a WebRTC stream (${m.proto}) needs WebRTC media here (withWebRtc)`);
  const remote = readRemoteWebRtc(offer, m);
  if (E.isLeft(remote)) return remote;
  const setup = answerSetup(remote.right.setup);
  if (E.isLeft(setup)) return setup;
  const mid = remote.right.mid ?? OUR_MID;
  return E.right({
    negotiated: {
      remoteIce: remote.right.ice, remoteFingerprints: remote.right.fingerprints,
      dtlsRole: setup.right === 'passive' ? 'server' : 'client', remoteCandidates: remote.right.candidates,
      remoteLite: remote.right.lite,
    },
    lines: webRtcMediaLines(local, setup.right, mid),
    mid,
  });
};

/**
 * An answer that refuses every stream (RFC 3264 §6: port 0). It is what a
 * delayed-offer UAC puts in the ACK when the 2xx's offer is unusable: the ACK
 * must still carry a valid answer before the BYE (RFC 3261 §13.2.2.4).
 */
export const rejectingAnswer = (
  offer: SessionDescription, address: string, identity: SdpIdentity,
): SessionDescription =>
  describe(
    identity, address,
    offer.media.map((m) => ({ media: m.media, port: 0, proto: m.proto, formats: m.formats.slice(0, 1), lines: [] })),
  );

/** Reads the answer to our offer (RFC 3264 §7): the agreed codec and the peer's address. */
export const processAnswer = (
  offer: SessionDescription, answer: SessionDescription,
): E.Either<OfferAnswerError, NegotiatedAudio> => {
  const index = answer.media.findIndex((m) => m.media === 'audio' && m.port !== 0);
  const m = answer.media[index];
  const offered = offer.media[index];
  if (m === undefined || offered === undefined) return fail('StreamRejected', 'the answer rejected the audio stream');
  const maps = rtpMapsOf(m);
  const offeredMaps = rtpMapsOf(offered);
  const pick = m.formats.map(Number).find((pt) => {
    const name = (maps.get(pt) ?? offeredMaps.get(pt))?.encoding.toUpperCase();
    return name === 'PCMU' || name === 'PCMA';
  });
  const connection = connectionOf(answer, m);
  if (pick === undefined) return fail('NoCommonCodec', 'the answer chose no codec we offered');
  if (connection === undefined) return fail('NoConnection', 'the answer has no c= line');
  const webrtc = isWebRtcProto(offered.proto) ? readWebRtcAnswer(answer, m) : undefined;
  if (webrtc !== undefined && E.isLeft(webrtc)) return fail('NoCommonCrypto', webrtc.left);
  const security = webrtc === undefined ? readCryptoAnswer(offered, m) : { ok: undefined };
  if ('detail' in security) return fail('NoCommonCrypto', security.detail);
  const te = telephoneEventOf(m);
  // The answer's direction is the peer's; ours is its mirror.
  const theirs = directionOf(answer, m);
  const ours: Direction = theirs === 'sendonly' ? 'recvonly' : theirs === 'recvonly' ? 'sendonly' : theirs;
  return E.right({
    remoteAddress: connection.address, remotePort: m.port, remoteRtcpPort: rtcpPortOf(m),
    codec: ((maps.get(pick) ?? offeredMaps.get(pick))?.encoding.toUpperCase() ?? 'PCMU') as G711Codec,
    payloadType: pick,
    ...(te === undefined ? {} : { telephoneEventPayloadType: te }),
    direction: ours,
    ptimeMs: ptimeOf(m) ?? 20,
    ...(security.ok === undefined ? {} : { srtp: security.ok }),
    ...(webrtc === undefined ? {} : { webrtc: webrtc.right }),
  });
};

/** The browser's answer to our WebRTC offer: its ICE and DTLS parameters, and so our DTLS role. */
const readWebRtcAnswer = (answer: SessionDescription, m: MediaDescription): E.Either<string, NegotiatedWebRtc> => {
  const remote = readRemoteWebRtc(answer, m);
  if (E.isLeft(remote)) return remote;
  const role = roleFromAnswer(remote.right.setup);
  if (E.isLeft(role)) return role;
  return E.right({
    remoteIce: remote.right.ice, remoteFingerprints: remote.right.fingerprints, dtlsRole: role.right,
    remoteCandidates: remote.right.candidates, remoteLite: remote.right.lite,
  });
};

/**
 * The terms of an answer we wrote ourselves (an application's own SDP) to the
 * peer's offer: the peer's address and port from the offer, the codec and our
 * direction from our answer — what processAnswer gives the offerer, seen from
 * the answerer's side.
 */
export const readOwnAnswer = (
  offer: SessionDescription, answer: SessionDescription,
): E.Either<OfferAnswerError, NegotiatedAudio> => {
  const index = answer.media.findIndex((m) => m.media === 'audio' && m.port !== 0);
  const ours = answer.media[index];
  const theirs = offer.media[index];
  if (ours === undefined || theirs === undefined) return fail('StreamRejected', 'the answer rejects the audio stream');
  const maps = rtpMapsOf(ours);
  const theirMaps = rtpMapsOf(theirs);
  const codecOf = (pt: number): string | undefined => (maps.get(pt) ?? theirMaps.get(pt))?.encoding.toUpperCase();
  const pick = ours.formats.map(Number).find((pt) => codecOf(pt) === 'PCMU' || codecOf(pt) === 'PCMA');
  const connection = connectionOf(offer, theirs);
  if (pick === undefined) return fail('NoCommonCodec', 'the answer names no G.711 codec');
  if (connection === undefined) return fail('NoConnection', 'the offer has no c= line');
  // Read as the offerer would, then seen from our side: we send with our answer's key.
  const security = readCryptoAnswer(theirs, ours);
  if ('detail' in security) return fail('NoCommonCrypto', security.detail);
  const srtp = security.ok === undefined ? undefined : {
    suite: security.ok.suite, send: security.ok.receive, receive: security.ok.send,
  };
  const te = telephoneEventOf(ours);
  return E.right({
    remoteAddress: connection.address, remotePort: theirs.port, remoteRtcpPort: rtcpPortOf(theirs),
    codec: codecOf(pick) as G711Codec, payloadType: pick,
    ...(te === undefined ? {} : { telephoneEventPayloadType: te }),
    direction: directionOf(answer, ours), ptimeMs: ptimeOf(ours) ?? ptimeOf(theirs) ?? 20,
    ...(srtp === undefined ? {} : { srtp }),
  });
};

/** A new offer in the same session: o= version + 1, directions replaced, nothing else changed (RFC 3264 §8). */
export const reoffer = (previous: SessionDescription, direction?: Direction): SessionDescription => ({
  ...previous,
  origin: { ...previous.origin, sessionVersion: (BigInt(previous.origin.sessionVersion) + 1n).toString() },
  media: direction === undefined ? previous.media : previous.media.map((m) => withDirection(m, direction)),
});

const DIRECTION_VALUES: ReadonlySet<string> = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

export const withDirection = (media: MediaDescription, direction: Direction): MediaDescription => {
  const lines = media.lines.filter((l) => !(l.type === 'a' && DIRECTION_VALUES.has(l.value)));
  return { ...media, lines: [...lines, { type: 'a', value: direction }] };
};

/** RFC 6337 §5.3: hold the stream — sendonly if we were sending and receiving, inactive if we were only receiving. */
export const holdDirection = (current: Direction): Direction => (
  current === 'sendrecv' || current === 'sendonly' ? 'sendonly' : 'inactive'
);

/** RFC 6337: resume — back to sendrecv. */
export const resumeDirection = (): Direction => 'sendrecv';
