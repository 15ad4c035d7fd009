/**
 * UTF-8 text <-> bytes. TextEncoder/TextDecoder are ECMAScript-adjacent
 * platform globals present in every JavaScript runtime; they are declared here
 * (not taken from DOM or Node typings) so the core compiles with `"types": []`.
 */
interface Utf8Decoder {
  decode(input: Uint8Array): string;
}
interface Utf8Encoder {
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}
declare const TextDecoder: new (label: 'utf-8') => Utf8Decoder;
declare const TextEncoder: new () => Utf8Encoder;

const decoder = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** Decodes UTF-8 (invalid sequences become U+FFFD; never throws). */
export const decodeUtf8 = (bytes: Uint8Array, start = 0, end = bytes.length): string =>
  decoder.decode(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));

/** Bytes needed to encode `text` as UTF-8 (lone surrogates count as U+FFFD, 3 bytes). */
export const utf8Length = (text: string): number => {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) length += 1;
    else if (code < 0x800) length += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length += 4;
        i++;
      } else length += 3;
    } else length += 3;
  }
  return length;
};

/** Writes `text` as UTF-8 at `offset`; returns bytes written. `out` must have room. */
export const writeUtf8 = (text: string, out: Uint8Array, offset: number): number => {
  // Pure-ASCII fast path avoids the encoder's call overhead for short strings.
  const length = text.length;
  if (length < 64) {
    let i = 0;
    for (; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) break;
      out[offset + i] = code;
    }
    if (i === length) return length;
  }
  return encoder.encodeInto(text, out.subarray(offset)).written;
};

/**
 * Writes `text` at the start of `out` if it encodes to exactly `text.length`
 * bytes (pure ASCII) and fits; returns false otherwise, possibly after writing
 * a prefix. Lets a caller size a buffer by `text.length` without counting bytes.
 */
export const writeAsciiExact = (text: string, out: Uint8Array): boolean => {
  const { read, written } = encoder.encodeInto(text, out);
  return read === text.length && written === text.length;
};

export const encodeUtf8 = (text: string): Uint8Array => {
  const out = new Uint8Array(utf8Length(text));
  writeUtf8(text, out, 0);
  return out;
};
