import {
  charRun, equalsIgnoreCase, isWhitespace, scanQuoted, scanRun, skipWs, scanToken, TOKEN_EXTRA, unquote,
} from './grammar.js';

/** A generic parameter (§25.1 generic-param); `value` is as written, quotes included. */
export interface Param {
  readonly name: string;
  readonly value?: string;
}

export type ParamsResult =
  | { readonly ok: true; readonly params: ReadonlyArray<Param>; readonly end: number }
  | { readonly ok: false; readonly detail: string; readonly at: number };

/** token characters plus `:`, `[` and `]` (an IPv6 `received`). */
const PARAM_VALUE_RUN = charRun(`${TOKEN_EXTRA}:[]`);

/**
 * Parses `*( SEMI generic-param )` from `index` up to the end of `text`, with
 * LWS allowed around `;` and `=` (§25.1). Stops with an error at anything else.
 */
export const parseParams = (text: string, index: number): ParamsResult => {
  const params: Param[] = [];
  let i = skipWs(text, index);
  while (i < text.length) {
    if (text.charCodeAt(i) !== 0x3b) return { ok: false, detail: `unexpected '${text[i]}'`, at: i };
    i = skipWs(text, i + 1);
    const nameEnd = scanToken(text, i);
    if (nameEnd === i) return { ok: false, detail: 'empty parameter', at: i };
    const name = text.slice(i, nameEnd);
    i = skipWs(text, nameEnd);
    if (i < text.length && text.charCodeAt(i) === 0x3d) {
      i = skipWs(text, i + 1);
      const valueEnd = scanParamValue(text, i);
      if (valueEnd <= i) return { ok: false, detail: `bad value for parameter '${name}'`, at: i };
      params.push({ name, value: text.slice(i, valueEnd) });
      i = skipWs(text, valueEnd);
    } else {
      params.push({ name });
    }
  }
  return { ok: true, params, end: i };
};

const scanParamValue = (text: string, index: number): number => {
  if (index >= text.length) return -1;
  if (text.charCodeAt(index) === 0x22) return scanQuoted(text, index);
  const i = scanRun(PARAM_VALUE_RUN, text, index);
  if (i < text.length && !isWhitespace(text.charCodeAt(i)) && text.charCodeAt(i) !== 0x3b) return -1;
  return i;
};

export const findParam = (params: ReadonlyArray<Param>, name: string): Param | undefined => {
  for (const param of params) if (equalsIgnoreCase(param.name, name)) return param;
  return undefined;
};

export const hasParam = (params: ReadonlyArray<Param>, name: string): boolean => findParam(params, name) !== undefined;

/** The parameter's value with quotes removed; undefined when absent or valueless. */
export const paramValue = (params: ReadonlyArray<Param>, name: string): string | undefined => {
  const value = findParam(params, name)?.value;
  return value === undefined ? undefined : unquote(value);
};

/** Returns params with `name` set (replacing any existing one in place) or appended. */
export const setParam = (params: ReadonlyArray<Param>, name: string, value?: string): ReadonlyArray<Param> => {
  const param: Param = value === undefined ? { name } : { name, value };
  const index = params.findIndex((p) => equalsIgnoreCase(p.name, name));
  if (index === -1) return [...params, param];
  return params.map((p, i) => (i === index ? param : p));
};

export const removeParam = (params: ReadonlyArray<Param>, name: string): ReadonlyArray<Param> =>
  params.filter((p) => !equalsIgnoreCase(p.name, name));

export const formatParams = (params: ReadonlyArray<Param>): string => {
  let out = '';
  for (const p of params) out += p.value === undefined ? `;${p.name}` : `;${p.name}=${p.value}`;
  return out;
};
