import type { Param } from './params.js';
import type { Uri } from './uri.js';
import { escapeUri, HEADER_CHARS, PARAM_CHARS, PASSWORD_CHARS, USER_CHARS } from './uri-escape.js';

const formatUriParams = (params: ReadonlyArray<Param>): string => {
  let out = '';
  for (const p of params) {
    out += `;${escapeUri(p.name, PARAM_CHARS)}`;
    if (p.value !== undefined) out += `=${escapeUri(p.value, PARAM_CHARS)}`;
  }
  return out;
};

const formatUriHeaders = (headers: ReadonlyArray<Param>): string =>
  headers.length === 0
    ? ''
    : `?${headers.map((h) => `${escapeUri(h.name, HEADER_CHARS)}=${escapeUri(h.value ?? '', HEADER_CHARS)}`)
      .join('&')}`;

/** Writes a URI in its canonical text form (escaping only what must be escaped). */
export const formatUri = (uri: Uri): string => {
  switch (uri.kind) {
    case 'sip': {
      let out = `${uri.scheme}:`;
      if (uri.user !== undefined) {
        out += escapeUri(uri.user, USER_CHARS);
        if (uri.password !== undefined) out += `:${escapeUri(uri.password, PASSWORD_CHARS)}`;
        out += '@';
      }
      out += uri.host;
      if (uri.port !== undefined) out += `:${uri.port}`;
      return out + formatUriParams(uri.params) + formatUriHeaders(uri.headers);
    }
    case 'tel':
      return `tel:${uri.number}${formatUriParams(uri.params)}`;
    case 'absolute':
      return `${uri.scheme}:${uri.value}`;
  }
};
