import { charTable, isHexDigit } from './grammar.js';
import { decodeUtf8, encodeUtf8 } from './text-codec.js';

const UNRESERVED_MARKS = "-_.!~*'()";

const allowed = (extra: string): Uint8Array => charTable(UNRESERVED_MARKS + extra);

/** Characters allowed unescaped in each URI component (§25.1). */
export const USER_CHARS = allowed('&=+$,;?/');
export const PASSWORD_CHARS = allowed('&=+$,');
export const PARAM_CHARS = allowed('[]/:&+$');
export const HEADER_CHARS = allowed('[]/?:+$');

/**
 * End of the run, from `from` and before `to`, of characters `chars` allows and
 * well-formed %HH escapes: the first character that is neither (a broken
 * escape stops the run at its '%').
 */
export const scanEscaped = (text: string, from: number, to: number, chars: Uint8Array): number => {
  let i = from;
  while (i < to) {
    const code = text.charCodeAt(i);
    const escape = code === 0x25 && i + 2 < to
      && isHexDigit(text.charCodeAt(i + 1)) && isHexDigit(text.charCodeAt(i + 2));
    if (code < 128 && chars[code] === 1) i++;
    else if (escape) i += 3;
    else break;
  }
  return i;
};

/** True when every character is allowed or a well-formed %HH escape. */
export const isEscapedText = (text: string, chars: Uint8Array): boolean =>
  scanEscaped(text, 0, text.length, chars) === text.length;

/** Resolves %HH escapes as UTF-8; never throws (invalid UTF-8 becomes U+FFFD). */
export const unescapeUri = (text: string): string => {
  if (text.indexOf('%') === -1) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x25 && isHexDigit(text.charCodeAt(i + 1)) && isHexDigit(text.charCodeAt(i + 2))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (code < 0x80) bytes.push(code);
    else for (const b of encodeUtf8(text[i] as string)) bytes.push(b);
  }
  return decodeUtf8(Uint8Array.from(bytes));
};

const HEX = '0123456789ABCDEF';

/** Escapes every byte that `chars` does not allow. */
export const escapeUri = (text: string, chars: Uint8Array): string => {
  let plain = true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || chars[code] !== 1) {
      plain = false;
      break;
    }
  }
  if (plain) return text;
  let out = '';
  for (const byte of encodeUtf8(text)) {
    out += byte < 128 && chars[byte] === 1 ? String.fromCharCode(byte) : `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
};
