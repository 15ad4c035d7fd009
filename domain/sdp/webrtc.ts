/**
 * The WebRTC profile of an audio stream in SDP (RFC 8829 JSEP, RFC 8839 ICE, RFC 8842/5763 DTLS-SRTP,
 * RFC 8843 BUNDLE, RFC 5761 rtcp-mux): what a browser offers and answers, read and written as values.
 * We are an ICE-lite agent (RFC 8445 §2.5) with one host candidate: the browser runs the checks.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  attributeValues, type MediaDescription, type SdpLine, type SessionDescription,
} from './session-description.js';

export const WEBRTC_PROTO = 'UDP/TLS/RTP/SAVPF';

/** The transport profiles a browser's audio stream uses (SAVP without feedback is accepted too). */
export const isWebRtcProto = (proto: string): boolean => {
  const upper = proto.toUpperCase();
  return upper === WEBRTC_PROTO || upper === 'UDP/TLS/RTP/SAVP';
};

export interface IceCredentials {
  readonly ufrag: string;
  readonly pwd: string;
}

export interface DtlsFingerprint {
  /** Hash function name as SDP writes it (`sha-256`). */
  readonly algorithm: string;
  /** Upper-case hex pairs joined by colons. */
  readonly value: string;
}

export type DtlsSetup = 'active' | 'passive' | 'actpass' | 'holdconn';

export interface IceCandidate {
  readonly address: string;
  readonly port: number;
}

/** Our side of a WebRTC stream: credentials, certificate fingerprint, the one address we listen on. */
export interface WebRtcLocal {
  readonly ice: IceCredentials;
  readonly fingerprint: DtlsFingerprint;
  readonly candidate: IceCandidate;
  /** Our stream's SSRC and CNAME, announced so a receiver can route it before it arrives (RFC 5576). */
  readonly stream?: { readonly ssrc: number; readonly cname: string };
}

/** What both sides agreed for a WebRTC stream, from our point of view. */
export interface NegotiatedWebRtc {
  readonly remoteIce: IceCredentials;
  readonly remoteFingerprints: ReadonlyArray<DtlsFingerprint>;
  /** Our DTLS role: server waits for the peer's ClientHello (we said passive), client sends it (active). */
  readonly dtlsRole: 'client' | 'server';
  /** The peer's candidates (UDP, component 1); the checks themselves tell us the address in use. */
  readonly remoteCandidates: ReadonlyArray<IceCandidate>;
  /**
   * The peer is ICE-lite too: nobody runs checks, the pair is its first candidate (RFC 8445 §6.1.1) — a
   * server like us, not a browser.
   */
  readonly remoteLite: boolean;
}

/** A media-level attribute, else the session-level one (ICE and fingerprint may be either, RFC 8839 §5). */
const valueOf = (desc: SessionDescription, media: MediaDescription, name: string): string | undefined =>
  attributeValues(media.lines, name)[0] ?? attributeValues(desc.lines, name)[0];

const FINGERPRINT = /^([A-Za-z0-9-]+)\s+((?:[0-9A-Fa-f]{2}:)+[0-9A-Fa-f]{2})$/;

/** `a=candidate:foundation component transport priority address port typ type …`: UDP, RTP component only. */
const candidatesOf = (media: MediaDescription): IceCandidate[] => attributeValues(media.lines, 'candidate')
  .flatMap((value) => {
    const [, component, transport, , address, port] = value.trim().split(/\s+/);
    const p = Number(port);
    return component === '1' && transport?.toLowerCase() === 'udp' && address !== undefined && Number.isInteger(p)
      ? [{ address, port: p }] : [];
  });

export interface RemoteWebRtc {
  readonly ice: IceCredentials;
  readonly fingerprints: ReadonlyArray<DtlsFingerprint>;
  readonly setup: DtlsSetup;
  readonly candidates: ReadonlyArray<IceCandidate>;
  readonly mid: string | undefined;
  /** `a=ice-lite` at session level. */
  readonly lite: boolean;
}

