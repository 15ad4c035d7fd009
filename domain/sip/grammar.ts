/**
 * Character classes and small scanners of the RFC 3261 §25 grammar, shared by
 * the header and URI parsers. Scanners take (text, index) and return an index;
 * -1 means "no match".
 */

/** token and word punctuation (§25.1). */
export const TOKEN_EXTRA = "-.!%*_+`'~";
const WORD_EXTRA = "-.!%*_+`'~()<>:\\\"/[]?{}";

/** A 128-entry table marking letters, digits and `extra` (character classes of §25.1). */
export const charTable = (extra: string): Uint8Array => {
  const t = new Uint8Array(128);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  for (const ch of extra) t[ch.charCodeAt(0)] = 1;
  return t;
};

const TOKEN = charTable(TOKEN_EXTRA);

export const isTokenChar = (code: number): boolean => code < 128 && TOKEN[code] === 1;
export const isWhitespace = (code: number): boolean => code === 0x20 || code === 0x09;
export const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;
export const isAlpha = (code: number): boolean => (code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a;
export const isHexDigit = (code: number): boolean =>
  isDigit(code) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x66);

/*
 * Long runs of a character class are matched with regular expressions: the
 * regex engine compiles them to native code, several times faster per
 * character than a charCodeAt loop, though each call costs about as much as a
 * dozen loop steps: short runs (methods, transports, parameter names) keep loops.
 * They are built from the same class strings as the tables above.
 */
const classBody = (extra: string): string => `A-Za-z0-9${extra.replace(/[\\\]\-^]/g, '\\$&')}`;

/** A sticky regular expression matching a run of letters, digits and `extra`, for `scanRun`. */
export const charRun = (extra: string): RegExp => new RegExp(`[${classBody(extra)}]*`, 'y');

const TOKEN_ONLY = new RegExp(`^[${classBody(TOKEN_EXTRA)}]+$`);
const WORD = `[${classBody(WORD_EXTRA)}]+`;
const CALL_ID = new RegExp(`^${WORD}(?:@${WORD})?$`);

/**
 * End of the run of `run`'s class (a `charRun`) starting at `index` (`index`
 * itself when none). Sticky regexes keep state in lastIndex; it is set and read
 * synchronously here, so sharing one is safe.
 */
export const scanRun = (run: RegExp, text: string, index: number): number => {
  run.lastIndex = index;
  return run.test(text) ? run.lastIndex : index;
};

export const isToken = (text: string): boolean => {
  if (text.length > 12) return TOKEN_ONLY.test(text);
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) if (!isTokenChar(text.charCodeAt(i))) return false;
  return true;
};

/** callid = word [ "@" word ] (§25.1; `word` admits more punctuation than `token`), in one regex run. */
export const isCallId = (text: string): boolean => CALL_ID.test(text);

/** Skips spaces and tabs (headers are unfolded before parsing, so LWS is SP/HT). */
export const skipWs = (text: string, index: number): number => {
  while (index < text.length && isWhitespace(text.charCodeAt(index))) index++;
  return index;
};

export const scanToken = (text: string, index: number): number => {
  while (index < text.length && isTokenChar(text.charCodeAt(index))) index++;
  return index;
};

/**
 * Scans a quoted-string starting at the opening quote; returns the index after
 * the closing quote, or -1 when it is unterminated. quoted-pair escapes any
 * character but CR and LF (§25.1).
 */
export const scanQuoted = (text: string, index: number): number => {
  for (let i = index + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x5c) {
      i++;
      if (i >= text.length) return -1;
      const escaped = text.charCodeAt(i);
      if (escaped === 0x0d || escaped === 0x0a) return -1;
    } else if (code === 0x22) return i + 1;
  }
  return -1;
};

/** The contents of a quoted-string without quotes, quoted-pairs resolved. */
export const unquote = (quoted: string): string => {
  if (quoted.length < 2 || quoted.charCodeAt(0) !== 0x22) return quoted;
  const inner = quoted.slice(1, -1);
  return inner.indexOf('\\') === -1 ? inner : inner.replace(/\\(.)/g, '$1');
};

/** Wraps a value in a quoted-string, escaping `"` and `\`. */
export const quote = (value: string): string => `"${value.replace(/(["\\])/g, '\\$1')}"`;

/**
 * Splits a header value at top-level commas, never inside quoted strings or
 * `<…>`. Returns undefined for an unterminated quote or angle bracket.
 */
export const splitTopLevel = (text: string, separator = 0x2c): string[] | undefined => {
  const parts: string[] = [];
  let start = 0;
  let angle = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22) {
      const end = scanQuoted(text, i);
      if (end === -1) return undefined;
      i = end - 1;
    } else if (code === 0x3c) angle = true;
    else if (code === 0x3e) angle = false;
    else if (code === separator && !angle) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (angle) return undefined;
  parts.push(text.slice(start));
  return parts;
};

/** Parses a decimal integer of at most `maxDigits` digits; undefined if not all digits. */
export const parseDecimal = (text: string, maxValue: number): number | undefined => {
  if (text.length === 0 || text.length > 16) return undefined;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) return undefined;
    value = value * 10 + (code - 0x30);
  }
  return value <= maxValue ? value : undefined;
};

/** Case-insensitive ASCII equality without allocating. */
export const equalsIgnoreCase = (a: string, b: string): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y && ((x | 0x20) !== (y | 0x20) || !isAlpha(x))) return false;
  }
  return true;
};
