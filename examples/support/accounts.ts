/**
 * NAME:PASSWORD accounts from --user flags (and a --users-file), as the serving examples take them. A
 * malformed entry is a usage error naming where it came from — never the password.
 */
import { readFileSync } from 'node:fs';
import { usageError } from './command-line.js';

/** Every account given, the flags' first; `file` read line by line (blank lines and # comments skipped). */
export const accounts = (
  name: string, usage: string, flags: ReadonlyArray<string>, file?: string,
): Record<string, string> => {
  const lines = flags.map((line) => ({ line, from: '--user' }));
  if (file !== undefined) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      usageError(name, usage, `cannot read --users-file: ${(error as Error).message}`);
    }
    text.split(/\r?\n/).forEach((line, i) => {
      const entry = line.trim();
      if (entry !== '' && !entry.startsWith('#')) lines.push({ line: entry, from: `${file}:${i + 1}` });
    });
  }
  const found: Record<string, string> = {};
  for (const { line, from } of lines) {
    const colon = line.indexOf(':');
    const user = line.slice(0, colon);
    // The password is never echoed back: only where the bad entry is.
    if (colon <= 0 || colon === line.length - 1 || !/^[\w.~!$&'()*+,;=%-]+$/.test(user)) {
      usageError(name, usage, `${from}: expected NAME:PASSWORD`);
    }
    found[user] = line.slice(colon + 1);
  }
  return found;
};