/**
 * The peer's WebRTC parameters of a stream: ICE credentials and a certificate fingerprint are required
 * (without them no check or handshake can be verified); `a=setup` defaults to active (RFC 4145 §4).
 */
export const readRemoteWebRtc = (
  desc: SessionDescription, media: MediaDescription,
): E.Either<string, RemoteWebRtc> => {
  const ufrag = valueOf(desc, media, 'ice-ufrag')?.trim();
  const pwd = valueOf(desc, media, 'ice-pwd')?.trim();
  if (ufrag === undefined || pwd === undefined || ufrag === '' || pwd === '') {
    return E.left('the WebRTC stream has no ICE credentials (a=ice-ufrag, a=ice-pwd)');
  }
  const fingerprints = [...attributeValues(media.lines, 'fingerprint'), ...attributeValues(desc.lines, 'fingerprint')]
    .flatMap((v) => {
      const match = FINGERPRINT.exec(v.trim());
      return match === null ? [] : [{ algorithm: (match[1] as string).toLowerCase(), value: (match[2] as string)
        .toUpperCase() }];
    });
  if (fingerprints.length === 0) return E.left('the WebRTC stream has no certificate fingerprint (a=fingerprint)');
  const setup = (valueOf(desc, media, 'setup')?.trim().toLowerCase() ?? 'active') as DtlsSetup;
  if (!['active', 'passive', 'actpass', 'holdconn'].includes(setup)) return E.left(`a=setup:${setup} is not valid`);
  return E.right({
    ice: { ufrag, pwd }, fingerprints, setup, candidates: candidatesOf(media),
    mid: attributeValues(media.lines, 'mid')[0]?.trim(),
    lite: attributeValues(desc.lines, 'ice-lite').length > 0,
  });
};

/** RFC 5763 §5: our answer's setup given the offer's — we take the server's part whenever we may. */
export const answerSetup = (offered: DtlsSetup): E.Either<string, 'active' | 'passive'> => {
  if (offered === 'holdconn') return E.left('a=setup:holdconn: the peer holds the DTLS connection');
  return E.right(offered === 'passive' ? 'active' : 'passive');
};

/** Our DTLS role once the answer to our actpass offer says the peer's. */
export const roleFromAnswer = (answered: DtlsSetup): E.Either<string, 'client' | 'server'> => {
  if (answered === 'active') return E.right('server');
  if (answered === 'passive') return E.right('client');
  return E.left(`an answer must say a=setup:active or passive, not ${answered} (RFC 5763 §5)`);
};

/** The lines of our WebRTC stream after its codecs: ICE, DTLS, mid, rtcp-mux, our one host candidate. */
export const webRtcMediaLines = (local: WebRtcLocal, setup: DtlsSetup, mid: string): SdpLine[] => [
  { type: 'a', value: `mid:${mid}` },
  { type: 'a', value: `ice-ufrag:${local.ice.ufrag}` },
  { type: 'a', value: `ice-pwd:${local.ice.pwd}` },
  { type: 'a', value: `fingerprint:${local.fingerprint.algorithm} ${local.fingerprint.value}` },
  { type: 'a', value: `setup:${setup}` },
  { type: 'a', value: 'rtcp-mux' },
  // Host candidate, highest type preference (RFC 8445 §5.1.2.2): priority 2^24·126 + 2^8·65535 + 255.
  { type: 'a', value: `candidate:1 1 udp 2130706431 ${local.candidate.address} ${local.candidate.port} typ host` },
  { type: 'a', value: 'end-of-candidates' },
  ...(local.stream === undefined ? [] : [
    { type: 'a', value: `ssrc:${local.stream.ssrc} cname:${local.stream.cname}` },
  ]),
];

/** Session-level lines of a description with a WebRTC stream: we are ICE-lite; the stream bundles alone. */
export const webRtcSessionLines = (mid: string): SdpLine[] => [
  { type: 'a', value: 'ice-lite' },
  { type: 'a', value: `group:BUNDLE ${mid}` },
];
