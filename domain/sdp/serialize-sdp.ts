import type { MediaDescription, SdpLine, SessionDescription } from './session-description.js';

const line = (l: SdpLine): string => `${l.type}=${l.value}\r\n`;

const mediaLine = (m: MediaDescription): string =>
  `m=${m.media} ${m.port}${m.portCount === undefined ? '' : `/${m.portCount}`} ${m.proto}`
  + `${m.formats.length > 0 ? ` ${m.formats.join(' ')}` : ''}\r\n`;

/** Writes SDP with CRLF line ends (RFC 8866 §5), in the model's order. */
export const serializeSdp = (desc: SessionDescription): string => {
  const o = desc.origin;
  let out = `v=${desc.version}\r\n`
    + `o=${o.username} ${o.sessionId} ${o.sessionVersion} ${o.netType} ${o.addrType} ${o.address}\r\n`
    + `s=${desc.sessionName.length === 0 ? ' ' : desc.sessionName}\r\n`;
  for (const l of desc.lines) out += line(l);
  for (const m of desc.media) {
    out += mediaLine(m);
    for (const l of m.lines) out += line(l);
  }
  return out;
};
