/** Methods defined by RFC 3261 and its extensions; anything else is an extension method. */
export const KNOWN_METHOD_NAMES: ReadonlyArray<string> = [
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY',
  'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE',
];

const BY_LENGTH: string[][] = [];
for (const name of KNOWN_METHOD_NAMES) (BY_LENGTH[name.length] ??= []).push(name);

/**
 * The known method spelled at text[from, to) (case-sensitive, as methods
 * are), as the one shared constant string, or undefined. Parsed messages then
 * hold no copy of the method, and comparing it with a literal is a pointer check.
 */
export const knownMethodAt = (text: string, from: number, to: number): string | undefined => {
  const candidates = BY_LENGTH[to - from];
  if (candidates !== undefined) for (const name of candidates) if (text.startsWith(name, from)) return name;
  return undefined;
};
