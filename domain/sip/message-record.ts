import type { SipHeader, SipMessage, SipRequest, SipResponse } from './message.js';
import type { Uri } from './uri.js';

/** The memoized parses a message may carry (see core-headers). */
export type MemoKey = 'transaction' | 'address';

/**
 * Holds the per-message memo in private fields. Creating an object with
 * private fields costs about as much as an object literal, while adding a
 * hidden property to a finished literal (`Object.defineProperty`) costs some
 * 175 ns, more than a tenth of a whole parse. Private fields are invisible to
 * keys, spreads, JSON and deep comparison; a spread copy is a plain object
 * without the memo, so a changed copy never sees a stale parse.
 */
abstract class Memoized {
  #transaction: unknown = undefined;
  #address: unknown = undefined;

  /** The memo under `key`, or undefined when unset or `message` is not a record. */
  static read(message: SipMessage, key: MemoKey): unknown {
    if (!(#transaction in message)) return undefined;
    return key === 'transaction' ? message.#transaction : message.#address;
  }

  /** Stores the memo; false when `message` is not a record (a plain object). */
  static write(message: SipMessage, key: MemoKey, value: unknown): boolean {
    if (!(#transaction in message)) return false;
    if (key === 'transaction') message.#transaction = value;
    else message.#address = value;
    return true;
  }
}

/** A request as the parser and builders create it: a SipRequest with room for the memo. */
class RequestRecord extends Memoized implements SipRequest {
  declare readonly kind: 'request';
  declare readonly method: string;
  declare readonly uri: Uri;
  declare readonly version: string;
  declare readonly headers: ReadonlyArray<SipHeader>;
  declare readonly body: Uint8Array;

  constructor(method: string, uri: Uri, version: string, headers: ReadonlyArray<SipHeader>, body: Uint8Array) {
    super();
    // Assigned in the literal's key order, so records and literals list keys alike.
    const self = this as { -readonly [K in keyof SipRequest]: SipRequest[K] };
    self.kind = 'request';
    self.method = method;
    self.uri = uri;
    self.version = version;
    self.headers = headers;
    self.body = body;
  }
}

class ResponseRecord extends Memoized implements SipResponse {
  declare readonly kind: 'response';
  declare readonly version: string;
  declare readonly status: number;
  declare readonly reason: string;
  declare readonly headers: ReadonlyArray<SipHeader>;
  declare readonly body: Uint8Array;

  constructor(version: string, status: number, reason: string, headers: ReadonlyArray<SipHeader>, body: Uint8Array) {
    super();
    const self = this as { -readonly [K in keyof SipResponse]: SipResponse[K] };
    self.kind = 'response';
    self.version = version;
    self.status = status;
    self.reason = reason;
    self.headers = headers;
    self.body = body;
  }
}

// A record is, to every reader, the plain value it holds: it names Object as
// its constructor, so it prints and deep-compares like an object literal.
for (const record of [RequestRecord, ResponseRecord]) {
  Object.defineProperty(
    record.prototype, 'constructor', { value: Object, enumerable: false, writable: true, configurable: true },
  );
}

export const requestRecord = (
  method: string, uri: Uri, version: string, headers: ReadonlyArray<SipHeader>, body: Uint8Array,
): SipRequest =>
  new RequestRecord(method, uri, version, headers, body);

export const responseRecord = (
  version: string, status: number, reason: string, headers: ReadonlyArray<SipHeader>, body: Uint8Array,
): SipResponse =>
  new ResponseRecord(version, status, reason, headers, body);

export const readMemo = (message: SipMessage, key: MemoKey): unknown => Memoized.read(message, key);
export const writeMemo = (message: SipMessage, key: MemoKey, value: unknown): boolean => Memoized.write(
  message, key, value,
);
