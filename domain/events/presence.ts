/**
 * The presence package (RFC 3856) with PIDF bodies (RFC 3863): one tuple, basic open or closed, an
 * optional note. Every value from outside is escaped on the way into the XML; the reader looks for the
 * few elements it needs in a bounded body and expands nothing (no DTD, no entities beyond the five).
 */

export const PRESENCE = 'presence';
export const PIDF_TYPE = 'application/pidf+xml';

export interface PresenceState {
  readonly basic: 'open' | 'closed';
  readonly note?: string;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;',
};
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Text safe inside an XML element or a double-quoted attribute. */
export const escapeXml = (text: string): string =>
  // Control characters other than tab, LF and CR are not allowed in XML 1.0 at all.
  text.replace(/[&<>"']/g, (c) => ESCAPES[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

const unescapeXml = (text: string): string =>
  text.replace(/&(amp|lt|gt|quot|apos);/g, (_m, name: string) => ENTITIES[name]!);

export const formatPidf = (entity: string, state: PresenceState): string => [
  '<?xml version="1.0" encoding="UTF-8"?>',
  `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${escapeXml(entity)}">`,
  '<tuple id="t1">',
  `<status><basic>${state.basic}</basic></status>`,
  ...(state.note === undefined ? [] : [`<note>${escapeXml(state.note)}</note>`]),
  '</tuple>',
  '</presence>',
  '',
].join('\r\n');

/** Bodies larger than this are not read: presence documents are small. */
export const MAX_PIDF_BYTES = 64 * 1024;

/**
 * The first tuple's basic status and the first note of a PIDF document, or undefined when the body is too
 * large, declares a DTD (entity expansion is how XML bombs work), or has no basic status.
 */
export const readPidf = (body: string): PresenceState | undefined => {
  if (body.length > MAX_PIDF_BYTES || /<!DOCTYPE|<!ENTITY/i.test(body)) return undefined;
  const basic = /<(?:[\w-]+:)?basic\s*>\s*(open|closed)\s*<\/(?:[\w-]+:)?basic\s*>/i.exec(body)?.[1]?.toLowerCase();
  if (basic !== 'open' && basic !== 'closed') return undefined;
  const note = /<(?:[\w-]+:)?note(?:\s[^>]*)?>([^<]{0,1024})<\/(?:[\w-]+:)?note\s*>/i.exec(body)?.[1];
  return { basic, ...(note === undefined ? {} : { note: unescapeXml(note.trim()) }) };
};
