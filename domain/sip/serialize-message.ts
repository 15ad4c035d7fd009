import { formatUri } from './format-uri.js';
import { HEADER } from './header-names.js';
import type { SipMessage } from './message.js';
import { utf8Length, writeAsciiExact, writeUtf8 } from './text-codec.js';

/** The start line and header section, up to and including the empty line. */
export const formatHead = (message: SipMessage): string => {
  let head = message.kind === 'request'
    ? `${message.method} ${formatUri(message.uri)} ${message.version}\r\n`
    : `${message.version} ${message.status} ${message.reason}\r\n`;
  for (const header of message.headers) {
    // Content-Length is always recomputed from the body (§20.14).
    if (header.name !== HEADER.ContentLength) head += `${header.name}: ${header.value}\r\n`;
  }
  return `${head}Content-Length: ${message.body.length}\r\n\r\n`;
};

/** Bytes `writeMessage` will write for this head (from `formatHead`) and body. */
export const messageSize = (head: string, message: SipMessage): number => utf8Length(head) + message.body.length;

/** Writes head and body into `out` at `offset`; returns the bytes written. */
export const writeMessage = (head: string, message: SipMessage, out: Uint8Array, offset: number): number => {
  const written = writeUtf8(head, out, offset);
  out.set(message.body, offset + written);
  return written + message.body.length;
};

/** Serializes a message with canonical header names and a recomputed Content-Length. */
export const serializeMessage = (message: SipMessage): Uint8Array => {
  const head = formatHead(message);
  // Heads are nearly always ASCII: size by characters and skip counting bytes.
  const ascii = new Uint8Array(head.length + message.body.length);
  if (writeAsciiExact(head, ascii)) {
    ascii.set(message.body, head.length);
    return ascii;
  }
  const out = new Uint8Array(messageSize(head, message));
  writeMessage(head, message, out, 0);
  return out;
};
